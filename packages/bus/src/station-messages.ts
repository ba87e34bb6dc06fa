import type { OcppErrorCode, OcppVersion } from '@csms/ocpp';

/**
 * The messages edges and station actors exchange over the {@link Bus}. These are the only contract
 * between the `edge` and `worker` services.
 */

/** The security profile a connection was authenticated with (OCPP 2.0.1 Part 2 A00, 1.6 Security WP). */
export type SecurityProfile = 0 | 1 | 2 | 3;

/** A CALL a station sent, validated by the edge. Subject: `Subjects.inboundCall(stationId)`. */
export interface InboundCall {
  readonly stationId: string;
  readonly version: OcppVersion;
  readonly connectionId: string;
  readonly edgeId: string;
  readonly messageId: string;
  readonly action: string;
  readonly payload: Record<string, unknown>;
  /** ISO 8601 time the edge received the frame. */
  readonly receivedAt: string;
}

/** What the CSMS answers to a CALL: a CALLRESULT payload or a CALLERROR. */
export type CallOutcome =
  | { readonly type: 'result'; readonly payload: Record<string, unknown> }
  | {
      readonly type: 'error';
      readonly code: OcppErrorCode;
      readonly description: string;
      readonly details: Record<string, unknown>;
    };

/** A CALL the CSMS sends to a station. Subject: `Subjects.outboundCall(stationId)`. */
export interface OutboundCall {
  readonly messageId: string;
  readonly action: string;
  readonly payload: Record<string, unknown>;
  /** How long the edge waits for the station's CALLRESULT / CALLERROR. */
  readonly timeoutMs: number;
}

/**
 * How an outbound CALL ended, as seen by the edge. `invalid-response` means the station answered
 * with a payload that violates the response schema (the raw payload and the violation are kept).
 */
export type OutboundOutcome =
  | CallOutcome
  | { readonly type: 'timeout' }
  /** The socket was closed (or closing) before the CALL was written: the station never saw it. */
  | { readonly type: 'closed' }
  /**
   * The socket closed after the CALL was written and before the station answered: the station may or may not
   * have acted on it (a caller should check the station's state before sending it again).
   */
  | { readonly type: 'disconnected' }
  | {
      readonly type: 'invalid-response';
      readonly payload: unknown;
      readonly code: OcppErrorCode;
      readonly description: string;
    };

/** Connection lifecycle published by edges. Subject: `Subjects.connection(stationId)`. */
export interface ConnectionEvent {
  readonly type: 'connected' | 'disconnected';
  readonly stationId: string;
  readonly version: OcppVersion;
  readonly connectionId: string;
  readonly edgeId: string;
  readonly securityProfile: SecurityProfile;
  /** ISO 8601. */
  readonly at: string;
  readonly remoteAddress?: string;
  /** WebSocket close code and reason, for `disconnected`. */
  readonly closeCode?: number;
  readonly reason?: string;
}

/** Asks edges to close a station's socket unless it is `keepConnectionId`. Subject: `Subjects.evict(stationId)`. */
export interface EvictRequest {
  readonly stationId: string;
  readonly keepConnectionId?: string;
  readonly reason: string;
}
