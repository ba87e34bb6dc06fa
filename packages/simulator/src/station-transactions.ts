import { callEntry, type CallExchange } from './call-exchange.js';
import { snapshotLedger, type LedgerTransaction, type MutableLedgerTransaction } from './ledger.js';
import type { Connector, MeterSample, Outgoing, SimulatedVersion, Transaction } from './model.js';
import type { ConnectorStatus, Protocol, StationSettings, StopReason } from './protocol.js';
import type { StationContext } from './station-context.js';
import { defaultIdToken, type CycleConfig } from './station-options.js';

/** What the transactions need from their station. */
export interface TransactionsHost {
  readonly identity: string;
  readonly version: SimulatedVersion;
  readonly ctx: StationContext;
  readonly protocol: Protocol;
  readonly settings: StationSettings;
  readonly cycle: CycleConfig;
  readonly exchange: CallExchange;
  isOpen(): boolean;
  isAccepted(): boolean;
  /** Stopping or resetting: no new transactions. */
  isWindingDown(): boolean;
  sendStatus(connectorId: number, status: ConnectorStatus): void;
  statusOf(connector: Connector): ConnectorStatus;
  /** A transaction ended on `connector`; true when the station takes over (a Reset waiting for idle). */
  transactionEnded(connector: Connector): boolean;
}

/** How a transaction began (1.6: Authorize then StartTransaction; 2.0.1 TriggerReason). */
export interface TransactionStart {
  readonly idToken: string;
  readonly idTokenType: string;
  readonly trigger: 'Authorized' | 'RemoteStart';
  readonly remoteStartId: number | undefined;
  /** performance.now() when the remote start arrived (remote-start latency). */
  readonly remoteReceivedAt: number | undefined;
}

/**
 * A station's charging behaviour: the automatic cycle on connector 1 (pause → Authorize → start → periodic
 * meter values → stop), transactions started remotely or from a test, the energy registers, and the
 * ledger of what the CSMS acknowledged.
 */
export class StationTransactions {
  readonly #ledger: MutableLedgerTransaction[] = [];
  #txCounter = 0;
  #tokenCursor = 0;

  constructor(private readonly host: TransactionsHost) {}

  /** Snapshot of every transaction this station ran and what was acknowledged of it. */
  ledger(): LedgerTransaction[] {
    return this.#ledger.map(snapshotLedger);
  }

  nextToken(): string {
    const { idTokens } = this.host.cycle;
    const token = idTokens[this.#tokenCursor % idTokens.length] ?? defaultIdToken(this.host.identity);
    this.#tokenCursor++;
    return token;
  }

  /** The pause before the next automatic transaction, jittered ±50%. */
  pause(): number {
    return this.host.cycle.pauseBetweenMs * (0.5 + Math.random());
  }

  scheduleCycle(c: Connector, delayMs: number): void {
    if (!this.host.cycle.auto || this.host.isWindingDown()) return;
    // The automatic cycle runs on the first connector; the others are free for remote starts.
    if (c.id !== 1) return;
    this.clearCycle(c);
    c.cycleTimer = setTimeout(() => this.#cycle(c), delayMs);
  }

  clearCycle(c: Connector): void {
    if (c.cycleTimer !== undefined) clearTimeout(c.cycleTimer);
    c.cycleTimer = undefined;
  }

  /** The Authorize of the automatic cycle will not be answered: try again after a pause. */
  authorizeNotDelivered(entry: Outgoing): void {
    if (entry.connector === undefined) return;
    entry.connector.authorizing = false;
    this.scheduleCycle(entry.connector, this.pause());
  }

  onAuthorizeAnswer(entry: Outgoing, payload: Record<string, unknown>): void {
    const c = entry.connector;
    if (c === undefined) return;
    c.authorizing = false;
    const status = this.host.protocol.authorizeStatus(payload);
    if (status === 'Accepted' && c.tx === undefined && c.operative && !this.host.isWindingDown()) {
      this.start(c, {
        idToken: entry.detail ?? this.nextToken(),
        idTokenType: 'ISO14443',
        trigger: 'Authorized',
        remoteStartId: undefined,
        remoteReceivedAt: undefined,
      });
      return;
    }
    if (status !== 'Accepted') this.host.ctx.metrics.authorizeRejected++;
    this.scheduleCycle(c, this.pause());
  }

  start(c: Connector, how: TransactionStart): void {
    this.clearCycle(c);
    this.#txCounter++;
    const meter: MeterSample = {
      timestamp: new Date().toISOString(),
      valueWh: c.register,
      context: 'Transaction.Begin',
    };
    const record = this.#newRecord(c, how, meter);
    this.#ledger.push(record);
    const tx: Transaction = {
      record,
      connector: c,
      idToken: how.idToken,
      idTokenType: how.idTokenType,
      remoteStartId: how.remoteStartId,
      remoteReceivedAt: how.remoteReceivedAt,
      nextSeqNo: 0,
      meterCount: 0,
      meterTimer: undefined,
      ended: false,
      abandoned: false,
    };
    c.tx = tx;
    this.host.ctx.metrics.transactionsStarted++;
    this.host.exchange.enqueueTransactional('start', tx, meter, tx.nextSeqNo++, how.trigger);
    this.host.sendStatus(c.id, 'Occupied');
    if (this.host.cycle.meterValuesPerTransaction === 0) {
      this.end(tx, 'Local');
      return;
    }
    tx.meterTimer = setInterval(() => this.#meterTick(tx), this.host.settings.meterValueIntervalMs);
  }

  end(tx: Transaction, reason: StopReason): void {
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
    this.host.exchange.enqueueTransactional('stop', tx, meter, tx.nextSeqNo++, reason);
    c.tx = undefined;
    this.host.ctx.metrics.transactionsStopped++;
    if (c.pendingInoperative) {
      c.pendingInoperative = false;
      c.operative = false;
    }
    this.host.sendStatus(c.id, this.host.statusOf(c));
    if (this.host.transactionEnded(c)) return;
    this.scheduleCycle(c, this.pause());
  }

  /** A CALLRESULT to a transaction message: the ledger records what the CSMS acknowledged. */
  acknowledged(entry: Outgoing, payload: Record<string, unknown>): void {
    const tx = entry.tx;
    if (tx === undefined) return;
    tx.record.pendingMessages--;
    const metrics = this.host.ctx.metrics;
    if (entry.kind === 'start') {
      tx.record.startAcknowledged = true;
      metrics.startsAcknowledged++;
      const { transactionId, status } = this.host.protocol.startResult(payload);
      if (this.host.version === 'ocpp1.6') tx.record.transactionId = transactionId;
      tx.record.startStatus = status;
      this.#recordMeter(entry);
      // 1.6 §4.8 (StopTransactionOnInvalidId) / 2.0.1 E05: a token the CSMS does not accept ends it.
      if (status !== undefined && status !== 'Accepted' && !tx.ended) this.end(tx, 'DeAuthorized');
      return;
    }
    if (entry.kind === 'stop') {
      tx.record.stopAcknowledged = true;
      metrics.stopsAcknowledged++;
    }
    this.#recordMeter(entry);
  }

  #newRecord(c: Connector, how: TransactionStart, meter: MeterSample): MutableLedgerTransaction {
    const localId = `${this.host.ctx.runTag}-${this.#txCounter.toString(36)}`;
    return {
      stationId: this.host.identity,
      version: this.host.version,
      transactionId: this.host.version === 'ocpp2.0.1' ? localId : undefined,
      localId,
      connectorId: c.id,
      idToken: how.idToken,
      remoteStartId: how.remoteStartId,
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
  }

  #cycle(c: Connector): void {
    c.cycleTimer = undefined;
    const host = this.host;
    if (host.isWindingDown() || c.tx !== undefined || c.authorizing) return;
    if (this.#txCounter >= host.cycle.maxTransactions) return;
    if (!host.isOpen() || !host.isAccepted() || !c.operative) {
      // Try again later (offline, Pending, or made Inoperative).
      this.scheduleCycle(c, Math.max(1_000, this.pause()));
      return;
    }
    const token = this.nextToken();
    c.authorizing = true;
    host.exchange.enqueue(
      callEntry('authorize', 'Authorize', host.protocol.authorizePayload(token), c, false, token),
    );
  }

  #meterTick(tx: Transaction): void {
    if (tx.ended) return;
    const c = tx.connector;
    const { powerW, meterValuesPerTransaction } = this.host.cycle;
    // Energy of one interval at the configured power; at least 1 Wh so that every reading is new.
    c.register += Math.max(1, Math.round((powerW * this.host.settings.meterValueIntervalMs) / 3_600_000));
    tx.meterCount++;
    const meter: MeterSample = {
      timestamp: new Date().toISOString(),
      valueWh: c.register,
      context: 'Sample.Periodic',
    };
    this.host.exchange.enqueueTransactional('meter', tx, meter, tx.nextSeqNo++, undefined);
    if (tx.meterCount >= meterValuesPerTransaction) this.end(tx, 'Local');
  }

  /** Adds the acknowledged reading to the ledger when the CSMS stores it as a meter value. */
  #recordMeter(entry: Outgoing): void {
    const tx = entry.tx;
    const meter = entry.meter;
    if (tx === undefined || meter === undefined) return;
    const v16 = this.host.version === 'ocpp1.6';
    // 1.6 StartTransaction/StopTransaction carry meterStart/meterStop, not sampled values.
    if (v16 && entry.kind !== 'meter') return;
    tx.record.meterValues.push({
      timestamp: meter.timestamp,
      valueWh: meter.valueWh,
      context: meter.context,
      action: v16 ? 'MeterValues' : 'TransactionEvent',
      seqNo: v16 ? undefined : entry.seqNo,
    });
  }
}
