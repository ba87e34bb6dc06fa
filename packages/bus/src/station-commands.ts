import type { OcppErrorCode, OcppVersion } from '@csms/ocpp';

/**
 * Operator/API commands to a station's actor. Subject: `Subjects.command(stationId)`, request/reply.
 * The actor is the only sender of CSMS-initiated CALLs to its station: it sends one at a time and
 * queues the rest (OCPP-J: one outstanding CALL per direction).
 */
export interface StationCommand {
  readonly action: string;
  readonly payload: Record<string, unknown>;
  /** How long to wait for the station's answer once the CALL is sent. */
  readonly timeoutMs?: number;
  /**
   * What to do when the station is not connected: `reject` answers `offline` at once (the default);
   * `queue` keeps the command durably (answer `queued`) and delivers it when the station is back,
   * unless it expired first. A station the CSMS never saw (no known OCPP version) is always `offline`.
   */
  readonly whenOffline?: 'reject' | 'queue';
  /**
   * With `whenOffline: 'queue'`: how long the command may wait for the station (ms, from 1 to
   * {@link MAX_QUEUE_TTL_MS}; longer is cut to it). Default: the worker's `queuedCommandTtlMs`.
   */
  readonly queueTtlMs?: number;
  /**
   * The OCPP version the payload was built for (typed APIs): a station that speaks (or last spoke) another
   * version is `refused` with reason `version-mismatch` instead of getting a CALL of the other version.
   */
  readonly ocppVersion?: OcppVersion;
}

/** The longest a command may wait in the durable queue for its station: 7 days. */
export const MAX_QUEUE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** How a command ended. */
export type CommandOutcome =
  | { readonly status: 'result'; readonly payload: Record<string, unknown> }
  | {
      readonly status: 'call-error';
      readonly code: OcppErrorCode;
      readonly description: string;
      readonly details: Record<string, unknown>;
    }
  | { readonly status: 'invalid-request'; readonly code: OcppErrorCode; readonly description: string }
  | {
      readonly status: 'invalid-response';
      readonly payload: unknown;
      readonly code: OcppErrorCode;
      readonly description: string;
    }
  | { readonly status: 'offline' }
  /**
   * The station disconnected after the command was sent and before it answered: it may or may not have
   * acted on it. Not `offline`: the station was there when the command left.
   */
  | { readonly status: 'disconnected' }
  | {
      /**
       * The station is offline and the command was kept (`whenOffline: 'queue'`): it is delivered when
       * the station is back, unless it expires first. Its final outcome is recorded under `commandId`.
       */
      readonly status: 'queued';
      readonly commandId: string;
      /** ISO 8601. */
      readonly expiresAt: string;
    }
  | {
      /**
       * The CSMS may not send this now: the station is Rejected / Pending, too much is queued, or the
       * station speaks another OCPP version than {@link StationCommand.ocppVersion}.
       */
      readonly status: 'refused';
      readonly reason: 'station-rejected' | 'station-pending' | 'queue-full' | 'version-mismatch';
      readonly description: string;
    }
  | { readonly status: 'timeout' }
  | { readonly status: 'not-supported'; readonly description: string };
