import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Bulk reads for checking the database against what stations saw acknowledged (the simulator's
 * `verifyLedger`). Callers pass bounded id lists (a few hundred at a time).
 */

/** The transactions of these stations, with the fields an acknowledged start or stop fixes. */
export function transactionsOfStations(db: Kysely<Database>, stationIds: readonly string[]) {
  return db
    .selectFrom('transactions')
    .select([
      'id',
      'station_id',
      'transaction_id',
      'ocpp_version',
      'state',
      'connector_id',
      'started_at',
      'ended_at',
      'meter_start',
      'meter_stop',
    ])
    .where('station_id', 'in', stationIds)
    .execute();
}

/** The meter values of these transactions (transactions.id). */
export function meterValuesOfTransactions(db: Kysely<Database>, transactionRefs: readonly string[]) {
  return db
    .selectFrom('meter_values')
    .select(['transaction_ref', 'timestamp', 'sampled_values'])
    .where('transaction_ref', 'in', transactionRefs)
    .execute();
}

/** The (transaction, seqNo) of every 2.0.1 TransactionEvent of these stations. */
export function transactionEventKeys(db: Kysely<Database>, stationIds: readonly string[]) {
  return db
    .selectFrom('transaction_events')
    .select(['station_id', 'transaction_id', 'seq_no'])
    .where('station_id', 'in', stationIds)
    .execute();
}
