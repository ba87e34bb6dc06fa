import { sql, type Kysely } from 'kysely';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Fencing for partition ownership (distributed mode). A worker that acquires a partition lease writes
 * the lease's epoch into `partition_fences`; every actor transaction first reads that row FOR SHARE
 * and refuses to continue when the epoch is no longer its own. The acquiring UPDATE waits for the old
 * owner's open transactions, so an old owner's write either commits before the hand-over or not at all.
 *
 * Each such transaction also sets `csms.epoch`, which appended rows record in `owner_epoch`: the
 * evidence that no two owners ever interleaved writes for a station.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('partition_fences')
    .addColumn('partition', 'integer', (c) => c.primaryKey())
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('partition_ownership_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('partition', 'integer', (c) => c.notNull())
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull().check(sql`event in ('acquired','released','fenced')`))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  const epochDefault = sql`nullif(current_setting('csms.epoch', true), '')::bigint`;
  for (const table of ['transactions', 'transaction_events', 'meter_values']) {
    await db.schema
      .alterTable(table)
      .addColumn('owner_epoch', 'bigint', (c) => c.defaultTo(epochDefault))
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['transactions', 'transaction_events', 'meter_values']) {
    await db.schema.alterTable(table).dropColumn('owner_epoch').execute();
  }
  await db.schema.dropTable('partition_ownership_log').execute();
  await db.schema.dropTable('partition_fences').execute();
}
