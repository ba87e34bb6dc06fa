import type { CallOutcome, InboundCall } from '@csms/bus';
import { NoRespondersError, RemoteHandlerError, RequestTimeoutError, Subjects } from '@csms/bus';
import { MessageTypeId, OcppError, callErrorFrame } from '@csms/ocpp';
import type { CallFrame, Frame } from '@csms/ocpp';
import {
  SpanKind,
  endOcppSpan,
  otelContext,
  secondsSince,
  traceHeaders,
  withSpan,
  type Span,
} from '@csms/telemetry';
import {
  actionLabel,
  countValidationError,
  isRecord,
  startExchangeSpan,
  type ConnectionLink,
} from './connection-link.js';
import { errorFields } from './logger.js';
import type { RetryLog } from './retry-log.js';

/** Timing of the station CALLs of one connection (see `StationConnectionOptions`). */
export interface InboundSettings {
  readonly stationCallTimeoutMs: number;
  readonly stationCallAttemptTimeoutMs: number;
  readonly abandonInboundAfterMs: number;
  /** Station CALLs that may wait behind the one in flight (overlapping CALLs); beyond, they are refused. */
  readonly maxQueuedStationCalls: number;
  readonly retryLog: RetryLog;
}

/** How often a station's overlapping CALLs are logged (the metric counts every one). */
const OVERLAP_LOG_INTERVAL_MS = 60_000;

/** The station CALL being processed (OCPP-J: at most one per direction, OCPP-2.0.1 part 4 §4.1.1). */
interface InboundExchange {
  readonly messageId: string;
  readonly action: string;
  /** performance.now() when it arrived. */
  readonly receivedAt: number;
  /** The station sent a new CALL after timing this one out: its answer is not sent. */
  abandoned: boolean;
}

/** A station CALL that arrived while another was in flight: processed after it, in arrival order. */
interface WaitingCall {
  readonly frame: CallFrame;
  readonly receivedAt: number;
}

type InboundOutcome = 'result' | 'error' | 'closed' | 'abandoned';

const INTERNAL_ERROR_DESCRIPTION = 'The CSMS could not process the request';

/**
 * Station → CSMS: the CALLs one station sends. Each is checked (known action, sent by stations, schema),
 * forwarded to the station's actor on `Subjects.inboundCall(stationId)` and answered with the actor's outcome.
 * Never throws out of {@link onCall}; failures become CALLERRORs.
 *
 * One CALL is forwarded at a time, in arrival order. OCPP-J asks the SENDER not to send a CALL before the
 * previous one is answered (OCPP-2.0.1 part 4 §4.1.1, OCPP-J 1.6 §4.1.1), but real stations do (a meter
 * reading ticking while a transaction stops); it does not ask the receiver to drop the data. So a CALL that
 * arrives while one is in flight waits in a small FIFO (`maxQueuedStationCalls`) and is processed and
 * answered after it: nothing the station sent is lost, the actor still sees the station's CALLs one by one
 * in the order sent. Beyond the FIFO's bound the CALL is refused with GenericError (memory stays bounded);
 * a copy of a CALL already in flight or waiting (same message id) is answered once, by the first.
 */
export class InboundExchanges {
  readonly #link: ConnectionLink;
  readonly #settings: InboundSettings;
  #current: InboundExchange | undefined;
  readonly #waiting: WaitingCall[] = [];
  /** Overlapping CALLs since the last log line about them (rate-limited per connection). */
  #overlapsUnlogged = 0;
  #overlapLoggedAt = -Infinity;

  constructor(link: ConnectionLink, settings: InboundSettings) {
    this.#link = link;
    this.#settings = settings;
  }

  /** A station CALL is in flight or waiting. */
  get busy(): boolean {
    return this.#current !== undefined || this.#waiting.length > 0;
  }

  onCall(frame: CallFrame, receivedAt: number): void {
    const [, messageId, action] = frame;
    const link = this.#link;
    if (link.isDraining()) {
      link.log.warn({ messageId, action }, 'CALL received while shutting down; left unanswered');
      return;
    }
    this.#abandonTimedOut(messageId, action, receivedAt);
    if (this.#current === undefined && this.#waiting.length === 0) {
      this.#process(frame, receivedAt);
      return;
    }
    this.#overlapping(frame, receivedAt);
    this.#next(); // the CALL in flight may have just been abandoned
  }

  /** A CALL that arrived while another is in flight: queued behind it, refused when the FIFO is full. */
  #overlapping(frame: CallFrame, receivedAt: number): void {
    const [, messageId, action] = frame;
    const link = this.#link;
    const { version, metrics } = link;
    if (this.#current?.messageId === messageId || this.#waiting.some((w) => w.frame[1] === messageId)) {
      // The station re-sent a CALL we have not answered yet: the one answer serves both copies.
      metrics.stationCallsOverlappingTotal.add(1, { version, outcome: 'duplicate' });
      link.log.debug({ messageId, action }, 'copy of a CALL in flight ignored; it is answered once');
      return;
    }
    if (this.#waiting.length >= this.#settings.maxQueuedStationCalls) {
      metrics.stationCallsOverlappingTotal.add(1, { version, outcome: 'refused' });
      this.#logOverlap(messageId, action, 'refused');
      const error = new OcppError(
        'GenericError',
        `Too many CALLs outstanding: ${this.#waiting.length + 1} unanswered, at most ` +
          `${this.#settings.maxQueuedStationCalls + 1} are accepted (send one at a time)`,
      );
      this.#refuse(frame, receivedAt, error);
      return;
    }
    metrics.stationCallsOverlappingTotal.add(1, { version, outcome: 'queued' });
    this.#logOverlap(messageId, action, 'queued');
    this.#waiting.push({ frame, receivedAt });
  }

  /** One line per interval per station; the metric counts every overlapping CALL. */
  #logOverlap(messageId: string, action: string, outcome: 'queued' | 'refused'): void {
    this.#overlapsUnlogged += 1;
    const now = performance.now();
    if (now - this.#overlapLoggedAt < OVERLAP_LOG_INTERVAL_MS) return;
    this.#link.log.warn(
      {
        messageId,
        action,
        outcome,
        outstandingMessageId: this.#current?.messageId,
        outstandingAction: this.#current?.action,
        overlapping: this.#overlapsUnlogged,
      },
      'station sent a CALL before the previous one was answered (OCPP-J §4.1.1); processing them in order',
    );
    this.#overlapLoggedAt = now;
    this.#overlapsUnlogged = 0;
  }

  /** Checks one CALL and forwards it to the actor, or answers its CALLERROR at once. */
  #process(frame: CallFrame, receivedAt: number): void {
    const [, messageId, action, payload] = frame;
    const error = this.#refusal(action, payload);
    if (error !== undefined) {
      this.#refuse(frame, receivedAt, error);
      this.#next();
      return;
    }
    const link = this.#link;
    const span = startExchangeSpan(link, action, SpanKind.SERVER, messageId, action, otelContext.active());
    const exchange: InboundExchange = { messageId, action, receivedAt, abandoned: false };
    this.#current = exchange;
    // The exchange's span is the active context of its bus request and of every log line about it.
    void otelContext.with(withSpan(span), () => this.#forward(exchange, payload, span));
  }

  /** Answers a CALL with `error` (an invalid or unacceptable CALL). */
  #refuse([, messageId, action]: CallFrame, receivedAt: number, error: OcppError): void {
    const link = this.#link;
    const label = actionLabel(link, action);
    const span = startExchangeSpan(link, label, SpanKind.SERVER, messageId, action, otelContext.active());
    link.log.warn({ messageId, action, code: error.code, description: error.description }, 'CALL refused');
    const frame = callErrorFrame(messageId, error, link.version);
    countValidationError(link, error.code, 'call');
    const sent = link.send(frame);
    this.#done(span, label, receivedAt, sent ? 'error' : 'closed', frame[2]);
  }

  /**
   * Starts the next waiting CALL once none is in flight. After the socket closed, the waiting CALLs are
   * dropped unanswered: the station resends unanswered CALLs after reconnecting.
   */
  #next(): void {
    if (this.#current !== undefined) return;
    const link = this.#link;
    if (link.isClosed()) {
      for (const { frame } of this.#waiting.splice(0)) {
        const action = actionLabel(link, frame[2]);
        link.metrics.ocppCallsTotal.add(1, {
          action,
          version: link.version,
          direction: 'station',
          outcome: 'closed',
        });
      }
      return;
    }
    const waiting = this.#waiting.shift();
    if (waiting !== undefined) this.#process(waiting.frame, waiting.receivedAt);
  }

  /**
   * "A Charging Station or CSMS SHALL NOT send a CALL message to the other party unless all the CALL messages it
   * sent before have been responded to or have timed out" (OCPP-2.0.1 part 4 §4.1.1, OCPP-J 1.6 §4.1.1): a new
   * CALL this late means the station timed the outstanding one out, so it may send. The earlier one still
   * completes in its actor (ahead of this one, in order); its answer would reach a station no longer waiting for
   * it. At most one abandoned exchange per abandonInboundAfterMs: a station cannot flood the actors this way.
   */
  #abandonTimedOut(messageId: string, action: string, receivedAt: number): void {
    const outstanding = this.#current;
    if (
      outstanding === undefined ||
      receivedAt - outstanding.receivedAt < this.#settings.abandonInboundAfterMs
    )
      return;
    outstanding.abandoned = true;
    this.#link.log.warn(
      {
        messageId,
        action,
        abandonedMessageId: outstanding.messageId,
        abandonedAction: outstanding.action,
        waitedMs: Math.round(receivedAt - outstanding.receivedAt),
      },
      'new CALL after the station timed out the outstanding one: its answer will not be sent',
    );
    this.#current = undefined;
  }

  /** Why a station CALL is refused with a CALLERROR, or undefined when it goes to the actor. */
  #refusal(action: string, payload: Record<string, unknown>): OcppError | undefined {
    const { validator, version } = this.#link;
    if (!validator.isKnownAction(version, action)) {
      // "Requested Action is not known by receiver" (OCPP-2.0.1 part 4 §4.3, OCPP-J 1.6 §4.2.3).
      return new OcppError('NotImplemented', `Unknown action '${action}'`);
    }
    if (validator.senderOf(version, action) === 'csms') {
      // "Requested Action is recognized but not supported by the receiver": a CSMS→station action.
      return new OcppError('NotSupported', `${action} is sent by the CSMS, not by the Charging Station`);
    }
    // "the server SHALL respond with a CALLERROR" for a payload not conform the schema (part 4 §4.1.7).
    return validator.validateRequest(version, action, payload);
  }

  /** Asks the station's actor and writes its answer back. Never rejects. */
  async #forward(exchange: InboundExchange, payload: Record<string, unknown>, span: Span): Promise<void> {
    const { messageId, action, receivedAt } = exchange;
    const link = this.#link;
    let reply: Frame;
    try {
      reply = this.#replyFor(messageId, action, await this.#ask(exchange, payload, span));
    } catch (error: unknown) {
      this.#settings.retryLog.notProcessed(link.log, {
        messageId,
        action,
        failure: busFailure(error),
        ...errorFields(error),
      });
      reply = internalError(messageId, link);
    } finally {
      if (this.#current === exchange) this.#current = undefined;
    }
    if (exchange.abandoned) {
      link.log.info({ messageId, action }, 'answer to an abandoned CALL not sent (the station timed it out)');
      this.#done(span, action, receivedAt, 'abandoned', undefined);
      this.#next();
      link.exchangeEnded();
      return;
    }
    let sent = false;
    try {
      if (link.isClosed())
        link.log.warn({ messageId, action }, 'socket closed before the answer could be sent');
      else sent = link.send(reply);
    } catch (error: unknown) {
      link.log.error({ messageId, action, ...errorFields(error) }, 'failed to send the answer');
    }
    const errorCode = reply[0] === MessageTypeId.CALLERROR ? reply[2] : undefined;
    const answer = errorCode === undefined ? 'result' : 'error';
    this.#done(span, action, receivedAt, sent ? answer : 'closed', errorCode);
    this.#next();
    link.exchangeEnded();
  }

  /** The actor's outcome of a station CALL (retried while nobody answers, see {@link requestWithRetry}). */
  #ask(exchange: InboundExchange, payload: Record<string, unknown>, span: Span): Promise<unknown> {
    const { stationId, edgeId, version, connectionId } = this.#link;
    const call: InboundCall = {
      stationId,
      version,
      connectionId,
      edgeId,
      messageId: exchange.messageId,
      action: exchange.action,
      payload,
      receivedAt: new Date().toISOString(),
    };
    // W3C trace context for the actor, which continues the trace (NATS carries it in message headers).
    const headers = { 'csms-station-id': stationId, ...traceHeaders(withSpan(span)) };
    return this.#requestWithRetry(call, Date.now() + this.#settings.stationCallTimeoutMs, headers);
  }

  /** Records a station CALL's response time and count, and ends its span. */
  #done(
    span: Span,
    action: string,
    receivedAt: number,
    outcome: InboundOutcome,
    errorCode: string | undefined,
  ): void {
    const { metrics, version } = this.#link;
    if (outcome === 'result' || outcome === 'error') {
      metrics.ocppResponseSeconds.record(secondsSince(receivedAt), { action, version, outcome });
    }
    metrics.ocppCallsTotal.add(1, { action, version, direction: 'station', outcome });
    endOcppSpan(span, outcome, errorCode);
  }

  /**
   * Sends the CALL to the station's actor, retrying while no worker answers: during a fail-over or a
   * hand-over the station's partition has no owner for a moment (no responders), a paused owner
   * swallows the request (timeout), or a fenced owner refuses it (remote error). Retrying the same CALL
   * is safe because handlers are idempotent, and it spares the station a CALLERROR and a reconnect.
   * Stops at `deadline` or when the socket closes (the station will resend after reconnecting).
   */
  async #requestWithRetry(
    call: InboundCall,
    deadline: number,
    headers: Readonly<Record<string, string>>,
  ): Promise<unknown> {
    const { bus, stationId, metrics, log } = this.#link;
    let backoffMs = 50;
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      const startedAt = performance.now();
      try {
        const reply = await bus.request<unknown>(Subjects.inboundCall(stationId), call, {
          timeoutMs: Math.max(1, Math.min(this.#settings.stationCallAttemptTimeoutMs, remaining)),
          headers,
        });
        metrics.busRequestSeconds.record(secondsSince(startedAt), { subject: 'ocpp.in', outcome: 'ok' });
        return reply;
      } catch (error: unknown) {
        const failure = busFailure(error);
        metrics.busRequestSeconds.record(secondsSince(startedAt), { subject: 'ocpp.in', outcome: failure });
        const retryable =
          error instanceof NoRespondersError ||
          error instanceof RequestTimeoutError ||
          error instanceof RemoteHandlerError;
        const left = deadline - Date.now();
        if (!retryable || this.#link.isClosed() || left <= 0) throw error;
        metrics.stationCallRetriesTotal.add(1, { failure });
        if (attempt === 1) {
          this.#settings.retryLog.retrying(log, { messageId: call.messageId, action: call.action, failure });
        }
        if (!(error instanceof RequestTimeoutError)) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(backoffMs, left)));
          backoffMs = Math.min(backoffMs * 2, 1000);
        }
      }
    }
  }

  /** The frame answering a station CALL, from the actor's {@link CallOutcome}. */
  #replyFor(messageId: string, action: string, outcome: unknown): Frame {
    const link = this.#link;
    if (isResultOutcome(outcome)) {
      const violation = link.validator.validateResponse(link.version, action, outcome.payload);
      if (violation === undefined) return [MessageTypeId.CALLRESULT, messageId, outcome.payload];
      // Our bug must not reach the station as invalid OCPP.
      link.log.error(
        { messageId, action, code: violation.code, description: violation.description },
        'the actor answered with a payload that violates the response schema; sending InternalError',
      );
    } else if (isErrorOutcome(outcome)) {
      const error = new OcppError(outcome.code, outcome.description, outcome.details);
      // callErrorFrame spells the code for the version and truncates the description to 255 (part 4 §4.2.3).
      return callErrorFrame(messageId, error, link.version);
    } else {
      link.log.error({ messageId, action }, 'the actor answered with a malformed CallOutcome');
    }
    return internalError(messageId, link);
  }
}

function internalError(messageId: string, link: ConnectionLink): Frame {
  return callErrorFrame(messageId, new OcppError('InternalError', INTERNAL_ERROR_DESCRIPTION), link.version);
}

function isResultOutcome(value: unknown): value is Extract<CallOutcome, { type: 'result' }> {
  return isRecord(value) && value.type === 'result' && isRecord(value.payload);
}

function isErrorOutcome(value: unknown): value is Extract<CallOutcome, { type: 'error' }> {
  return (
    isRecord(value) &&
    value.type === 'error' &&
    typeof value.code === 'string' &&
    typeof value.description === 'string' &&
    isRecord(value.details)
  );
}

/** A short classification of a failed bus request, for the log. */
function busFailure(error: unknown): string {
  if (error instanceof NoRespondersError) return 'no-responders';
  if (error instanceof RequestTimeoutError) return 'timeout';
  if (error instanceof RemoteHandlerError) return 'remote-error';
  return 'unknown';
}
