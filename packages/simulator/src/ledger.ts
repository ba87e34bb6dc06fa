import type { SimulatedVersion } from './model.js';

/**
 * What a station saw acknowledged for one of its transactions: the reference a chaos test compares with
 * the CSMS database ("every transaction a station saw acknowledged is stored with all its meter values").
 * Only CALLRESULTs count: a message the CSMS may have stored but never acknowledged (socket dropped, retries
 * exhausted) is not in the ledger, so the database may hold more than the ledger but never less.
 */
export interface LedgerTransaction {
  readonly stationId: string;
  readonly version: SimulatedVersion;
  /**
   * The OCPP transaction id as the database stores it (`transactions.transaction_id`): 1.6 the id the CSMS
   * issued in StartTransaction.conf as decimal text (undefined until that answer arrived), 2.0.1 the
   * station's own id (known from the start).
   */
  readonly transactionId: string | undefined;
  /** The simulator's own id of the transaction (2.0.1: equals transactionId). */
  readonly localId: string;
  /** 1.6 connectorId / 2.0.1 evseId (its connector is always 1). */
  readonly connectorId: number;
  readonly idToken: string;
  /** 2.0.1 remoteStartId, 1.6 undefined. */
  readonly remoteStartId: number | undefined;
  /** Timestamp of the start message (1.6 StartTransaction.timestamp, 2.0.1 Started event). */
  readonly startedAt: string;
  /** Energy register at the start, Wh. */
  readonly meterStart: number;
  /** StartTransaction / TransactionEvent(Started) got a CALLRESULT. */
  readonly startAcknowledged: boolean;
  /** idTagInfo / idTokenInfo status of that answer (undefined when it had none). */
  readonly startStatus: string | undefined;
  readonly stoppedAt: string | undefined;
  readonly meterStop: number | undefined;
  readonly stopReason: string | undefined;
  /** StopTransaction / TransactionEvent(Ended) got a CALLRESULT. */
  readonly stopAcknowledged: boolean;
  /**
   * Every acknowledged message that carried meter values for this transaction, in acknowledgement order.
   * Exactly the sets the CSMS stores in `meter_values` for the transaction: 1.6 MeterValues with
   * transactionId (StartTransaction/StopTransaction carry no sampled values here), 2.0.1 the meterValue of
   * every TransactionEvent (Started: Transaction.Begin, Updated: Sample.Periodic / Trigger, Ended:
   * Transaction.End).
   */
  readonly meterValues: readonly LedgerMeterValue[];
  /** Transaction messages given up on (attempts exhausted, queue overflow, abandoned or stop grace over). */
  readonly droppedMessages: number;
  /** Transaction messages generated but not (yet) acknowledged when the ledger was read. */
  readonly pendingMessages: number;
}

/** One acknowledged meter value set (one sampled value: Energy.Active.Import.Register, Wh). */
export interface LedgerMeterValue {
  /** ISO 8601 timestamp as sent. */
  readonly timestamp: string;
  readonly valueWh: number;
  /** ReadingContext as sent (Sample.Periodic, Transaction.Begin, Transaction.End, Trigger). */
  readonly context: string;
  readonly action: 'MeterValues' | 'TransactionEvent';
  /** 2.0.1 seqNo of the TransactionEvent that carried it. */
  readonly seqNo: number | undefined;
}

/** The mutable record a station keeps; {@link snapshotLedger} hands out copies. */
export type MutableLedgerTransaction = {
  -readonly [K in keyof LedgerTransaction]: K extends 'meterValues'
    ? LedgerMeterValue[]
    : LedgerTransaction[K];
};

/** A copy of `record` that later acknowledgements do not change. */
export function snapshotLedger(record: MutableLedgerTransaction): LedgerTransaction {
  return { ...record, meterValues: record.meterValues.slice() };
}
