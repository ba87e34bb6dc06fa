import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Forgets the TxProfiles of a transaction that ended, in the database transaction that records its end: the
 * station deletes them then (OCPP 2.0.1 K02.FR.05 "After the transaction is stopped, the TxProfile SHALL be
 * deleted"; OCPP 1.6 §3.13.2 "After the transaction is stopped, the profile SHOULD be deleted"), so the
 * profiles the CSMS lists must not keep them. Stored TxProfiles always name their transaction: the
 * smart-charging API requires it (K01.FR.03). `transactionId` is the OCPP one (1.6: the integer as text).
 * Returns how many were deleted.
 */
export async function deleteEndedTxProfiles(
  db: Kysely<Database>,
  stationId: string,
  transactionId: string,
): Promise<number> {
  const result = await db
    .deleteFrom('charging_profiles')
    .where('station_id', '=', stationId)
    .where('purpose', '=', 'TxProfile')
    .where('transaction_id', '=', transactionId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
