import type { BusMessage, ConnectionEvent, EvictRequest, OutboundOutcome, Subscription } from '@csms/bus';
import type { Bus, SecurityProfile } from '@csms/bus';
import { Subjects } from '@csms/bus';
import { MessageTypeId, callErrorFrame, parseFrame, serializeFrame } from '@csms/ocpp';
import type { Frame, NegotiableSubprotocol, OcppValidator } from '@csms/ocpp';
import type { CsmsMetrics } from '@csms/telemetry';
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from './close-codes.js';
import { countValidationError, type ConnectionLink } from './connection-link.js';
import { InboundExchanges } from './inbound-exchanges.js';
import { errorFields } from './logger.js';
import type { Logger } from './logger.js';
import { OutboundExchanges } from './outbound-exchanges.js';
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
   * (which lets it send the next, OCPP-J part 4 §4.1.1): the old one's answer is dropped. Sooner, the new CALL
   * waits behind it (see maxQueuedStationCalls).
   */
  readonly abandonInboundAfterMs: number;
  /** Station CALLs that may wait behind the one in flight (overlapping CALLs); beyond, they are refused. */
  readonly maxQueuedStationCalls: number;
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

/** Close reasons are at most 123 bytes (RFC 6455 §5.5: control frame payload ≤ 125, minus the code). */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * One station's WebSocket: OCPP-J RPC framing both ways, schema validation, and the bridge to the station's actor
 * over the bus. Station CALLs go to `Subjects.inboundCall(stationId)` (request/reply, {@link InboundExchanges});
 * CSMS CALLs arrive on `Subjects.outboundCall(stationId)` ({@link OutboundExchanges}). This class owns the socket:
 * framing, bus subscriptions, liveness, closing and the connection events. Everything it holds is bounded: one
 * station CALL in flight plus a short FIFO, one CSMS CALL in flight plus a short queue, and the socket's send buffer.
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
  readonly #link: ConnectionLink;
  readonly #inbound: InboundExchanges;
  readonly #outbound: OutboundExchanges;
  readonly #subscriptions: Subscription[] = [];
  readonly #idleWaiters: Array<() => void> = [];
  #resolveClosed: () => void = () => {};
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
    this.stationId = options.stationId;
    this.connectionId = options.connectionId;
    this.version = options.version;
    this.securityProfile = options.securityProfile;
    this.closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#link = this.#linkFor(options);
    this.#inbound = new InboundExchanges(this.#link, {
      stationCallTimeoutMs: options.stationCallTimeoutMs,
      stationCallAttemptTimeoutMs: options.stationCallAttemptTimeoutMs,
      abandonInboundAfterMs: options.abandonInboundAfterMs,
      maxQueuedStationCalls: options.maxQueuedStationCalls,
      retryLog: options.retryLog ?? new RetryLog(options.logger),
    });
    this.#outbound = new OutboundExchanges(this.#link, options.maxQueuedCsmsCalls);
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
    return !this.#inbound.busy && !this.#outbound.busy;
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
          this.#outbound.onOutboundCall(message),
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
    this.#outbound.drain();
  }

  /** Resolves when no exchange is in flight (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.idle || this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Frames

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
        countValidationError(this.#link, parsed.error.code, 'frame');
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
        this.#inbound.onCall(frame, receivedAt);
        return;
      case MessageTypeId.CALLRESULT:
        this.#outbound.onCallResult(frame);
        return;
      case MessageTypeId.CALLERROR:
        this.#outbound.onCallError(frame);
        return;
    }
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

  /** What the exchanges see of this connection. */
  #linkFor(options: StationConnectionOptions): ConnectionLink {
    return {
      stationId: options.stationId,
      connectionId: options.connectionId,
      version: options.version,
      edgeId: options.edgeId,
      bus: options.bus,
      validator: options.validator,
      metrics: options.metrics,
      log: options.logger,
      send: (frame) => this.#send(frame),
      isClosed: () => this.#closed,
      isClosing: () => this.#closed || this.#closeRequest !== undefined,
      isDraining: () => this.#draining,
      exchangeEnded: () => this.#notifyIfIdle(),
    };
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
    this.#outbound.closeAll();
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
