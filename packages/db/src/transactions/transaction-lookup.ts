import type { Kysely } from 'kysely';
import { queryTemplate } from '../query-template.js';
import type { Database } from '../schema.js';
import type { TransactionRow } from './schema.js';

/** The `ocpp_version` values of the transactions table. */
export const OCPP16 = 'ocpp1.6';
export const OCPP201 = 'ocpp2.0.1';

/** The 1.6 transaction of this station with the given CSMS-issued transactionId, if any. */
export async function findV16Transaction(
  db: Kysely<Database>,
  stationId: string,
  transactionId: number,
): Promise<TransactionRow | undefined> {
  return (await v16TransactionQuery.run(db, { stationId, transactionId: String(transactionId) })).rows[0];
}

/** {@link findV16Transaction}'s query, compiled once (every 1.6 StopTransaction reads it). */
const v16TransactionQuery = queryTemplate((db, p: { stationId: string; transactionId: string }) =>
  db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', p.stationId)
    .where('ocpp_version', '=', OCPP16)
    .where('transaction_id', '=', p.transactionId),
);
