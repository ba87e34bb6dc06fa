import { createHash } from 'node:crypto';
import type { Database, Kysely } from '@csms/db';

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
