import { sql, type Kysely } from 'kysely';

// DDL run by migrations (src/migrations): history, so it takes Kysely<any> and must never change once
// released; a later change to these tables is a new function called by a new migration.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `id_tokens` (migration 2026_11_21_00_00_00_create_core_tables). */
export async function createIdTokensTable(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('id_tokens')
    .addColumn('id_token', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('Accepted','Blocked','Expired','Invalid')`),
    )
    .addColumn('expires_at', 'timestamptz')
    .addColumn('group_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
}

export async function dropIdTokensTable(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('id_tokens').ifExists().execute();
}

/**
 * The local authorization list the CSMS last sent to each station and the station accepted
 * (1.6 §5.15 / 2.0.1 D01-D02): its version and its entries. A station without a row has version 0
 * (no list). Entries without a status do not exist: a differential removal deletes the row.
 * (Migration 2026_11_21_03_00_00_create_local_auth_lists.)
 */
export async function createLocalAuthListTables(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('local_auth_lists')
    .addColumn('station_id', 'text', (c) => c.primaryKey().references('stations.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 0`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createTable('local_auth_list_entries')
    .addColumn('station_id', 'text', (c) =>
      c.notNull().references('local_auth_lists.station_id').onDelete('cascade'),
    )
    .addColumn('id_token', 'text', (c) => c.notNull())
    .addColumn('type', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('Accepted','Blocked','Expired','Invalid','ConcurrentTx')`),
    )
    .addColumn('expires_at', 'timestamptz')
    .addColumn('group_id', 'text')
    .addPrimaryKeyConstraint('local_auth_list_entries_pk', ['station_id', 'id_token'])
    .execute();
}

export async function dropLocalAuthListTables(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('local_auth_list_entries').ifExists().execute();
  await db.schema.dropTable('local_auth_lists').ifExists().execute();
}
