import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { findV16Transaction } from './transaction-lookup.js';

/**
 * Recording of charging transactions and meter values, shared by the station actors (embedded mode:
 * called with the actor's open database transaction) and the transaction service (distributed mode:
 * its record RPCs). Every function takes the executor it must write with and opens no transaction of
 * its own, so a caller can put all effects of one OCPP CALL into one database transaction.
 */

/** One OCPP MeterValue (1.6 MeterValue / 2.0.1 MeterValueType), as the station sent it. */
export interface MeterValueSet {
  /** ISO 8601 timestamp of the sample set. */
  readonly timestamp: string;
  readonly sampledValue: readonly unknown[];
}

export interface StoreMeterValuesInput {
  readonly stationId: string;
  /** transactions.id when the values belong to a transaction. */
  readonly transactionRef: string | null;
  readonly evseId: number | null;
  readonly connectorId: number | null;
  /** The action that carried them: MeterValues, StartTransaction, StopTransaction, TransactionEvent. */
  readonly source: string;
  readonly meterValues: readonly MeterValueSet[];
}

/**
 * Stores meter values; a set that was stored before (same source, transaction, connector, timestamp
 * and values: a station retrying after a lost CALLRESULT) is skipped. Returns how many were new.
 */
export async function storeMeterValues(db: Kysely<Database>, input: StoreMeterValuesInput): Promise<number> {
  if (input.meterValues.length === 0) return 0;
  const rows = input.meterValues.map((mv) => {
    const sampled = JSON.stringify(mv.sampledValue);
    const dedupeKey = createHash('sha256')
      .update(
        [
          input.source,
          input.transactionRef ?? '',
          input.evseId ?? '',
          input.connectorId ?? '',
          mv.timestamp,
          sampled,
        ].join('\u0000'),
      )
      .digest('base64url');
    return {
      station_id: input.stationId,
      transaction_ref: input.transactionRef,
      evse_id: input.evseId,
      connector_id: input.connectorId,
      timestamp: mv.timestamp,
      sampled_values: sampled,
      source: input.source,
      dedupe_key: dedupeKey,
    };
  });
  const result = await db
    .insertInto('meter_values')
    .values(rows)
    .onConflict((oc) => oc.columns(['station_id', 'dedupe_key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

export interface RecordMeterValuesInput {
  readonly stationId: string;
  /**
   * OCPP 1.6 MeterValues: the transactionId the values name. They are linked to this station's 1.6
   * transaction of that id; an unknown id (e.g. -1, errata v4.0 §3.18) stores them unlinked.
   * Absent for values outside a transaction (1.6 without transactionId, 2.0.1 MeterValues J01).
   */
  readonly v16TransactionId?: number;
  readonly evseId: number | null;
  readonly connectorId: number | null;
  /** The action that carried them (MeterValues). */
  readonly source: string;
  readonly meterValues: readonly MeterValueSet[];
}

export interface MeterValuesRecord {
  /** With `v16TransactionId`: whether this station has that transaction (the values are linked). */
  readonly transactionFound?: boolean;
  /** Sets stored now (0 for a retry). */
  readonly stored: number;
}

/** Records a MeterValues message (1.6 §4.7 / 2.0.1 J01); a retried message stores nothing new. */
export async function recordMeterValues(
  db: Kysely<Database>,
  input: RecordMeterValuesInput,
): Promise<MeterValuesRecord> {
  let transactionRef: string | null = null;
  let transactionFound: boolean | undefined;
  if (input.v16TransactionId !== undefined) {
    const tx = await findV16Transaction(db, input.stationId, input.v16TransactionId);
    transactionFound = tx !== undefined;
    if (tx) transactionRef = String(tx.id);
  }
  const stored = await storeMeterValues(db, {
    stationId: input.stationId,
    transactionRef,
    evseId: input.evseId,
    connectorId: input.connectorId,
    source: input.source,
    meterValues: input.meterValues,
  });
  return { ...(transactionFound !== undefined ? { transactionFound } : {}), stored };
}
