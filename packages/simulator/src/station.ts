import { createHash } from 'node:crypto';
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import { checkEndpoint, stationUrl } from './endpoint.js';
import { snapshotLedger, type LedgerTransaction, type MutableLedgerTransaction } from './ledger.js';
import { recordMs, type ActionMetrics } from './metrics.js';
import type {
  Connector,
  MessageKind,
  MeterSample,
  Outgoing,
  SimulatedVersion,
  Transaction,
} from './model.js';
import {
  bootResult,
  type BootReason,
  type ConnectorStatus,
  type Protocol,
  type StationControl,
  type StationSettings,
  type StopReason,
} from './protocol.js';
import { protocolV16 } from './protocol-v16.js';
import { protocolV201 } from './protocol-v201.js';
import { createStationContext, type StationContext } from './station-context.js';

/** The automatic transaction cycle and the shape of every transaction (remote-started ones included). */
export interface TransactionOptions {
  /** Run transactions by themselves: pause → Authorize → start → meter values → stop (default true). */
  readonly auto?: boolean;
  /** Interval between periodic meter values, ms (default 10,000). */
  readonly meterValueIntervalMs?: number;
  /** Periodic meter values before the transaction stops by itself (default 6; 0 = stop right after start). */
  readonly meterValuesPerTransaction?: number;
  /** Pause between the end of a transaction and the next Authorize, ms (default 10,000; jittered ±50%). */
  readonly pauseBetweenMs?: number;
  /** Automatic transactions per station at most (default unlimited). */
  readonly maxTransactions?: number;
  /** Charging power, W: how fast the energy register grows (default 11,000). */
  readonly powerW?: number;
}

export interface StationOptions {
  /** The OCPP identity: the last path segment of the connection URL, the Basic-auth user name. */
  readonly identity: string;
  readonly version: SimulatedVersion;
  /** CSMS endpoint without the identity, e.g. `ws://127.0.0.1:9000/ocpp`. */
  readonly url: string;
  /** Basic-auth password (Security Profile 1/2); none = no Authorization header. */
  readonly password?: string;
  /** Allow a non-loopback host (refused by default: this is a load generator). */
  readonly allowRemote?: boolean;
  /** PEM CA for `wss://` endpoints with a private CA. */
  readonly ca?: string | Buffer;
  /** Connectors (1.6) / EVSEs with one connector each (2.0.1), default 1. */
  readonly connectors?: number;
  /** Heartbeat interval, s, overriding the BootNotification answer (for load); 0 = no heartbeats. */
  readonly heartbeatIntervalSec?: number;
  /** How long a CALL waits for its answer, ms (default 30,000). */
  readonly callTimeoutMs?: number;
  /** Tokens the automatic cycle presents, round robin (default: one derived from the identity). */
  readonly idTokens?: readonly string[];
  readonly transaction?: TransactionOptions;
  /** Reconnect backoff: first delay, ms (default 1,000), doubled per failed attempt up to `reconnectMaxMs`. */
  readonly reconnectMinMs?: number;
  /** Reconnect backoff cap, ms (default 30,000). */
  readonly reconnectMaxMs?: number;
  /** Send BootNotification after every reconnect, not only at start and after Reset (default false). */
  readonly rebootOnReconnect?: boolean;
  /** Transmissions of a transaction message before it is given up on (default 10). */
  readonly transactionMessageAttempts?: number;
  /** Wait before a retry after a CALLERROR / timeout, ms, times the transmissions so far (default 1,000). */
  readonly transactionMessageRetryIntervalMs?: number;
  /** Transaction messages kept while offline (default 1,000; more are dropped and counted). */
  readonly maxQueuedTransactionMessages?: number;
}

/** Connection state of a station. */
export type StationState = 'idle' | 'connecting' | 'open' | 'closed' | 'stopped';

const MAX_QUEUED_MESSAGES = 64;
const MAX_RETRY_WAIT_MS = 60_000;
const MAX_PAYLOAD = 1024 * 1024;

/**
 * One simulated charging station speaking OCPP-J over its own `ws` socket (permessage-deflate off).
 *
 * - Connects with its version as the subprotocol (and Basic auth when it has a password), boots, reports
 *   its connectors' status, heartbeats, and runs transactions (see {@link TransactionOptions}).
 * - One CALL in flight at a time (OCPP-J). Transaction messages (1.6 §3.7: Start/StopTransaction and
 *   periodic MeterValues; 2.0.1: TransactionEvent) have their own ordered queue: after a timeout or a
 *   CALLERROR they are retried with the same message id and payload after a growing wait (1.6 §3.7.1,
 *   2.0.1 E13.FR.03); when the socket drops they are sent again once reconnected; after
 *   `transactionMessageAttempts` transmissions they are dropped. Other messages may overtake that queue
 *   (1.6 §3.7) and are dropped on timeout, CALLERROR or disconnection.
 * - Reconnects with exponential backoff and jitter whenever the socket closes, without booting again (a
 *   reconnect is not a reboot) unless `rebootOnReconnect` or a Reset asked for it.
 * - Answers CSMS-initiated CALLs at once (see `protocol-v16.ts`, `protocol-v201.ts`).
 * - Records response times in the fleet's histograms and what was acknowledged in its ledger.
 */
export class SimulatedStation implements StationControl {
  readonly identity: string;
  readonly version: SimulatedVersion;
  readonly connectors: readonly Connector[];
  readonly settings: StationSettings;

  readonly #ctx: StationContext;
  readonly #protocol: Protocol;
  readonly #url: string;
  readonly #wsOptions: ClientOptions;
  readonly #idTokens: readonly string[];
  readonly #auto: boolean;
  readonly #meterValuesPerTransaction: number;
  readonly #pauseBetweenMs: number;
  readonly #maxTransactions: number;
  readonly #powerW: number;
  readonly #heartbeatOverride: number | undefined;
  readonly #reconnectMinMs: number;
  readonly #reconnectMaxMs: number;
  readonly #rebootOnReconnect: boolean;
  readonly #maxQueuedTransactionMessages: number;

  #state: StationState = 'idle';
  #ws: WebSocket | undefined;
  #open = false;
  #everOpened = false;
  /** The simulator closes the socket itself (Reset, stop): not counted as a disconnect. */
  #selfClose = false;
  #reconnectAttempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #lastError: string | undefined;

  #registration: 'none' | 'Pending' | 'Rejected' | 'Accepted' = 'none';
  #needsBoot = true;
  #bootReason: BootReason = 'PowerUp';
  #bootQueued = false;
  #bootTimer: NodeJS.Timeout | undefined;
  #bootFailures = 0;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #heartbeatPending = false;

  /** Non-transaction CALLs waiting (few: heartbeat, statuses, Authorize, requested messages). */
  readonly #queue: Outgoing[] = [];
  /** Transaction messages in order; the head stays here while in flight or waiting for its retry. */
  readonly #txQueue: Outgoing[] = [];
  #inflight: Outgoing | undefined;
  #deadline = 0;
  #txRetryTimer: NodeJS.Timeout | undefined;
  #messageCounter = 0;

  readonly #ledger: MutableLedgerTransaction[] = [];
  #txCounter = 0;
  #tokenCursor = 0;
  #resetting = false;
  #resetWhenIdle: StopReason | undefined;
  /** performance.now() when the CSMS CALL being handled arrived (remote-start latency). */
  #callReceivedAt: number | undefined;

  #stopping = false;
  #stopPromise: Promise<void> | undefined;
  readonly #idleWaiters: (() => void)[] = [];
  readonly #bootWaiters: (() => void)[] = [];
  readonly #closeWaiters: (() => void)[] = [];

  constructor(options: StationOptions, context: StationContext = createStationContext()) {
    if (!/^[^:\s/]{1,48}$/.test(options.identity)) {
      throw new RangeError(
        `invalid station identity "${options.identity}": 1-48 characters, no ':', '/' or spaces`,
      );
    }
    this.identity = options.identity;
    this.version = options.version;
    this.#ctx = context;
    this.#protocol = options.version === 'ocpp1.6' ? protocolV16 : protocolV201;
    this.#url = stationUrl(checkEndpoint(options.url, options.allowRemote), options.identity);
    const callTimeoutMs = positive(options.callTimeoutMs ?? 30_000, 'callTimeoutMs');
    this.#wsOptions = {
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD,
      handshakeTimeout: callTimeoutMs,
      followRedirects: false,
      ...(options.password !== undefined
        ? {
            headers: {
              authorization: `Basic ${Buffer.from(`${options.identity}:${options.password}`).toString('base64')}`,
            },
          }
        : {}),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    };
    const tx = options.transaction ?? {};
    this.#auto = tx.auto ?? true;
    this.#meterValuesPerTransaction = nonNegative(
      tx.meterValuesPerTransaction ?? 6,
      'meterValuesPerTransaction',
    );
    this.#pauseBetweenMs = nonNegative(tx.pauseBetweenMs ?? 10_000, 'pauseBetweenMs');
    this.#maxTransactions = tx.maxTransactions ?? Number.POSITIVE_INFINITY;
    this.#powerW = positive(tx.powerW ?? 11_000, 'powerW');
    this.#heartbeatOverride = options.heartbeatIntervalSec;
    this.#reconnectMinMs = positive(options.reconnectMinMs ?? 1_000, 'reconnectMinMs');
    this.#reconnectMaxMs = Math.max(this.#reconnectMinMs, options.reconnectMaxMs ?? 30_000);
    this.#rebootOnReconnect = options.rebootOnReconnect ?? false;
    this.#maxQueuedTransactionMessages = positive(options.maxQueuedTransactionMessages ?? 1_000, 'maxQueued');
    this.settings = {
      heartbeatIntervalSec: options.heartbeatIntervalSec ?? 0,
      meterValueIntervalMs: positive(tx.meterValueIntervalMs ?? 10_000, 'meterValueIntervalMs'),
      transactionMessageAttempts: positive(
        options.transactionMessageAttempts ?? 10,
        'transactionMessageAttempts',
      ),
      transactionMessageRetryIntervalMs: nonNegative(
        options.transactionMessageRetryIntervalMs ?? 1_000,
        'transactionMessageRetryIntervalMs',
      ),
      callTimeoutMs,
    };
    this.#idTokens =
      options.idTokens !== undefined && options.idTokens.length > 0
        ? options.idTokens
        : [defaultIdToken(options.identity)];
    const count = positive(options.connectors ?? 1, 'connectors');
    // Registers start at a per-station value (data that looks like a real fleet); within a connector
    // every reading is distinct anyway because the register only grows.
    const base =
      1_000 +
      (Number.parseInt(createHash('sha1').update(options.identity).digest('hex').slice(0, 6), 16) % 100_000);
    this.connectors = Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      operative: true,
      pendingInoperative: false,
      tx: undefined,
      register: base,
      cycleTimer: undefined,
      authorizing: false,
    }));
  }

  // ---------------------------------------------------------------- public API

  /** Connection state. */
  get state(): StationState {
    return this.#state;
  }

  /** The socket is open. */
  get connected(): boolean {
    return this.#open;
  }

  /** The last BootNotification was Accepted. */
  get accepted(): boolean {
    return this.#registration === 'Accepted';
  }

  /** The last connection error (handshake refused, socket error), for diagnostics. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Connects (once); everything else follows by itself. */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#connect();
  }

  /** Resolves true once the station is Accepted, false after `timeoutMs` or when it stops. */
  whenAccepted(timeoutMs: number): Promise<boolean> {
    if (this.accepted) return Promise.resolve(true);
    if (this.#state === 'stopped') return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.#bootWaiters.indexOf(done);
        if (i >= 0) this.#bootWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(this.accepted);
      };
      this.#bootWaiters.push(done);
    });
  }

  /**
   * Starts a transaction now, without Authorize (as after a remote start or with a local cache), e.g. from
   * a test. Returns false when the connector is busy, inoperative or the station is not Accepted.
   */
  startTransaction(connectorId = 1, idToken?: string): boolean {
    const c = this.connectors.find((x) => x.id === connectorId);
    if (c === undefined || c.tx !== undefined || !c.operative || !this.accepted || this.#stopping)
      return false;
    this.#startTransaction(c, idToken ?? this.#nextToken(), 'ISO14443', 'Authorized', undefined, undefined);
    return true;
  }

  /** Stops the transaction on the connector (reason Local); false when there is none. */
  stopTransaction(connectorId = 1): boolean {
    const tx = this.connectors.find((x) => x.id === connectorId)?.tx;
    if (tx === undefined) return false;
    this.endTransaction(tx, 'Local');
    return true;
  }

  /** Drops the connection as a network failure would (no close handshake); the station reconnects. */
  dropConnection(): void {
    this.#ws?.terminate();
  }

  /** Snapshot of every transaction this station ran and what was acknowledged of it. */
  ledger(): LedgerTransaction[] {
    return this.#ledger.map(snapshotLedger);
  }

  /**
   * Graceful stop: no new transactions, running ones are stopped (reason Local), queued transaction
   * messages are delivered for at most `graceMs` (reconnecting if needed), then the socket is closed.
   */
  stop(graceMs = Math.max(5_000, 2 * this.settings.callTimeoutMs)): Promise<void> {
    this.#stopPromise ??= this.#stop(graceMs);
    return this.#stopPromise;
  }

  // ---------------------------------------------------------------- StationControl (protocols)

  setHeartbeatInterval(seconds: number): void {
    this.settings.heartbeatIntervalSec = seconds;
    if (this.accepted) this.#scheduleHeartbeat(false);
  }

  findTransaction(transactionId: string): Transaction | undefined {
    for (const c of this.connectors) {
      if (c.tx !== undefined && c.tx.record.transactionId === transactionId) return c.tx;
    }
    return undefined;
  }

  hasPendingTransactionMessages(transactionId?: string): boolean {
    if (transactionId === undefined) return this.#txQueue.length > 0;
    return this.#txQueue.some((e) => e.tx?.record.transactionId === transactionId);
  }

  freeConnector(): Connector | undefined {
    return this.connectors.find((c) => c.tx === undefined && c.operative);
  }

  remoteStart(
    connector: Connector,
    idToken: string,
    idTokenType: string,
    remoteStartId: number | undefined,
  ): void {
    if (connector.tx !== undefined || this.#stopping) return;
    const receivedAt = this.#callReceivedAt;
    this.#startTransaction(connector, idToken, idTokenType, 'RemoteStart', remoteStartId, receivedAt);
  }

  endTransaction(tx: Transaction, reason: StopReason): void {
    if (tx.ended) return;
    tx.ended = true;
    if (tx.meterTimer !== undefined) clearInterval(tx.meterTimer);
    tx.meterTimer = undefined;
    const c = tx.connector;
    c.register += 1; // the last reading of a session is always a new one
    const meter: MeterSample = {
      timestamp: new Date().toISOString(),
      valueWh: c.register,
      context: 'Transaction.End',
    };
    tx.record.stoppedAt = meter.timestamp;
    tx.record.meterStop = meter.valueWh;
    tx.record.stopReason = reason;
    this.#enqueueTransactional('stop', tx, meter, tx.nextSeqNo++, reason);
    c.tx = undefined;
    this.#ctx.metrics.transactionsStopped++;
    if (c.pendingInoperative) {
      c.pendingInoperative = false;
      c.operative = false;
    }
    this.#sendStatus(c.id, this.statusOf(c));
    if (this.#resetWhenIdle !== undefined && this.connectors.every((x) => x.tx === undefined)) {
      const why = this.#resetWhenIdle;
      this.#resetWhenIdle = undefined;
      this.reset(why, false);
      return;
    }
    this.#scheduleCycle(c, this.#jitter(this.#pauseBetweenMs));
  }

  reset(reason: StopReason, whenIdle: boolean): void {
    if (this.#stopping || this.#resetting) return;
    if (whenIdle && this.connectors.some((c) => c.tx !== undefined)) {
      this.#resetWhenIdle = reason;
      return;
    }
    this.#resetting = true;
    for (const c of this.connectors) {
      this.#clearCycle(c);
      if (c.tx !== undefined) this.endTransaction(c.tx, reason);
    }
    // Deliver the stops first (a real station would queue them across the reboot; this keeps them on the
    // connection that is known to work), then reconnect and boot with reason RemoteReset.
    void this.#whenIdle(this.settings.callTimeoutMs).then(() => {
      if (this.#stopping) return;
      this.#setRegistration('none');
      this.#needsBoot = true;
      this.#bootReason = 'RemoteReset';
      this.#resetting = false;
      if (this.#ws !== undefined) {
        this.#selfClose = true;
        this.#ws.close(1000, 'reset');
      }
    });
  }

  changeAvailability(targets: readonly Connector[], operative: boolean): void {
    for (const c of targets) {
      if (!operative && c.tx !== undefined) {
        c.pendingInoperative = true;
        continue;
      }
      c.pendingInoperative = false;
      const changed = c.operative !== operative;
      c.operative = operative;
      if (changed) this.#sendStatus(c.id, this.statusOf(c));
      if (operative && changed) this.#scheduleCycle(c, this.#jitter(this.#pauseBetweenMs));
    }
  }

  triggerBoot(): void {
    this.#bootReason = 'Triggered';
    this.#needsBoot = true;
    this.#queueBoot();
  }

  sendRequested(action: string, payload: Record<string, unknown>): void {
    this.#enqueue(this.#entry('notify', action, payload, undefined, true));
  }

  triggerTransactionEvent(tx: Transaction): void {
    if (tx.ended) return;
    const meter: MeterSample = {
      timestamp: new Date().toISOString(),
      valueWh: tx.connector.register,
      context: 'Trigger',
    };
    this.#enqueueTransactional('meter', tx, meter, tx.nextSeqNo++, 'Trigger');
  }

  statusOf(connector: Connector): ConnectorStatus {
    if (connector.tx !== undefined) return 'Occupied';
    return connector.operative ? 'Available' : 'Unavailable';
  }

  readMeter(connector: Connector): MeterSample {
    return { timestamp: new Date().toISOString(), valueWh: connector.register, context: 'Trigger' };
  }

  /** Timeout check, called by the fleet's sweeper while a CALL is in flight. */
  checkTimeout(now: number): void {
    const entry = this.#inflight;
    if (entry === undefined) {
      this.#ctx.timeouts.delete(this);
      return;
    }
    if (now < this.#deadline) return;
    this.#inflight = undefined;
    this.#ctx.timeouts.delete(this);
    this.#metricsOf(entry.action).timeouts++;
    this.#failed(entry, 'timeout');
    this.#pump();
  }

  // ---------------------------------------------------------------- connection

  #connect(): void {
    this.#reconnectTimer = undefined;
    if (this.#state === 'stopped') return;
    this.#state = 'connecting';
    void this.#ctx.gate.acquire().then(() => this.#openSocket());
  }

  #openSocket(): void {
    const gate = this.#ctx.gate;
    if (this.#state === 'stopped') {
      gate.release();
      return;
    }
    const metrics = this.#ctx.metrics;
    metrics.connectAttempts++;
    let released = false;
    const release = (): void => {
      if (!released) {
        released = true;
        gate.release();
      }
    };
    let opened = false;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.#url, this.version, this.#wsOptions);
    } catch (error) {
      release();
      metrics.connectFailures++;
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    ws.on('open', () => {
      opened = true;
      release();
      this.#onOpen(ws);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => this.#onMessage(data, isBinary, ws));
    ws.on('error', (error: Error) => {
      // A handshake the simulator aborts itself (stop) is not a failure of the CSMS.
      if (this.#state === 'stopped') return;
      this.#lastError = error.message;
      if (!opened) metrics.connectFailures++;
    });
    ws.on('close', () => {
      release();
      this.#onClose(ws);
    });
  }

  #onOpen(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    if (ws.protocol !== this.version) {
      // The CSMS did not select our subprotocol: OCPP-J says the station must not go on (part 4 §3.1.2).
      this.#lastError = `CSMS selected subprotocol "${ws.protocol}" instead of ${this.version}`;
      this.#ctx.metrics.connectFailures++;
      this.#selfClose = true;
      ws.close(1002, 'subprotocol not selected');
      return;
    }
    this.#open = true;
    this.#state = 'open';
    const metrics = this.#ctx.metrics;
    metrics.connectedDelta(1);
    if (this.#everOpened) metrics.reconnects++;
    this.#everOpened = true;
    this.#reconnectAttempt = 0;
    if (this.#needsBoot && this.#bootTimer === undefined) this.#queueBoot();
    this.#pump();
  }

  #onClose(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    this.#ws = undefined;
    const metrics = this.#ctx.metrics;
    if (this.#open) {
      this.#open = false;
      metrics.connectedDelta(-1);
      if (!this.#selfClose) metrics.disconnects++;
    }
    this.#selfClose = false;
    const entry = this.#inflight;
    if (entry !== undefined) {
      this.#inflight = undefined;
      this.#ctx.timeouts.delete(this);
      this.#failed(entry, 'closed');
    }
    // Heartbeats, statuses and Authorize requests are stale by the next connection: not kept.
    if (this.#queue.length > 0) {
      const stale = this.#queue.splice(0);
      for (const e of stale) {
        metrics.droppedMessages++;
        this.#notDelivered(e);
      }
    }
    if (this.#rebootOnReconnect) {
      this.#setRegistration('none');
      this.#needsBoot = true;
    }
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
    if (this.#state === 'stopped') return;
    this.#state = 'closed';
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#state === 'stopped' || this.#reconnectTimer !== undefined) return;
    this.#state = 'closed';
    // Exponential backoff with jitter in [delay/2, delay]: after a CSMS failover thousands of stations
    // reconnect, and synchronised retries would arrive as one wave per step.
    const delay = Math.min(
      this.#reconnectMaxMs,
      this.#reconnectMinMs * 2 ** Math.min(this.#reconnectAttempt, 20),
    );
    this.#reconnectAttempt++;
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay / 2 + Math.random() * (delay / 2));
  }

  // ---------------------------------------------------------------- boot and heartbeat

  #queueBoot(): void {
    if (this.#bootQueued || !this.#open) return;
    if (this.#bootTimer !== undefined) {
      clearTimeout(this.#bootTimer);
      this.#bootTimer = undefined;
    }
    this.#bootQueued = true;
    const entry = this.#entry(
      'boot',
      'BootNotification',
      this.#protocol.bootPayload(this, this.#bootReason),
      undefined,
      true,
    );
    // Before anything else that is waiting: nothing else may be sent until it is Accepted.
    this.#queue.unshift(entry);
    this.#pump();
  }

  #onBootAnswer(payload: Record<string, unknown>): void {
    this.#bootQueued = false;
    const { status, interval } = bootResult(payload);
    if (status === 'Accepted') {
      this.#bootFailures = 0;
      this.#needsBoot = false;
      this.#bootReason = 'PowerUp';
      this.#setRegistration('Accepted');
      this.settings.heartbeatIntervalSec = this.#heartbeatOverride ?? interval;
      this.#scheduleHeartbeat(true);
      // 1.6 §4.9: the status of connector 0 (the Charge Point) and of every connector after boot;
      // 2.0.1 B01.FR.05: a StatusNotification per connector.
      if (this.version === 'ocpp1.6') this.#sendStatus(0, 'Available');
      for (const c of this.connectors) {
        this.#sendStatus(c.id, this.statusOf(c));
        if (c.tx === undefined && !c.authorizing) this.#scheduleCycle(c, this.#jitter(this.#pauseBetweenMs));
      }
      for (const resolve of this.#bootWaiters.splice(0)) resolve();
      return;
    }
    // Pending / Rejected: boot again after `interval` (1.6 §4.2, 2.0.1 B02.FR.01 / B03.FR.01).
    this.#setRegistration(status === 'Pending' ? 'Pending' : 'Rejected');
    this.#armBootTimer(Math.max(1, interval) * 1000);
  }

  #armBootTimer(delayMs: number): void {
    if (this.#bootTimer !== undefined) clearTimeout(this.#bootTimer);
    this.#bootTimer = setTimeout(() => {
      this.#bootTimer = undefined;
      if (this.#needsBoot) this.#queueBoot();
    }, delayMs);
  }

  #setRegistration(next: 'none' | 'Pending' | 'Rejected' | 'Accepted'): void {
    const was = this.#registration === 'Accepted';
    this.#registration = next;
    const is = next === 'Accepted';
    if (was !== is) this.#ctx.metrics.booted += is ? 1 : -1;
    if (!is) {
      if (this.#heartbeatTimer !== undefined) clearTimeout(this.#heartbeatTimer);
      this.#heartbeatTimer = undefined;
    }
  }

  #scheduleHeartbeat(firstJittered: boolean): void {
    if (this.#heartbeatTimer !== undefined) clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    const intervalMs = this.settings.heartbeatIntervalSec * 1000;
    if (intervalMs <= 0 || this.#stopping) return;
    // The first heartbeat at a random point of the interval: a fleet booted at once would otherwise
    // heartbeat in lockstep forever.
    const first = firstJittered ? Math.random() * intervalMs : intervalMs;
    this.#heartbeatTimer = setTimeout(() => {
      this.#heartbeatTimer = setInterval(() => this.#heartbeat(), intervalMs);
      this.#heartbeat();
    }, first);
  }

  #heartbeat(): void {
    if (!this.#open || !this.accepted || this.#heartbeatPending) return;
    this.#heartbeatPending = true;
    this.#enqueue(this.#entry('heartbeat', 'Heartbeat', {}, undefined, false));
  }

  #sendStatus(connectorId: number, status: ConnectorStatus): void {
    this.#enqueue(
      this.#entry(
        'status',
        'StatusNotification',
        this.#protocol.statusPayload(connectorId, status),
        undefined,
        false,
      ),
    );
  }

  // ---------------------------------------------------------------- transactions

  #scheduleCycle(c: Connector, delayMs: number): void {
    if (!this.#auto || this.#stopping || this.#resetting) return;
    // The automatic cycle runs on the first connector; the others are free for remote starts.
    if (c.id !== 1) return;
    this.#clearCycle(c);
    c.cycleTimer = setTimeout(() => this.#cycle(c), delayMs);
  }

  #clearCycle(c: Connector): void {
    if (c.cycleTimer !== undefined) clearTimeout(c.cycleTimer);
    c.cycleTimer = undefined;
  }

  #cycle(c: Connector): void {
    c.cycleTimer = undefined;
    if (this.#stopping || this.#resetting || c.tx !== undefined || c.authorizing) return;
    if (this.#txCounter >= this.#maxTransactions) return;
    if (!this.#open || !this.accepted || !c.operative) {
      // Try again later (offline, Pending, or made Inoperative).
      this.#scheduleCycle(c, Math.max(1_000, this.#jitter(this.#pauseBetweenMs)));
      return;
    }
    const token = this.#nextToken();
    c.authorizing = true;
    this.#enqueue(
      this.#entry('authorize', 'Authorize', this.#protocol.authorizePayload(token), c, false, token),
    );
  }

  #onAuthorizeAnswer(entry: Outgoing, payload: Record<string, unknown>): void {
    const c = entry.connector;
    if (c === undefined) return;
    c.authorizing = false;
    const status = this.#protocol.authorizeStatus(payload);
    if (status === 'Accepted' && c.tx === undefined && c.operative && !this.#stopping && !this.#resetting) {
      this.#startTransaction(
        c,
        entry.detail ?? this.#nextToken(),
        'ISO14443',
        'Authorized',
        undefined,
        undefined,
      );
      return;
    }
    if (status !== 'Accepted') this.#ctx.metrics.authorizeRejected++;
    this.#scheduleCycle(c, this.#jitter(this.#pauseBetweenMs));
  }

  #startTransaction(
    c: Connector,
    idToken: string,
    idTokenType: string,
    trigger: 'Authorized' | 'RemoteStart',
    remoteStartId: number | undefined,
    remoteReceivedAt: number | undefined,
  ): void {
    this.#clearCycle(c);
    this.#txCounter++;
    const localId = `${this.#ctx.runTag}-${this.#txCounter.toString(36)}`;
    const meter: MeterSample = {
      timestamp: new Date().toISOString(),
      valueWh: c.register,
      context: 'Transaction.Begin',
    };
    const record: MutableLedgerTransaction = {
      stationId: this.identity,
      version: this.version,
      transactionId: this.version === 'ocpp2.0.1' ? localId : undefined,
      localId,
      connectorId: c.id,
      idToken,
      remoteStartId,
      startedAt: meter.timestamp,
      meterStart: meter.valueWh,
      startAcknowledged: false,
      startStatus: undefined,
      stoppedAt: undefined,
      meterStop: undefined,
      stopReason: undefined,
      stopAcknowledged: false,
      meterValues: [],
      droppedMessages: 0,
      pendingMessages: 0,
    };
    this.#ledger.push(record);
    const tx: Transaction = {
      record,
      connector: c,
      idToken,
      idTokenType,
      remoteStartId,
      remoteReceivedAt,
      nextSeqNo: 0,
      meterCount: 0,
      meterTimer: undefined,
      ended: false,
      abandoned: false,
    };
    c.tx = tx;
    this.#ctx.metrics.transactionsStarted++;
    this.#enqueueTransactional('start', tx, meter, tx.nextSeqNo++, trigger);
    this.#sendStatus(c.id, 'Occupied');
    if (this.#meterValuesPerTransaction === 0) {
      this.endTransaction(tx, 'Local');
      return;
    }
    tx.meterTimer = setInterval(() => this.#meterTick(tx), this.settings.meterValueIntervalMs);
  }

  #meterTick(tx: Transaction): void {
    if (tx.ended) return;
    const c = tx.connector;
    // Energy of one interval at the configured power; at least 1 Wh so that every reading is new.
    c.register += Math.max(1, Math.round((this.#powerW * this.settings.meterValueIntervalMs) / 3_600_000));
    tx.meterCount++;
    const meter: MeterSample = {
      timestamp: new Date().toISOString(),
      valueWh: c.register,
      context: 'Sample.Periodic',
    };
    this.#enqueueTransactional('meter', tx, meter, tx.nextSeqNo++, undefined);
    if (tx.meterCount >= this.#meterValuesPerTransaction) this.endTransaction(tx, 'Local');
  }

  #nextToken(): string {
    const token = this.#idTokens[this.#tokenCursor % this.#idTokens.length] ?? defaultIdToken(this.identity);
    this.#tokenCursor++;
    return token;
  }

  #jitter(ms: number): number {
    return ms * (0.5 + Math.random());
  }

  // ---------------------------------------------------------------- outgoing CALLs

  #entry(
    kind: MessageKind,
    action: string,
    payload: Record<string, unknown> | undefined,
    connector: Connector | undefined,
    beforeAccepted: boolean,
    detail?: string,
  ): Outgoing {
    return {
      kind,
      action,
      payload,
      messageId: undefined,
      transactional: false,
      beforeAccepted,
      attempts: 0,
      sentAt: 0,
      connector,
      tx: undefined,
      meter: undefined,
      seqNo: 0,
      offline: false,
      detail,
    };
  }

  /** Queues a non-transaction CALL; offline it is dropped (such messages are not kept, 1.6 §3.7). */
  #enqueue(entry: Outgoing): void {
    if (!this.#open || this.#queue.length >= MAX_QUEUED_MESSAGES) {
      this.#ctx.metrics.droppedMessages++;
      this.#notDelivered(entry);
      return;
    }
    this.#queue.push(entry);
    this.#pump();
  }

  #enqueueTransactional(
    kind: 'start' | 'meter' | 'stop',
    tx: Transaction,
    meter: MeterSample,
    seqNo: number,
    detail: string | undefined,
  ): void {
    const action =
      kind === 'start'
        ? this.#protocol.startAction
        : kind === 'meter'
          ? this.#protocol.meterAction
          : this.#protocol.stopAction;
    const entry: Outgoing = {
      kind,
      action,
      payload: undefined,
      messageId: undefined,
      transactional: true,
      beforeAccepted: false,
      attempts: 0,
      sentAt: 0,
      connector: tx.connector,
      tx,
      meter,
      seqNo,
      offline: !this.#open,
      detail,
    };
    if (this.#txQueue.length >= this.#maxQueuedTransactionMessages) {
      // Memory stays bounded during a long outage; the loss is visible in the ledger and the stats.
      this.#ctx.metrics.droppedTransactionMessages++;
      tx.record.droppedMessages++;
      if (kind === 'start') tx.abandoned = true;
      return;
    }
    tx.record.pendingMessages++;
    this.#txQueue.push(entry);
    this.#pump();
  }

  /** Sends the next CALL if none is in flight. */
  #pump(): void {
    if (this.#inflight !== undefined || !this.#open) return;
    const accepted = this.accepted;
    // Non-transaction messages first: 1.6 §3.7 lets them overtake queued transaction messages "so that
    // customers are not kept waiting". Before Accepted only BootNotification and requested messages go.
    if (this.#queue.length > 0) {
      const i = accepted ? 0 : this.#queue.findIndex((e) => e.beforeAccepted);
      if (i >= 0) {
        const [entry] = this.#queue.splice(i, 1);
        if (entry !== undefined) {
          this.#transmit(entry);
          return;
        }
      }
    }
    if (accepted && this.#txRetryTimer === undefined) {
      while (this.#txQueue.length > 0) {
        const head = this.#txQueue[0];
        if (head === undefined) break;
        if (head.payload === undefined) {
          const payload = head.tx?.abandoned ? undefined : this.#protocol.transactionPayload(head);
          if (payload === undefined) {
            this.#dropTransactional(head);
            continue;
          }
          head.payload = payload;
        }
        this.#transmit(head);
        return;
      }
    }
    if (this.#txQueue.length === 0 && this.#queue.length === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  #transmit(entry: Outgoing): void {
    const ws = this.#ws;
    if (ws === undefined) return;
    entry.messageId ??= this.#nextMessageId();
    // Built by concatenation: the id and action are plain ASCII of our own, only the payload needs JSON.
    const text = `[2,"${entry.messageId}","${entry.action}",${JSON.stringify(entry.payload ?? {})}]`;
    entry.attempts++;
    const now = performance.now();
    entry.sentAt = now;
    this.#inflight = entry;
    this.#deadline = now + this.settings.callTimeoutMs;
    this.#ctx.timeouts.add(this);
    const metrics = this.#ctx.metrics;
    this.#metricsOf(entry.action).sent++;
    metrics.sent++;
    if (entry.attempts > 1) metrics.retried++;
    else if (entry.kind === 'start' && entry.tx?.remoteReceivedAt !== undefined) {
      recordMs(metrics.remoteStart[this.version], now - entry.tx.remoteReceivedAt);
    }
    ws.send(text);
  }

  #nextMessageId(): string {
    this.#messageCounter++;
    return `${this.#ctx.runTag}${this.#messageCounter.toString(36)}`;
  }

  #metricsOf(action: string): ActionMetrics {
    return this.#ctx.metrics.action(this.version, action);
  }

  /** A CALL failed: retried later (transaction messages) or dropped. */
  #failed(entry: Outgoing, why: 'error' | 'timeout' | 'closed'): void {
    if (!entry.transactional) {
      this.#ctx.metrics.droppedMessages++;
      this.#notDelivered(entry);
      return;
    }
    if (entry.attempts >= this.settings.transactionMessageAttempts) {
      this.#dropTransactional(entry);
      return;
    }
    // After a drop the message goes again as soon as the socket is back; after a failure to process
    // (CALLERROR, no answer) it waits RetryInterval × transmissions so far (1.6 §3.7.1, 2.0.1 E13.FR.03).
    if (why === 'closed') return;
    const wait = Math.min(
      MAX_RETRY_WAIT_MS,
      this.settings.transactionMessageRetryIntervalMs * entry.attempts,
    );
    this.#txRetryTimer = setTimeout(() => {
      this.#txRetryTimer = undefined;
      this.#pump();
    }, wait);
  }

  #dropTransactional(entry: Outgoing): void {
    const i = this.#txQueue.indexOf(entry);
    if (i >= 0) this.#txQueue.splice(i, 1);
    this.#ctx.metrics.droppedTransactionMessages++;
    const tx = entry.tx;
    if (tx === undefined) return;
    tx.record.droppedMessages++;
    tx.record.pendingMessages--;
    // 1.6: without StartTransaction.conf the transactionId is unknown; its other messages cannot be sent.
    if (entry.kind === 'start' && this.version === 'ocpp1.6') tx.abandoned = true;
  }

  /** Bookkeeping for a non-transaction message that will not be answered. */
  #notDelivered(entry: Outgoing): void {
    switch (entry.kind) {
      case 'boot':
        this.#bootQueued = false;
        // No answer (timeout, CALLERROR, socket closed): boot again after a growing wait, or at reconnect.
        if (this.#open) {
          this.#bootFailures++;
          this.#armBootTimer(
            Math.min(this.#reconnectMaxMs, this.#reconnectMinMs * 2 ** Math.min(this.#bootFailures, 10)),
          );
        }
        break;
      case 'heartbeat':
        this.#heartbeatPending = false;
        break;
      case 'authorize':
        if (entry.connector !== undefined) {
          entry.connector.authorizing = false;
          this.#scheduleCycle(entry.connector, this.#jitter(this.#pauseBetweenMs));
        }
        break;
      case 'status':
      case 'notify':
      case 'start':
      case 'meter':
      case 'stop':
        break;
    }
  }

  // ---------------------------------------------------------------- incoming frames

  #onMessage(data: RawData, isBinary: boolean, ws: WebSocket): void {
    if (ws !== this.#ws) return;
    const metrics = this.#ctx.metrics;
    metrics.received++;
    let frame: unknown;
    try {
      if (isBinary) throw new Error('binary frame');
      frame = JSON.parse(rawText(data));
    } catch {
      metrics.invalidFrames++;
      return;
    }
    if (!Array.isArray(frame) || typeof frame[1] !== 'string') {
      metrics.invalidFrames++;
      return;
    }
    const id = frame[1];
    switch (frame[0]) {
      case 2:
        this.#onCall(id, frame[2], frame[3]);
        return;
      case 3:
        this.#onCallResult(id, frame[2]);
        return;
      case 4:
        this.#onCallError(id, frame[2]);
        return;
      default:
        metrics.invalidFrames++;
    }
  }

  #onCallResult(id: string, rawPayload: unknown): void {
    const payload = isRecord(rawPayload) ? rawPayload : {};
    const entry = this.#inflight;
    if (entry !== undefined && entry.messageId === id) {
      this.#answered(entry);
      this.#acknowledged(entry, payload);
    } else {
      const head = this.#txQueue[0];
      if (head !== undefined && head !== entry && head.messageId === id) {
        // A late answer to a transaction message waiting for its retry: the retry would carry the same
        // id and payload, so this answer acknowledges it.
        if (this.#txRetryTimer !== undefined) clearTimeout(this.#txRetryTimer);
        this.#txRetryTimer = undefined;
        this.#acknowledged(head, payload);
      } else {
        this.#ctx.metrics.lateResponses++;
        return;
      }
    }
    this.#pump();
  }

  #onCallError(id: string, code: unknown): void {
    const entry = this.#inflight;
    if (entry === undefined || entry.messageId !== id) {
      this.#ctx.metrics.lateResponses++;
      return;
    }
    this.#answered(entry);
    this.#ctx.metrics.callError(typeof code === 'string' ? code : 'invalid');
    this.#metricsOf(entry.action).errors++;
    this.#failed(entry, 'error');
    this.#pump();
  }

  /** The in-flight CALL got an answer: record its response time. */
  #answered(entry: Outgoing): void {
    this.#inflight = undefined;
    this.#ctx.timeouts.delete(this);
    recordMs(this.#metricsOf(entry.action).histogram, performance.now() - entry.sentAt);
  }

  /** A CALLRESULT for `entry`. */
  #acknowledged(entry: Outgoing, payload: Record<string, unknown>): void {
    if (entry.transactional) {
      const i = this.#txQueue.indexOf(entry);
      if (i >= 0) this.#txQueue.splice(i, 1);
    }
    const tx = entry.tx;
    const metrics = this.#ctx.metrics;
    switch (entry.kind) {
      case 'boot':
        this.#onBootAnswer(payload);
        return;
      case 'heartbeat':
        this.#heartbeatPending = false;
        return;
      case 'authorize':
        this.#onAuthorizeAnswer(entry, payload);
        return;
      case 'status':
      case 'notify':
        return;
      case 'start': {
        if (tx === undefined) return;
        tx.record.pendingMessages--;
        tx.record.startAcknowledged = true;
        metrics.startsAcknowledged++;
        const { transactionId, status } = this.#protocol.startResult(payload);
        if (this.version === 'ocpp1.6') tx.record.transactionId = transactionId;
        tx.record.startStatus = status;
        this.#recordMeter(entry);
        // 1.6 §4.8 (StopTransactionOnInvalidId) / 2.0.1 E05: a token the CSMS does not accept ends it.
        if (status !== undefined && status !== 'Accepted' && !tx.ended)
          this.endTransaction(tx, 'DeAuthorized');
        return;
      }
      case 'meter':
        if (tx === undefined) return;
        tx.record.pendingMessages--;
        this.#recordMeter(entry);
        return;
      case 'stop':
        if (tx === undefined) return;
        tx.record.pendingMessages--;
        tx.record.stopAcknowledged = true;
        metrics.stopsAcknowledged++;
        this.#recordMeter(entry);
        return;
    }
  }

  /** Adds the acknowledged reading to the ledger when the CSMS stores it as a meter value. */
  #recordMeter(entry: Outgoing): void {
    const tx = entry.tx;
    const meter = entry.meter;
    if (tx === undefined || meter === undefined) return;
    // 1.6 StartTransaction/StopTransaction carry meterStart/meterStop, not sampled values.
    if (this.version === 'ocpp1.6' && entry.kind !== 'meter') return;
    tx.record.meterValues.push({
      timestamp: meter.timestamp,
      valueWh: meter.valueWh,
      context: meter.context,
      action: this.version === 'ocpp1.6' ? 'MeterValues' : 'TransactionEvent',
      seqNo: this.version === 'ocpp1.6' ? undefined : entry.seqNo,
    });
  }

  #onCall(id: string, action: unknown, rawPayload: unknown): void {
    const ws = this.#ws;
    if (ws === undefined) return;
    if (typeof action !== 'string' || !isRecord(rawPayload)) {
      const code = this.version === 'ocpp1.6' ? 'FormationViolation' : 'RpcFrameworkError';
      ws.send(`[4,${JSON.stringify(id)},"${code}","Invalid CALL",{}]`);
      return;
    }
    this.#ctx.metrics.csmsCall(this.version, action);
    this.#callReceivedAt = performance.now();
    let answer;
    try {
      answer = this.#protocol.handleCall(this, action, rawPayload);
    } catch (error) {
      answer = {
        error: 'InternalError',
        description: error instanceof Error ? error.message : String(error),
      };
    }
    if ('error' in answer) {
      ws.send(
        `[4,${JSON.stringify(id)},"${answer.error}",${JSON.stringify(answer.description.slice(0, 255))},{}]`,
      );
    } else {
      ws.send(`[3,${JSON.stringify(id)},${JSON.stringify(answer.result)}]`);
      try {
        answer.after?.();
      } catch (error) {
        // Never let a follow-up action escape into ws's message dispatch (it would crash the process).
        this.#lastError = error instanceof Error ? error.message : String(error);
      }
    }
    this.#callReceivedAt = undefined;
  }

  // ---------------------------------------------------------------- stop

  #whenIdle(timeoutMs: number): Promise<void> {
    if (this.#txQueue.length === 0 && this.#queue.length === 0 && this.#inflight === undefined) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.#idleWaiters;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  async #stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#resetWhenIdle = undefined;
    for (const c of this.connectors) {
      this.#clearCycle(c);
      if (c.tx !== undefined) this.endTransaction(c.tx, 'Local');
    }
    if (this.#everOpened || this.#open) await this.#whenIdle(graceMs);
    this.#state = 'stopped';
    for (const timer of [this.#reconnectTimer, this.#bootTimer, this.#heartbeatTimer, this.#txRetryTimer]) {
      if (timer !== undefined) clearTimeout(timer);
    }
    this.#reconnectTimer = this.#bootTimer = this.#heartbeatTimer = this.#txRetryTimer = undefined;
    for (const c of this.connectors) {
      if (c.tx?.meterTimer !== undefined) clearInterval(c.tx.meterTimer);
    }
    // Whatever is still queued will never be delivered: count it.
    for (const entry of this.#txQueue.splice(0)) {
      this.#ctx.metrics.droppedTransactionMessages++;
      if (entry.tx !== undefined) {
        entry.tx.record.droppedMessages++;
        entry.tx.record.pendingMessages--;
      }
    }
    this.#inflight = undefined;
    this.#ctx.timeouts.delete(this);
    for (const resolve of this.#bootWaiters.splice(0)) resolve();
    const ws = this.#ws;
    if (ws !== undefined) {
      const closed = new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
      this.#selfClose = true;
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'simulator stopped');
      // A CSMS that never completes the close handshake does not hold the stop up.
      const timer = setTimeout(() => ws.terminate(), 2_000);
      await closed;
      clearTimeout(timer);
    }
  }
}

/**
 * The token a station presents by default: its identity when that fits a 1.6 idTag (CiString20), else a
 * 20-character digest of it. One token per station: a token shared by stations would be ConcurrentTx.
 */
export function defaultIdToken(identity: string): string {
  if (identity.length <= 20) return identity;
  return createHash('sha1').update(identity).digest('hex').slice(0, 20).toUpperCase();
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be > 0, got ${value}`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be >= 0, got ${value}`);
  return value;
}
