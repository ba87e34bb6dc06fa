import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Which of `transactionIds` (OCPP transactionIds of `stationId`) the CSMS recorded as ended: for other domains whose
 * rows live only as long as a transaction (e.g. a 2.0.1 display message for a transaction, O02.FR.02).
 */
export async function endedTransactionIds(
  db: Kysely<Database>,
  stationId: string,
  transactionIds: readonly string[],
): Promise<string[]> {
  if (transactionIds.length === 0) return [];
  const rows = await db
    .selectFrom('transactions')
    .select('transaction_id')
    .where('station_id', '=', stationId)
    .where('transaction_id', 'in', [...transactionIds])
    .where('state', '=', 'ended')
    .execute();
  return rows.map((r) => r.transaction_id);
}
