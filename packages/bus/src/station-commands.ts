import type { OcppErrorCode } from '@csms/ocpp';

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
   * What to do when the station is not connected: `reject` answers `offline` at once (the default).
   * (Durable queueing until reconnect is added with the distributed runtime.)
   */
  readonly whenOffline?: 'reject';
}

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
  | {
      /** The CSMS may not send this now: the station is Rejected / Pending, or too much is queued. */
      readonly status: 'refused';
      readonly reason: 'station-rejected' | 'station-pending' | 'queue-full';
      readonly description: string;
    }
  | { readonly status: 'timeout' }
  | { readonly status: 'not-supported'; readonly description: string };
