import type { BusMessage, OutboundCall, OutboundOutcome } from '@csms/bus';
import { MAX_MESSAGE_ID_LENGTH, MessageTypeId, errorCodesOf } from '@csms/ocpp';
import type { CallErrorFrame, CallFrame, CallResultFrame, OcppErrorCode } from '@csms/ocpp';
import { SpanKind, contextFromHeaders, endOcppSpan, secondsSince, type Span } from '@csms/telemetry';
import {
  actionLabel,
  countValidationError,
  isRecord,
  startExchangeSpan,
  type ConnectionLink,
} from './connection-link.js';

/** The CSMS CALL sent to the station and waiting for its answer. */
interface OutboundExchange {
  readonly call: OutboundCall;
  readonly resolve: (outcome: OutboundOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

/** A CSMS CALL waiting for the outstanding one to finish. */
interface QueuedCall {
  readonly call: OutboundCall;
  /** Ends the CALL's span and records its metrics, then answers the bus request. */
  readonly resolve: (outcome: OutboundOutcome) => void;
  /** When the CALL was written to the socket (`performance.now()`), for the station's answer time. */
  readonly sent: { at: number | undefined };
}

/** Upper bound for `OutboundCall.timeoutMs`, so a bad value cannot pin a socket's queue for days. */
const MAX_OUTBOUND_TIMEOUT_MS = 15 * 60_000;
/** Every code a station may legitimately send in a CALLERROR, in either spelling. */
const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set<string>([
  ...errorCodesOf('ocpp1.6'),
  ...errorCodesOf('ocpp2.0.1'),
]);

/**
 * CSMS → station: the CALLs the station's actor sends through `Subjects.outboundCall(stationId)`. One is on the
 * wire at a time (OCPP-2.0.1 part 4 §4.1.1), at most `maxQueued` wait behind it; each ends as the station's
 * answer, a timeout, or `closed`.
 */
export class OutboundExchanges {
  readonly #link: ConnectionLink;
  readonly #maxQueued: number;
  readonly #queue: QueuedCall[] = [];
  #current: OutboundExchange | undefined;

  constructor(link: ConnectionLink, maxQueued: number) {
    this.#link = link;
    this.#maxQueued = maxQueued;
  }

  /** A CSMS CALL is on the wire. */
  get busy(): boolean {
    return this.#current !== undefined;
  }

  /** Bus handler of `Subjects.outboundCall`: resolves with how the CALL ended. */
  onOutboundCall(message: BusMessage<unknown>): Promise<OutboundOutcome> {
    const link = this.#link;
    const call = message.data;
    if (!isOutboundCall(call)) {
      link.log.error({}, 'malformed OutboundCall refused');
      return Promise.reject(new Error('malformed OutboundCall'));
    }
    // A child of the actor's command span when the worker sent its trace context along.
    const label = actionLabel(link, call.action);
    const parent = contextFromHeaders(message.headers);
    const span = startExchangeSpan(link, label, SpanKind.CLIENT, call.messageId, call.action, parent);
    const invalid = this.#invalid(call);
    if (invalid !== undefined) {
      link.log.error(
        { messageId: call.messageId, action: call.action, invalid },
        'invalid OutboundCall refused',
      );
      endOcppSpan(span, 'failed');
      return Promise.reject(new Error(`invalid ${call.action} request: ${invalid}`));
    }
    const sent: QueuedCall['sent'] = { at: undefined };
    const finish = (outcome: OutboundOutcome): OutboundOutcome => {
      this.#record(span, call.action, sent.at, outcome);
      return outcome;
    };
    if (link.isClosing() || link.isDraining()) return Promise.resolve(finish({ type: 'closed' }));
    return new Promise<OutboundOutcome>((resolvePromise) => {
      const resolve = (outcome: OutboundOutcome): void => resolvePromise(finish(outcome));
      if (this.#current === undefined) {
        this.#send({ call, resolve, sent });
      } else if (this.#queue.length < this.#maxQueued) {
        // One outstanding CALL per direction (OCPP-2.0.1 part 4 §4.1.1): wait behind the current one.
        this.#queue.push({ call, resolve, sent });
      } else {
        link.log.warn({ messageId: call.messageId, action: call.action }, 'CSMS call queue full; refused');
        resolve({
          type: 'error',
          code: 'GenericError',
          description: 'Too many CSMS calls queued for this station',
          details: {},
        });
      }
    });
  }

  /** The station's CALLRESULT to the outstanding CSMS CALL (checked against the response schema). */
  onCallResult([, messageId, payload]: CallResultFrame): void {
    const link = this.#link;
    const pending = this.#current;
    if (pending === undefined || pending.call.messageId !== messageId) {
      // e.g. a late answer to a CALL that already timed out.
      link.log.warn({ messageId }, 'CALLRESULT for an unknown message id dropped');
      return;
    }
    const violation = link.validator.validateResponse(link.version, pending.call.action, payload);
    if (violation !== undefined) {
      link.log.warn(
        { messageId, action: pending.call.action, code: violation.code, description: violation.description },
        'station answered with a payload that violates the response schema',
      );
      countValidationError(link, violation.code, 'response');
      this.#settle({
        type: 'invalid-response',
        payload,
        code: violation.code,
        description: violation.description,
      });
      return;
    }
    this.#settle({ type: 'result', payload });
  }

  /** The station's CALLERROR to the outstanding CSMS CALL. */
  onCallError([, messageId, errorCode, errorDescription, details]: CallErrorFrame): void {
    const pending = this.#current;
    if (pending === undefined || pending.call.messageId !== messageId) {
      this.#link.log.warn({ messageId, errorCode }, 'CALLERROR for an unknown message id dropped');
      return;
    }
    // A code outside the RPC framework tables is reported as GenericError, the original kept in the details.
    const known = KNOWN_ERROR_CODES.has(errorCode);
    this.#settle({
      type: 'error',
      code: known ? (errorCode as OcppErrorCode) : 'GenericError',
      description: errorDescription,
      details: known ? details : { ...details, stationErrorCode: errorCode },
    });
  }

  /** Shutting down: the CALLs not yet sent end as `closed`; the one on the wire may still be answered. */
  drain(): void {
    for (const queued of this.#queue.splice(0)) queued.resolve({ type: 'closed' });
  }

  /**
   * The socket closed: the CALLs not yet sent end as `closed`, the one on the wire as `disconnected` (the station
   * saw it and may have acted on it; its answer can no longer arrive).
   */
  closeAll(): void {
    this.drain();
    this.#settle({ type: 'disconnected' });
  }

  /**
   * Why a CALL must not go on the wire, or undefined. The edge is the last check before the wire: a CALL the
   * station would have to reject as invalid OCPP is a CSMS bug, reported to the caller as a failed request.
   */
  #invalid(call: OutboundCall): string | undefined {
    const { validator, version } = this.#link;
    const sender = validator.senderOf(version, call.action);
    return sender === undefined || sender === 'station'
      ? `${call.action} is not a CSMS-initiated action of ${version}`
      : validator.validateRequest(version, call.action, call.payload)?.description;
  }

  /** Records a CSMS CALL's outcome (and the station's answer time when it was sent) and ends its span. */
  #record(span: Span, action: string, sentAt: number | undefined, outcome: OutboundOutcome): void {
    const link = this.#link;
    const { metrics, version } = link;
    const label = actionLabel(link, action);
    if (sentAt !== undefined && (outcome.type === 'result' || outcome.type === 'error')) {
      metrics.csmsCallSeconds.record(secondsSince(sentAt), { action: label, version, outcome: outcome.type });
    }
    metrics.ocppCallsTotal.add(1, { action: label, version, direction: 'csms', outcome: outcome.type });
    endOcppSpan(span, outcome.type, outcome.type === 'error' ? outcome.code : undefined);
  }

  #send({ call, resolve, sent }: QueuedCall): void {
    sent.at = performance.now();
    const timeoutMs = Math.min(call.timeoutMs, MAX_OUTBOUND_TIMEOUT_MS);
    const timer = setTimeout(() => {
      this.#link.log.warn(
        { messageId: call.messageId, action: call.action, timeoutMs },
        'CSMS call timed out',
      );
      this.#settle({ type: 'timeout' });
    }, timeoutMs);
    this.#current = { call, resolve, timer };
    const frame: CallFrame = [MessageTypeId.CALL, call.messageId, call.action, call.payload];
    if (!this.#link.send(frame)) this.#settle({ type: 'closed' });
  }

  /** Ends the outstanding CSMS CALL and sends the next queued one. */
  #settle(outcome: OutboundOutcome): void {
    const current = this.#current;
    if (current === undefined) return;
    clearTimeout(current.timer);
    this.#current = undefined;
    current.resolve(outcome);
    const next = this.#queue.shift();
    if (next !== undefined) {
      if (this.#link.isClosing()) next.resolve({ type: 'closed' });
      else this.#send(next);
    }
    this.#link.exchangeEnded();
  }
}

function isOutboundCall(value: unknown): value is OutboundCall {
  return (
    isRecord(value) &&
    typeof value.messageId === 'string' &&
    value.messageId !== '' &&
    value.messageId.length <= MAX_MESSAGE_ID_LENGTH &&
    typeof value.action === 'string' &&
    isRecord(value.payload) &&
    typeof value.timeoutMs === 'number' &&
    Number.isFinite(value.timeoutMs) &&
    value.timeoutMs > 0
  );
}
