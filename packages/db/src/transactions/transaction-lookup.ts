import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { TransactionRow } from './schema.js';

/** The `ocpp_version` values of the transactions table. */
export const OCPP16 = 'ocpp1.6';
export const OCPP201 = 'ocpp2.0.1';

/** The 1.6 transaction of this station with the given CSMS-issued transactionId, if any. */
export function findV16Transaction(
  db: Kysely<Database>,
  stationId: string,
  transactionId: number,
): Promise<TransactionRow | undefined> {
  return db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('ocpp_version', '=', OCPP16)
    .where('transaction_id', '=', String(transactionId))
    .executeTakeFirst();
}
