import type { Kysely } from 'kysely';
import { createFenceTables, dropFenceTables } from '../fences/tables.js';
import { addOwnerEpochColumns, dropOwnerEpochColumns } from '../transactions/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Fencing for partition ownership (distributed mode): `partition_fences`, `partition_ownership_log`, and
 * `owner_epoch` on the appended transaction tables, which each fenced transaction's `csms.epoch` fills.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await createFenceTables(db);
  await addOwnerEpochColumns(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropOwnerEpochColumns(db);
  await dropFenceTables(db);
}
