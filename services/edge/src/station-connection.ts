import type {
  Bus,
  BusMessage,
  CallOutcome,
  ConnectionEvent,
  EvictRequest,
  InboundCall,
  OutboundCall,
  OutboundOutcome,
  SecurityProfile,
  Subscription,
} from '@csms/bus';
import { NoRespondersError, RemoteHandlerError, RequestTimeoutError, Subjects } from '@csms/bus';
import {
  MAX_MESSAGE_ID_LENGTH,
  MessageTypeId,
  OcppError,
  callErrorFrame,
  errorCodesOf,
  parseFrame,
  serializeFrame,
  versionedCode,
} from '@csms/ocpp';
import type {
  CallErrorFrame,
  CallFrame,
  CallResultFrame,
  Frame,
  NegotiableSubprotocol,
  OcppErrorCode,
  OcppValidator,
} from '@csms/ocpp';
import {
  SpanKind,
  contextFromHeaders,
  csmsTracer,
  endOcppSpan,
  ocppAttributes,
  otelContext,
  secondsSince,
  traceHeaders,
  withSpan,
  type Context,
  type CsmsMetrics,
  type Span,
} from '@csms/telemetry';
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from './close-codes.js';
import { errorFields } from './logger.js';
import type { Logger } from './logger.js';
import { RetryLog } from './retry-log.js';

/** Everything a {@link StationConnection} needs; built by the edge server after a successful upgrade. */
export interface StationConnectionOptions {
  readonly ws: WebSocket;
  readonly stationId: string;
  readonly version: NegotiableSubprotocol;
  readonly connectionId: string;
  readonly edgeId: string;
  readonly securityProfile: SecurityProfile;
  readonly remoteAddress: string | undefined;
  readonly bus: Bus;
  readonly validator: OcppValidator;
  /** Already bound to the station (stationId, connectionId, version). */
  readonly logger: Logger;
  /** How long to wait for the actor's answer to a station CALL before answering InternalError. */
  readonly stationCallTimeoutMs: number;
  /** Timeout of one attempt to reach the actor; failed attempts are retried until stationCallTimeoutMs. */
  readonly stationCallAttemptTimeoutMs: number;
  /**
   * A new CALL that arrives when the outstanding one has waited this long means the station timed that one out
   * (which lets it send the next, OCPP-J part 4 §4.1.1): the new one is handled, the old one's answer dropped.
   * Sooner, the new CALL is refused with GenericError.
   */
  readonly abandonInboundAfterMs: number;
  /** CSMS CALLs that may wait behind the outstanding one; beyond, they are refused. */
  readonly maxQueuedCsmsCalls: number;
  /** Bytes queued for the socket above which the station counts as not reading, and is disconnected. */
  readonly maxBufferedBytes: number;
  readonly metrics: CsmsMetrics;
  /** Rate-limited retry / failure lines, shared by the edge's connections (default: one per connection). */
  readonly retryLog?: RetryLog;
  /** Called once, when the socket has closed and the `disconnected` event was published. */
  readonly onClosed: (connection: StationConnection) => void;
}

/** The station CALL being processed (OCPP-J: at most one per direction, OCPP-2.0.1 part 4 §4.1.1). */
interface InboundExchange {
  readonly messageId: string;
  readonly action: string;
  /** performance.now() when it arrived. */
  readonly receivedAt: number;
  /** The station sent a new CALL after timing this one out: its answer is not sent. */
  abandoned: boolean;
}

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
/** Close reasons are at most 123 bytes (RFC 6455 §5.5: control frame payload ≤ 125, minus the code). */
const MAX_CLOSE_REASON_BYTES = 123;
const INTERNAL_ERROR_DESCRIPTION = 'The CSMS could not process the request';
/** Every code a station may legitimately send in a CALLERROR, in either spelling. */
const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set<string>([
  ...errorCodesOf('ocpp1.6'),
  ...errorCodesOf('ocpp2.0.1'),
]);

/**
 * One station's WebSocket: OCPP-J RPC framing both ways, schema validation, and the bridge to the station's actor
 * over the bus. Station CALLs go to `Subjects.inboundCall(stationId)` (request/reply); CSMS CALLs arrive on
 * `Subjects.outboundCall(stationId)`. Everything it holds is bounded: one station CALL in flight, one CSMS CALL
 * in flight plus a short queue, and the socket's send buffer.
 *
 * Failures while handling a frame are answered (CALLERROR) or close this socket only; they never throw out.
 */
export class StationConnection {
  readonly stationId: string;
  readonly connectionId: string;
  readonly version: NegotiableSubprotocol;
  readonly securityProfile: SecurityProfile;
  /** Resolves once the socket is closed and the `disconnected` event is published. */
  readonly closed: Promise<void>;

  readonly #options: StationConnectionOptions;
  readonly #ws: WebSocket;
  readonly #log: Logger;
  readonly #retryLog: RetryLog;
  readonly #subscriptions: Subscription[] = [];
  readonly #queue: QueuedCall[] = [];
  readonly #idleWaiters: Array<() => void> = [];
  #resolveClosed: () => void = () => {};
  #inbound: InboundExchange | undefined;
  #outbound: OutboundExchange | undefined;
  /** Answered a ping (or sent anything) since the last ping round. */
  #alive = true;
  /** Shutting down: no new exchanges, finish the ones in flight. */
  #draining = false;
  /** The close this side initiated (reported in the `disconnected` event instead of the peer's echo). */
  #closeRequest: { readonly code: number; readonly reason: string } | undefined;
  #closed = false;
  #connectedPublished = false;

  constructor(options: StationConnectionOptions) {
    this.#options = options;
    this.#ws = options.ws;
    this.#log = options.logger;
    this.#retryLog = options.retryLog ?? new RetryLog(options.logger);
    this.stationId = options.stationId;
    this.connectionId = options.connectionId;
    this.version = options.version;
    this.securityProfile = options.securityProfile;
    this.closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    });
    // Listeners are attached synchronously, before anything can be awaited, so no frame is missed.
    this.#ws.on('message', (data: RawData, isBinary: boolean) => this.#onMessage(data, isBinary));
    this.#ws.on('pong', () => {
      this.#alive = true;
    });
    this.#ws.on('error', (error: Error) => {
      // ws reports protocol violations here (e.g. a frame above maxPayload, invalid UTF-8) and then closes the
      // socket itself with the matching code (1009, 1007, ...). Without this listener the process would crash.
      this.#log.warn({ ...errorFields(error) }, 'websocket error');
    });
    this.#ws.on('close', (code: number, reason: Buffer) => this.#onClose(code, reason.toString('utf8')));
  }

  /** No exchange in flight in either direction. */
  get idle(): boolean {
    return this.#inbound === undefined && this.#outbound === undefined;
  }

  /**
   * Connects the socket to the bus: subscribes to evictions, evicts every other connection of this station
   * (newest connection wins), subscribes to CSMS CALLs and publishes `connected`. On failure the socket is closed.
   */
  async start(): Promise<void> {
    const { bus, stationId } = this.#options;
    try {
      this.#track(
        await bus.subscribe<EvictRequest>(Subjects.evict(stationId), (message) => this.#onEvict(message)),
      );
      if (this.#closed) return;
      const evict: EvictRequest = {
        stationId,
        keepConnectionId: this.connectionId,
        reason: 'replaced by a newer connection',
      };
      await bus.publish(Subjects.evict(stationId), evict);
      this.#track(
        await bus.subscribe<unknown, OutboundOutcome>(Subjects.outboundCall(stationId), (message) =>
          this.#onOutboundCall(message),
        ),
      );
      if (this.#closed) return;
      this.#connectedPublished = true;
      await bus.publish(Subjects.connection(stationId), this.#event('connected'));
    } catch (error: unknown) {
      this.#log.error({ ...errorFields(error) }, 'could not attach the connection to the bus');
      this.close(CloseCode.InternalError, 'internal error');
    }
  }

  /**
   * Called by the edge's shared ping timer. A station that has not answered the previous ping (nor sent anything)
   * is terminated: WebSocket ping/pong is the liveness check of OCPP-J (OCPP-2.0.1 part 4 §5.2).
   */
  heartbeat(): void {
    if (this.#closed) return;
    if (!this.#alive) {
      this.#log.warn({}, 'no pong since the last ping; terminating');
      this.#closeRequest ??= { code: CloseCode.Abnormal, reason: 'ping timeout' };
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.ping();
  }

  /** Starts closing the socket (idempotent). Pending CSMS CALLs end as `closed` once it is closed. */
  close(code: number, reason: string): void {
    if (this.#closed || this.#closeRequest !== undefined) return;
    const text = truncateUtf8(reason, MAX_CLOSE_REASON_BYTES);
    this.#closeRequest = { code, reason: text };
    this.#ws.close(code, text);
  }

  /** Drops the TCP connection at once (after a close handshake that did not complete). */
  terminate(): void {
    if (this.#closed) return;
    this.#ws.terminate();
  }

  /**
   * Enters shutdown: CSMS CALLs not yet sent end as `closed`, new station CALLs are left unanswered (the station
   * resends them after reconnecting; a CALLERROR could make it drop a transaction message). In-flight exchanges
   * continue; {@link whenIdle} tells when they are done.
   */
  drain(): void {
    this.#draining = true;
    for (const queued of this.#queue.splice(0)) queued.resolve({ type: 'closed' });
  }

  /** Resolves when no exchange is in flight (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.idle || this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Station → CSMS

  #onMessage(data: RawData, isBinary: boolean): void {
    // The response time the station sees starts here: parsing and validation count.
    const receivedAt = performance.now();
    this.#alive = true;
    if (this.#closed || this.#closeRequest !== undefined) return;
    try {
      if (isBinary) {
        // OCPP-J messages are UTF-8 JSON text (OCPP-2.0.1 part 4 §4.1.2, OCPP-J 1.6 §4.1.2); a binary frame is data
        // the edge cannot accept: RFC 6455 §7.4.1 close code 1003. A CALLERROR is impossible (no message id).
        this.#log.warn({}, 'binary frame received; closing');
        this.close(CloseCode.UnsupportedData, 'binary frames are not supported; OCPP-J uses text frames');
        return;
      }
      const parsed = parseFrame(this.version, rawToText(data));
      if (!parsed.ok) {
        this.#log.warn(
          { messageId: parsed.messageId, code: parsed.error.code, description: parsed.error.description },
          'invalid frame',
        );
        this.#countValidationError(parsed.error.code, 'frame');
        if (parsed.respond) this.#send(callErrorFrame(parsed.messageId, parsed.error, this.version));
        return;
      }
      this.#dispatch(parsed.frame, receivedAt);
    } catch (error: unknown) {
      this.#log.error({ ...errorFields(error) }, 'failed to handle a frame; closing');
      this.close(CloseCode.InternalError, 'internal error');
    }
  }

  #dispatch(frame: Frame, receivedAt: number): void {
    switch (frame[0]) {
      case MessageTypeId.CALL:
        this.#onCall(frame, receivedAt);
        return;
      case MessageTypeId.CALLRESULT:
        this.#onCallResult(frame);
        return;
      case MessageTypeId.CALLERROR:
        this.#onCallError(frame);
        return;
    }
  }

  #onCall([, messageId, action, payload]: CallFrame, receivedAt: number): void {
    const log = this.#log;
    if (this.#draining) {
      log.warn({ messageId, action }, 'CALL received while shutting down; left unanswered');
      return;
    }
    const { validator } = this.#options;
    let error: OcppError | undefined;
    const outstanding = this.#inbound;
    if (
      outstanding !== undefined &&
      receivedAt - outstanding.receivedAt >= this.#options.abandonInboundAfterMs
    ) {
      // "A Charging Station or CSMS SHALL NOT send a CALL message to the other party unless all the CALL messages
      // it sent before have been responded to or have timed out" (OCPP-2.0.1 part 4 §4.1.1, OCPP-J 1.6 §4.1.1):
      // this late, the station timed the earlier CALL out, so it may send. The earlier one still completes in
      // its actor (ahead of this one, in order); its answer would reach a station no longer waiting for it.
      // At most one abandoned exchange per abandonInboundAfterMs: a station cannot flood the actors this way.
      outstanding.abandoned = true;
      log.warn(
        {
          messageId,
          action,
          abandonedMessageId: outstanding.messageId,
          abandonedAction: outstanding.action,
          waitedMs: Math.round(receivedAt - outstanding.receivedAt),
        },
        'new CALL after the station timed out the outstanding one: its answer will not be sent',
      );
      this.#inbound = undefined;
    }
    if (this.#inbound !== undefined) {
      // Within the station's timeout (OCPP-2.0.1 part 4 §4.1.1, OCPP-J 1.6 §4.1.1: one CALL at a time).
      // Refused rather than queued: queueing would hide the station's bug and let it grow our memory.
      error = new OcppError(
        'GenericError',
        `CALL received while message ${this.#inbound.messageId} is outstanding`,
      );
    } else if (!validator.isKnownAction(this.version, action)) {
      // "Requested Action is not known by receiver" (OCPP-2.0.1 part 4 §4.3, OCPP-J 1.6 §4.2.3).
      error = new OcppError('NotImplemented', `Unknown action '${action}'`);
    } else if (validator.senderOf(this.version, action) === 'csms') {
      // "Requested Action is recognized but not supported by the receiver": a CSMS→station action.
      error = new OcppError('NotSupported', `${action} is sent by the CSMS, not by the Charging Station`);
    } else {
      // "the server SHALL respond with a CALLERROR" for a payload not conform the schema (part 4 §4.1.7).
      error = validator.validateRequest(this.version, action, payload);
    }
    // A station can send any action name: only known ones become metric labels and span names.
    const label = validator.isKnownAction(this.version, action) ? action : 'unknown';
    const span = this.#startSpan(label, SpanKind.SERVER, messageId, action, otelContext.active());
    if (error !== undefined) {
      log.warn({ messageId, action, code: error.code, description: error.description }, 'CALL refused');
      const frame = callErrorFrame(messageId, error, this.version);
      this.#countValidationError(error.code, 'call');
      const sent = this.#send(frame);
      this.#inboundDone(span, label, receivedAt, sent ? 'error' : 'closed', frame[2]);
      return;
    }
    const exchange: InboundExchange = { messageId, action, receivedAt, abandoned: false };
    this.#inbound = exchange;
    // The exchange's span is the active context of its bus request and of every log line about it.
    void otelContext.with(withSpan(span), () => this.#forward(exchange, payload, span));
  }

  /** Asks the station's actor and writes its answer back. Never rejects. */
  async #forward(exchange: InboundExchange, payload: Record<string, unknown>, span: Span): Promise<void> {
    const { messageId, action, receivedAt } = exchange;
    const { stationId, edgeId, stationCallTimeoutMs } = this.#options;
    const call: InboundCall = {
      stationId,
      version: this.version,
      connectionId: this.connectionId,
      edgeId,
      messageId,
      action,
      payload,
      receivedAt: new Date().toISOString(),
    };
    let reply: Frame;
    // W3C trace context for the actor, which continues the trace (NATS carries it in message headers).
    const headers = { 'csms-station-id': stationId, ...traceHeaders(withSpan(span)) };
    try {
      const outcome = await this.#requestWithRetry(call, Date.now() + stationCallTimeoutMs, headers);
      reply = this.#replyFor(messageId, action, outcome);
    } catch (error: unknown) {
      this.#retryLog.notProcessed(this.#log, {
        messageId,
        action,
        failure: busFailure(error),
        ...errorFields(error),
      });
      reply = callErrorFrame(
        messageId,
        new OcppError('InternalError', INTERNAL_ERROR_DESCRIPTION),
        this.version,
      );
    } finally {
      if (this.#inbound === exchange) this.#inbound = undefined;
    }
    if (exchange.abandoned) {
      this.#log.info(
        { messageId, action },
        'answer to an abandoned CALL not sent (the station timed it out)',
      );
      this.#inboundDone(span, action, receivedAt, 'abandoned', undefined);
      this.#notifyIfIdle();
      return;
    }
    let sent = false;
    try {
      if (this.#closed) {
        this.#log.warn({ messageId, action }, 'socket closed before the answer could be sent');
      } else {
        sent = this.#send(reply);
      }
    } catch (error: unknown) {
      this.#log.error({ messageId, action, ...errorFields(error) }, 'failed to send the answer');
    }
    const answer = reply[0] === MessageTypeId.CALLERROR ? 'error' : 'result';
    this.#inboundDone(
      span,
      action,
      receivedAt,
      sent ? answer : 'closed',
      reply[0] === MessageTypeId.CALLERROR ? reply[2] : undefined,
    );
    this.#notifyIfIdle();
  }

  /** Records a station CALL's response time and count, and ends its span. */
  #inboundDone(
    span: Span,
    action: string,
    receivedAt: number,
    outcome: 'result' | 'error' | 'closed' | 'abandoned',
    errorCode: string | undefined,
  ): void {
    const { metrics } = this.#options;
    const version = this.version;
    if (outcome === 'result' || outcome === 'error') {
      metrics.ocppResponseSeconds.record(secondsSince(receivedAt), { action, version, outcome });
    }
    metrics.ocppCallsTotal.add(1, { action, version, direction: 'station', outcome });
    endOcppSpan(span, outcome, errorCode);
  }

  #startSpan(label: string, kind: SpanKind, messageId: string, action: string, parent: Context): Span {
    return csmsTracer().startSpan(
      `ocpp ${label}`,
      {
        kind,
        attributes: {
          ...ocppAttributes({ stationId: this.stationId, action, version: this.version, messageId }),
          'ocpp.direction': kind === SpanKind.SERVER ? 'station' : 'csms',
          'csms.connection_id': this.connectionId,
        },
      },
      parent,
    );
  }

  #countValidationError(code: OcppErrorCode, kind: 'call' | 'frame' | 'response'): void {
    this.#options.metrics.validationErrorsTotal.add(1, {
      code: versionedCode(this.version, code),
      kind,
      version: this.version,
    });
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
    const { bus, stationId, stationCallAttemptTimeoutMs, metrics } = this.#options;
    let backoffMs = 50;
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      const startedAt = performance.now();
      try {
        const reply = await bus.request<unknown>(Subjects.inboundCall(stationId), call, {
          timeoutMs: Math.max(1, Math.min(stationCallAttemptTimeoutMs, remaining)),
          headers,
        });
        metrics.busRequestSeconds.record(secondsSince(startedAt), { subject: 'ocpp.in', outcome: 'ok' });
        return reply;
      } catch (error: unknown) {
        metrics.busRequestSeconds.record(secondsSince(startedAt), {
          subject: 'ocpp.in',
          outcome: busFailure(error),
        });
        const retryable =
          error instanceof NoRespondersError ||
          error instanceof RequestTimeoutError ||
          error instanceof RemoteHandlerError;
        const left = deadline - Date.now();
        if (!retryable || this.#closed || left <= 0) throw error;
        metrics.stationCallRetriesTotal.add(1, { failure: busFailure(error) });
        if (attempt === 1) {
          this.#retryLog.retrying(this.#log, {
            messageId: call.messageId,
            action: call.action,
            failure: busFailure(error),
          });
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
    if (isResultOutcome(outcome)) {
      const violation = this.#options.validator.validateResponse(this.version, action, outcome.payload);
      if (violation === undefined) return [MessageTypeId.CALLRESULT, messageId, outcome.payload];
      // Our bug must not reach the station as invalid OCPP.
      this.#log.error(
        { messageId, action, code: violation.code, description: violation.description },
        'the actor answered with a payload that violates the response schema; sending InternalError',
      );
    } else if (isErrorOutcome(outcome)) {
      const error = new OcppError(outcome.code, outcome.description, outcome.details);
      // callErrorFrame spells the code for the version and truncates the description to 255 (part 4 §4.2.3).
      return callErrorFrame(messageId, error, this.version);
    } else {
      this.#log.error({ messageId, action }, 'the actor answered with a malformed CallOutcome');
    }
    return callErrorFrame(
      messageId,
      new OcppError('InternalError', INTERNAL_ERROR_DESCRIPTION),
      this.version,
    );
  }

  // ---------------------------------------------------------------------------------------------------------------
  // CSMS → station

  /** Bus handler of `Subjects.outboundCall`: resolves with how the CALL ended. */
  #onOutboundCall(message: BusMessage<unknown>): Promise<OutboundOutcome> {
    const call = message.data;
    if (!isOutboundCall(call)) {
      this.#log.error({}, 'malformed OutboundCall refused');
      return Promise.reject(new Error('malformed OutboundCall'));
    }
    const { validator } = this.#options;
    // A child of the actor's command span when the worker sent its trace context along.
    const span = this.#startSpan(
      validator.isKnownAction(this.version, call.action) ? call.action : 'unknown',
      SpanKind.CLIENT,
      call.messageId,
      call.action,
      contextFromHeaders(message.headers),
    );
    // The edge is the last check before the wire: a CALL the station would have to reject as invalid OCPP is a
    // CSMS bug, reported to the caller as a failed request rather than sent.
    const sender = validator.senderOf(this.version, call.action);
    const invalid =
      sender === undefined || sender === 'station'
        ? `${call.action} is not a CSMS-initiated action of ${this.version}`
        : validator.validateRequest(this.version, call.action, call.payload)?.description;
    if (invalid !== undefined) {
      this.#log.error(
        { messageId: call.messageId, action: call.action, invalid },
        'invalid OutboundCall refused',
      );
      endOcppSpan(span, 'failed');
      return Promise.reject(new Error(`invalid ${call.action} request: ${invalid}`));
    }
    const sent: QueuedCall['sent'] = { at: undefined };
    const finish = (outcome: OutboundOutcome): OutboundOutcome => {
      this.#outboundDone(span, call.action, sent.at, outcome);
      return outcome;
    };
    if (this.#closed || this.#closeRequest !== undefined || this.#draining) {
      return Promise.resolve(finish({ type: 'closed' }));
    }
    return new Promise<OutboundOutcome>((resolvePromise) => {
      const resolve = (outcome: OutboundOutcome): void => resolvePromise(finish(outcome));
      if (this.#outbound === undefined) {
        this.#sendOutbound({ call, resolve, sent });
      } else if (this.#queue.length < this.#options.maxQueuedCsmsCalls) {
        // One outstanding CALL per direction (OCPP-2.0.1 part 4 §4.1.1): wait behind the current one.
        this.#queue.push({ call, resolve, sent });
      } else {
        this.#log.warn({ messageId: call.messageId, action: call.action }, 'CSMS call queue full; refused');
        resolve({
          type: 'error',
          code: 'GenericError',
          description: 'Too many CSMS calls queued for this station',
          details: {},
        });
      }
    });
  }

  /** Records a CSMS CALL's outcome (and the station's answer time when it was sent) and ends its span. */
  #outboundDone(span: Span, action: string, sentAt: number | undefined, outcome: OutboundOutcome): void {
    const { metrics, validator } = this.#options;
    const version = this.version;
    const label = validator.isKnownAction(version, action) ? action : 'unknown';
    if (sentAt !== undefined && (outcome.type === 'result' || outcome.type === 'error')) {
      metrics.csmsCallSeconds.record(secondsSince(sentAt), { action: label, version, outcome: outcome.type });
    }
    metrics.ocppCallsTotal.add(1, { action: label, version, direction: 'csms', outcome: outcome.type });
    endOcppSpan(span, outcome.type, outcome.type === 'error' ? outcome.code : undefined);
  }

  #sendOutbound({ call, resolve, sent }: QueuedCall): void {
    sent.at = performance.now();
    const timeoutMs = Math.min(call.timeoutMs, MAX_OUTBOUND_TIMEOUT_MS);
    const timer = setTimeout(() => {
      this.#log.warn({ messageId: call.messageId, action: call.action, timeoutMs }, 'CSMS call timed out');
      this.#settleOutbound({ type: 'timeout' });
    }, timeoutMs);
    this.#outbound = { call, resolve, timer };
    const frame: CallFrame = [MessageTypeId.CALL, call.messageId, call.action, call.payload];
    if (!this.#send(frame)) this.#settleOutbound({ type: 'closed' });
  }

  /** Ends the outstanding CSMS CALL and sends the next queued one. */
  #settleOutbound(outcome: OutboundOutcome): void {
    const current = this.#outbound;
    if (current === undefined) return;
    clearTimeout(current.timer);
    this.#outbound = undefined;
    current.resolve(outcome);
    const next = this.#queue.shift();
    if (next !== undefined) {
      if (this.#closed || this.#closeRequest !== undefined) next.resolve({ type: 'closed' });
      else this.#sendOutbound(next);
    }
    this.#notifyIfIdle();
  }

  #onCallResult([, messageId, payload]: CallResultFrame): void {
    const pending = this.#outbound;
    if (pending === undefined || pending.call.messageId !== messageId) {
      // e.g. a late answer to a CALL that already timed out.
      this.#log.warn({ messageId }, 'CALLRESULT for an unknown message id dropped');
      return;
    }
    const violation = this.#options.validator.validateResponse(this.version, pending.call.action, payload);
    if (violation !== undefined) {
      this.#log.warn(
        { messageId, action: pending.call.action, code: violation.code, description: violation.description },
        'station answered with a payload that violates the response schema',
      );
      this.#countValidationError(violation.code, 'response');
      this.#settleOutbound({
        type: 'invalid-response',
        payload,
        code: violation.code,
        description: violation.description,
      });
      return;
    }
    this.#settleOutbound({ type: 'result', payload });
  }

  #onCallError([, messageId, errorCode, errorDescription, details]: CallErrorFrame): void {
    const pending = this.#outbound;
    if (pending === undefined || pending.call.messageId !== messageId) {
      this.#log.warn({ messageId, errorCode }, 'CALLERROR for an unknown message id dropped');
      return;
    }
    // A code outside the RPC framework tables is reported as GenericError, the original kept in the details.
    const known = KNOWN_ERROR_CODES.has(errorCode);
    this.#settleOutbound({
      type: 'error',
      code: known ? (errorCode as OcppErrorCode) : 'GenericError',
      description: errorDescription,
      details: known ? details : { ...details, stationErrorCode: errorCode },
    });
  }

  #onEvict(message: BusMessage<EvictRequest>): void {
    const request = message.data as Partial<EvictRequest> | undefined;
    if (request?.keepConnectionId === this.connectionId) return;
    const reason = typeof request?.reason === 'string' ? request.reason : 'evicted';
    this.#log.info({ keepConnectionId: request?.keepConnectionId, reason }, 'evicted');
    this.close(request?.keepConnectionId === undefined ? CloseCode.Evicted : CloseCode.Replaced, reason);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Plumbing

  /** Writes a frame; false when the socket is not open. Disconnects a station that does not read. */
  #send(frame: Frame): boolean {
    const ws = this.#ws;
    if (ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount > this.#options.maxBufferedBytes) {
      // The station does not read what we send: stop buffering for it (bounded memory per connection).
      this.#log.warn({ bufferedAmount: ws.bufferedAmount }, 'station is not reading; terminating');
      this.#closeRequest ??= { code: CloseCode.PolicyViolation, reason: 'send buffer full' };
      ws.terminate();
      return false;
    }
    ws.send(serializeFrame(frame));
    return true;
  }

  #track(subscription: Subscription): void {
    if (this.#closed) this.#unsubscribe(subscription);
    else this.#subscriptions.push(subscription);
  }

  #unsubscribe(subscription: Subscription): void {
    subscription.unsubscribe().catch((error: unknown) => {
      this.#log.warn({ subject: subscription.subject, ...errorFields(error) }, 'unsubscribe failed');
    });
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const reported = this.#closeRequest ?? { code, reason };
    this.#log.info({ closeCode: reported.code, reason: reported.reason }, 'disconnected');
    for (const subscription of this.#subscriptions.splice(0)) this.#unsubscribe(subscription);
    for (const queued of this.#queue.splice(0)) queued.resolve({ type: 'closed' });
    this.#settleOutbound({ type: 'closed' });
    this.#notifyIfIdle();
    void this.#publishDisconnected(reported.code, reported.reason);
  }

  async #publishDisconnected(closeCode: number, reason: string): Promise<void> {
    try {
      if (this.#connectedPublished) {
        await this.#options.bus.publish(
          Subjects.connection(this.stationId),
          this.#event('disconnected', closeCode, reason),
        );
      }
    } catch (error: unknown) {
      this.#log.error({ ...errorFields(error) }, 'could not publish the disconnected event');
    } finally {
      this.#resolveClosed();
      this.#options.onClosed(this);
    }
  }

  #event(type: ConnectionEvent['type'], closeCode?: number, reason?: string): ConnectionEvent {
    const { stationId, edgeId, remoteAddress } = this.#options;
    return {
      type,
      stationId,
      version: this.version,
      connectionId: this.connectionId,
      edgeId,
      securityProfile: this.securityProfile,
      at: new Date().toISOString(),
      ...(remoteAddress !== undefined ? { remoteAddress } : {}),
      ...(closeCode !== undefined ? { closeCode } : {}),
      ...(reason !== undefined ? { reason } : {}),
    };
  }

  #notifyIfIdle(): void {
    if (!this.idle && !this.#closed) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

function rawToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

/** A short classification of a failed bus request, for the log. */
function busFailure(error: unknown): string {
  if (error instanceof NoRespondersError) return 'no-responders';
  if (error instanceof RequestTimeoutError) return 'timeout';
  if (error instanceof RemoteHandlerError) return 'remote-error';
  return 'unknown';
}

/** `text` cut to at most `maxBytes` of UTF-8 without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}
