import { sql, type Kysely } from 'kysely';

// DDL run by migrations (src/migrations): history, so it takes Kysely<any> and must never change once
// released; a later change to these tables is a new function called by a new migration.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * CSMS-initiated commands kept for a station that was offline (`whenOffline: 'queue'`), delivered in
 * `id` order when it is back. A row moves `queued` → `delivering` (claimed atomically by the station's
 * actor) → `done` / `failed` with the outcome, or `queued` → `expired` once `expires_at` has passed.
 * (Migration 2026_11_21_02_00_00_create_queued_commands.)
 */
export async function createQueuedCommandsTable(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('queued_commands')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('ocpp_version', 'text', (c) => c.notNull())
    .addColumn('timeout_ms', 'integer')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('queued','delivering','done','expired','failed')`),
    )
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('outcome', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('queued_commands_station_idx')
    .on('queued_commands')
    .columns(['station_id', 'status', 'id'])
    .execute();
}

export async function dropQueuedCommandsTable(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('queued_commands').ifExists().execute();
}
