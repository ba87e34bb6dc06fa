import type { Bus } from '@csms/bus';
import { versionedCode } from '@csms/ocpp';
import type { Frame, NegotiableSubprotocol, OcppErrorCode, OcppValidator } from '@csms/ocpp';
import {
  SpanKind,
  csmsTracer,
  ocppAttributes,
  spanAttributes,
  type Context,
  type CsmsMetrics,
  type Span,
} from '@csms/telemetry';
import type { Logger } from './logger.js';

/**
 * What the exchanges of one connection (station CALLs, CSMS CALLs) need from the connection that owns the socket:
 * who the station is, the shared services, and the socket's state. Built by {@link StationConnection}.
 */
export interface ConnectionLink {
  readonly stationId: string;
  readonly connectionId: string;
  readonly version: NegotiableSubprotocol;
  readonly edgeId: string;
  readonly bus: Bus;
  readonly validator: OcppValidator;
  readonly metrics: CsmsMetrics;
  /** Already bound to the station (stationId, connectionId, version). */
  readonly log: Logger;
  /** Writes a frame; false when the socket is not open. Disconnects a station that does not read. */
  send(frame: Frame): boolean;
  /** The socket has closed. */
  isClosed(): boolean;
  /** The socket has closed or a close was requested: nothing new is sent. */
  isClosing(): boolean;
  /** The edge is shutting down: no new exchanges. */
  isDraining(): boolean;
  /** An exchange ended (wakes `whenIdle()` waiters once none is left). */
  exchangeEnded(): void;
}

/** Starts the span of one OCPP exchange (SERVER: a station CALL; CLIENT: a CSMS CALL). */
export function startExchangeSpan(
  link: ConnectionLink,
  label: string,
  kind: SpanKind,
  messageId: string,
  action: string,
  parent: Context,
): Span {
  return csmsTracer().startSpan(
    `ocpp ${label}`,
    {
      kind,
      attributes: spanAttributes(() => ({
        ...ocppAttributes({ stationId: link.stationId, action, version: link.version, messageId }),
        'ocpp.direction': kind === SpanKind.SERVER ? 'station' : 'csms',
        'csms.connection_id': link.connectionId,
      })),
    },
    parent,
  );
}

/** Counts a frame, CALL or answer the edge refused as invalid OCPP. */
export function countValidationError(
  link: ConnectionLink,
  code: OcppErrorCode,
  kind: 'call' | 'frame' | 'response',
): void {
  link.metrics.validationErrorsTotal.add(1, {
    code: versionedCode(link.version, code),
    kind,
    version: link.version,
  });
}

/** The label of `action` in metrics and span names: a station can send any name, only known ones are kept. */
export function actionLabel(link: ConnectionLink, action: string): string {
  return link.validator.isKnownAction(link.version, action) ? action : 'unknown';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
