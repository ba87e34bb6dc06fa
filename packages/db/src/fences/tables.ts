import { sql, type Kysely } from 'kysely';

// DDL run by migrations (src/migrations): history, so it takes Kysely<any> and must never change once
// released; a later change to these tables is a new function called by a new migration.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Fencing for partition ownership (distributed mode). A worker that acquires a partition lease writes
 * the lease's epoch into `partition_fences`; every actor transaction first reads that row FOR SHARE
 * and refuses to continue when the epoch is no longer its own. The acquiring UPDATE waits for the old
 * owner's open transactions, so an old owner's write either commits before the hand-over or not at all.
 * (Migration 2026_11_21_01_00_00_create_partition_fences, which then adds `owner_epoch` to the
 * transactions domain's tables.)
 */
export async function createFenceTables(db: Kysely<any>): Promise<void> {
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
}

export async function dropFenceTables(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('partition_ownership_log').execute();
  await db.schema.dropTable('partition_fences').execute();
}
