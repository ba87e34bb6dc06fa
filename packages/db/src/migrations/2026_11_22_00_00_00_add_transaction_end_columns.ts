import type { Kysely } from 'kysely';
import { addTransactionEndColumns, dropTransactionEndColumns } from '../transactions/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * `transactions.ended_by` / `end_note` (who ended a transaction: station, CSMS or operator, and why) and
 * the first / last energy register reading of its 2.0.1 events (issue #15).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await addTransactionEndColumns(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropTransactionEndColumns(db);
}
