import { CallExchange, callEntry } from './call-exchange.js';
import { answerCall, dispatchFrame } from './incoming-frames.js';
import type { LedgerTransaction } from './ledger.js';
import type { Connector, MeterSample, Outgoing, SimulatedVersion, Transaction } from './model.js';
import type { ConnectorStatus, Protocol, StationControl, StationSettings, StopReason } from './protocol.js';
import { protocolV16 } from './protocol-v16.js';
import { protocolV201 } from './protocol-v201.js';
import { Registration } from './registration.js';
import { createStationContext, type StationContext } from './station-context.js';
import { StationLink } from './station-link.js';
import {
  createConnectors,
  resolveStationConfig,
  type StationConfig,
  type StationOptions,
  type StationState,
} from './station-options.js';
import { StationTransactions } from './station-transactions.js';

export { defaultIdToken } from './station-options.js';
export type { StationOptions, StationState, TransactionOptions } from './station-options.js';

/**
 * One simulated charging station speaking OCPP-J over its own `ws` socket (permessage-deflate off).
 *
 * - Connects with its version as the subprotocol (and Basic auth when it has a password), boots, reports
 *   its connectors' status, heartbeats, and runs transactions (see `TransactionOptions`).
 * - One CALL in flight at a time; transaction messages are queued in order and retried (`call-exchange.ts`).
 * - Reconnects with exponential backoff and jitter whenever the socket closes (`station-link.ts`), without
 *   booting again (a reconnect is not a reboot) unless `rebootOnReconnect` or a Reset asked for it
 *   (`registration.ts`).
 * - Answers CSMS-initiated CALLs at once (see `protocol-v16.ts`, `protocol-v201.ts`).
 * - Records response times in the fleet's histograms and what was acknowledged in its ledger
 *   (`station-transactions.ts`).
 *
 * This class wires those parts together and is the {@link StationControl} the protocols act on.
 */
export class SimulatedStation implements StationControl {
  readonly identity: string;
  readonly version: SimulatedVersion;
  readonly connectors: readonly Connector[];
  readonly settings: StationSettings;

  readonly #ctx: StationContext;
  readonly #protocol: Protocol;
  readonly #link: StationLink;
  readonly #exchange: CallExchange;
  readonly #registration: Registration;
  readonly #transactions: StationTransactions;

  #resetting = false;
  #resetWhenIdle: StopReason | undefined;
  /** performance.now() when the CSMS CALL being handled arrived (remote-start latency). */
  #callReceivedAt: number | undefined;
  #stopping = false;
  #stopPromise: Promise<void> | undefined;

  constructor(options: StationOptions, context: StationContext = createStationContext()) {
    const config = resolveStationConfig(options);
    this.identity = options.identity;
    this.version = options.version;
    this.#ctx = context;
    this.#protocol = options.version === 'ocpp1.6' ? protocolV16 : protocolV201;
    this.settings = config.settings;
    this.connectors = createConnectors(options.identity, config.connectors);
    this.#link = this.#createLink(config);
    this.#exchange = this.#createExchange(config);
    this.#registration = this.#createRegistration(config);
    this.#transactions = this.#createTransactions(config);
  }

  // ---------------------------------------------------------------- public API

  /** Connection state. */
  get state(): StationState {
    return this.#link.state;
  }

  /** The socket is open. */
  get connected(): boolean {
    return this.#link.open;
  }

  /** The last BootNotification was Accepted. */
  get accepted(): boolean {
    return this.#registration.accepted;
  }

  /** The last connection error (handshake refused, socket error), for diagnostics. */
  get lastError(): string | undefined {
    return this.#link.lastError;
  }

  /** Connects (once); everything else follows by itself. */
  start(): void {
    if (this.#link.state !== 'idle') return;
    this.#link.connect();
  }

  /** Resolves true once the station is Accepted, false after `timeoutMs` or when it stops. */
  whenAccepted(timeoutMs: number): Promise<boolean> {
    if (this.accepted) return Promise.resolve(true);
    if (this.#link.state === 'stopped') return Promise.resolve(false);
    return this.#registration.whenAccepted(timeoutMs);
  }

  /**
   * Starts a transaction now, without Authorize (as after a remote start or with a local cache), e.g. from
   * a test. Returns false when the connector is busy, inoperative or the station is not Accepted.
   */
  startTransaction(connectorId = 1, idToken?: string): boolean {
    const c = this.connectors.find((x) => x.id === connectorId);
    if (c === undefined || c.tx !== undefined || !c.operative || !this.accepted || this.#stopping)
      return false;
    this.#transactions.start(c, {
      idToken: idToken ?? this.#transactions.nextToken(),
      idTokenType: 'ISO14443',
      trigger: 'Authorized',
      remoteStartId: undefined,
      remoteReceivedAt: undefined,
    });
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
    this.#link.terminate();
  }

  /** Snapshot of every transaction this station ran and what was acknowledged of it. */
  ledger(): LedgerTransaction[] {
    return this.#transactions.ledger();
  }

  /**
   * Graceful stop: no new transactions, running ones are stopped (reason Local), queued transaction
   * messages are delivered for at most `graceMs` (reconnecting if needed), then the socket is closed.
   */
  stop(graceMs = Math.max(5_000, 2 * this.settings.callTimeoutMs)): Promise<void> {
    this.#stopPromise ??= this.#stop(graceMs);
    return this.#stopPromise;
  }

  /** Timeout check of the CALL in flight (the fleet's sweeper calls the exchange directly). */
  checkTimeout(now: number): void {
    this.#exchange.checkTimeout(now);
  }

  // ---------------------------------------------------------------- StationControl (protocols)

  setHeartbeatInterval(seconds: number): void {
    this.settings.heartbeatIntervalSec = seconds;
    if (this.accepted) this.#registration.scheduleHeartbeat(false);
  }

  findTransaction(transactionId: string): Transaction | undefined {
    for (const c of this.connectors) {
      if (c.tx !== undefined && c.tx.record.transactionId === transactionId) return c.tx;
    }
    return undefined;
  }

  hasPendingTransactionMessages(transactionId?: string): boolean {
    return this.#exchange.hasPendingTransactionMessages(transactionId);
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
    const remoteReceivedAt = this.#callReceivedAt;
    this.#transactions.start(connector, {
      idToken,
      idTokenType,
      trigger: 'RemoteStart',
      remoteStartId,
      remoteReceivedAt,
    });
  }

  endTransaction(tx: Transaction, reason: StopReason): void {
    this.#transactions.end(tx, reason);
  }

  reset(reason: StopReason, whenIdle: boolean): void {
    if (this.#stopping || this.#resetting) return;
    if (whenIdle && this.connectors.some((c) => c.tx !== undefined)) {
      this.#resetWhenIdle = reason;
      return;
    }
    this.#resetting = true;
    for (const c of this.connectors) {
      this.#transactions.clearCycle(c);
      if (c.tx !== undefined) this.endTransaction(c.tx, reason);
    }
    // Deliver the stops first (a real station would queue them across the reboot; this keeps them on the
    // connection that is known to work), then reconnect and boot with reason RemoteReset.
    void this.#exchange.whenIdle(this.settings.callTimeoutMs).then(() => {
      if (this.#stopping) return;
      this.#registration.requireBoot('RemoteReset');
      this.#resetting = false;
      this.#link.close(1000, 'reset');
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
      if (operative && changed) this.#transactions.scheduleCycle(c, this.#transactions.pause());
    }
  }

  triggerBoot(): void {
    this.#registration.trigger();
  }

  sendRequested(action: string, payload: Record<string, unknown>): void {
    this.#exchange.enqueue(callEntry('notify', action, payload, undefined, true));
  }

  triggerTransactionEvent(tx: Transaction): void {
    if (tx.ended) return;
    const meter: MeterSample = {
      timestamp: new Date().toISOString(),
      valueWh: tx.connector.register,
      context: 'Trigger',
    };
    this.#exchange.enqueueTransactional('meter', tx, meter, tx.nextSeqNo++, 'Trigger');
  }

  statusOf(connector: Connector): ConnectorStatus {
    if (connector.tx !== undefined) return 'Occupied';
    return connector.operative ? 'Available' : 'Unavailable';
  }

  readMeter(connector: Connector): MeterSample {
    return { timestamp: new Date().toISOString(), valueWh: connector.register, context: 'Trigger' };
  }

  // ---------------------------------------------------------------- wiring

  #createLink(config: StationConfig): StationLink {
    return new StationLink(this.#ctx, config.url, this.version, config.wsOptions, config.reconnect, {
      opened: () => {
        this.#registration.connected();
        this.#exchange.pump();
      },
      closed: () => {
        this.#exchange.disconnected();
        if (config.reconnect.rebootOnReconnect) this.#registration.requireBoot();
      },
      message: (data, isBinary) =>
        dispatchFrame(data, isBinary, this.#ctx.metrics, {
          call: (id, action, payload) => this.#onCall(id, action, payload),
          callResult: (id, payload) => this.#exchange.onCallResult(id, payload),
          callError: (id, code) => this.#exchange.onCallError(id, code),
        }),
    });
  }

  #createExchange(config: StationConfig): CallExchange {
    return new CallExchange({
      version: this.version,
      ctx: this.#ctx,
      protocol: this.#protocol,
      settings: this.settings,
      maxQueuedTransactionMessages: config.maxQueuedTransactionMessages,
      isOpen: () => this.#link.open,
      isAccepted: () => this.accepted,
      send: (text) => this.#link.send(text),
      acknowledged: (entry, payload) => this.#acknowledged(entry, payload),
      notDelivered: (entry) => this.#notDelivered(entry),
    });
  }

  #createRegistration(config: StationConfig): Registration {
    return new Registration({
      ctx: this.#ctx,
      protocol: this.#protocol,
      settings: this.settings,
      config: config.reconnect,
      exchange: this.#exchange,
      control: this,
      isOpen: () => this.#link.open,
      isStopping: () => this.#stopping,
      accepted: () => this.#onAccepted(),
    });
  }

  #createTransactions(config: StationConfig): StationTransactions {
    return new StationTransactions({
      identity: this.identity,
      version: this.version,
      ctx: this.#ctx,
      protocol: this.#protocol,
      settings: this.settings,
      cycle: config.cycle,
      exchange: this.#exchange,
      isOpen: () => this.#link.open,
      isAccepted: () => this.accepted,
      isWindingDown: () => this.#stopping || this.#resetting,
      sendStatus: (connectorId, status) => this.#sendStatus(connectorId, status),
      statusOf: (connector) => this.statusOf(connector),
      transactionEnded: () => this.#resetIfIdle(),
    });
  }

  /** A Reset waited for the transactions to end (OnIdle): reset now if none is left. */
  #resetIfIdle(): boolean {
    if (this.#resetWhenIdle === undefined || this.connectors.some((x) => x.tx !== undefined)) return false;
    const why = this.#resetWhenIdle;
    this.#resetWhenIdle = undefined;
    this.reset(why, false);
    return true;
  }

  #onAccepted(): void {
    // 1.6 §4.9: the status of connector 0 (the Charge Point) and of every connector after boot;
    // 2.0.1 B01.FR.05: a StatusNotification per connector.
    if (this.version === 'ocpp1.6') this.#sendStatus(0, 'Available');
    for (const c of this.connectors) {
      this.#sendStatus(c.id, this.statusOf(c));
      if (c.tx === undefined && !c.authorizing)
        this.#transactions.scheduleCycle(c, this.#transactions.pause());
    }
  }

  #sendStatus(connectorId: number, status: ConnectorStatus): void {
    const payload = this.#protocol.statusPayload(connectorId, status);
    this.#exchange.enqueue(callEntry('status', 'StatusNotification', payload, undefined, false));
  }

  /** A CALLRESULT for `entry`. */
  #acknowledged(entry: Outgoing, payload: Record<string, unknown>): void {
    switch (entry.kind) {
      case 'boot':
        this.#registration.onBootAnswer(payload);
        return;
      case 'heartbeat':
        this.#registration.heartbeatDone();
        return;
      case 'authorize':
        this.#transactions.onAuthorizeAnswer(entry, payload);
        return;
      case 'status':
      case 'notify':
        return;
      case 'start':
      case 'meter':
      case 'stop':
        this.#transactions.acknowledged(entry, payload);
        return;
    }
  }

  /** Bookkeeping for a non-transaction message that will not be answered. */
  #notDelivered(entry: Outgoing): void {
    if (this.#registration.notDelivered(entry)) return;
    if (entry.kind === 'authorize') this.#transactions.authorizeNotDelivered(entry);
  }

  #onCall(id: string, action: unknown, payload: unknown): void {
    this.#callReceivedAt = performance.now();
    const error = answerCall({
      id,
      action,
      payload,
      version: this.version,
      protocol: this.#protocol,
      station: this,
      metrics: this.#ctx.metrics,
      send: (text) => this.#link.send(text),
    });
    if (error !== undefined) this.#link.lastError = error;
    this.#callReceivedAt = undefined;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#resetWhenIdle = undefined;
    for (const c of this.connectors) {
      this.#transactions.clearCycle(c);
      if (c.tx !== undefined) this.endTransaction(c.tx, 'Local');
    }
    if (this.#link.everOpened || this.#link.open) await this.#exchange.whenIdle(graceMs);
    this.#link.markStopped();
    this.#registration.stop();
    for (const c of this.connectors) {
      if (c.tx?.meterTimer !== undefined) clearInterval(c.tx.meterTimer);
    }
    this.#exchange.discard();
    await this.#link.closeForStop();
  }
}
