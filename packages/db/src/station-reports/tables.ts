import { sql, type Kysely } from 'kysely';

// DDL run by migrations (src/migrations): history, so it takes Kysely<any> and must never change once
// released; a later change to these tables is a new function called by a new migration.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * `security_events`, `station_notifications`, `device_reports`, `device_events` (migration
 * 2026_11_21_00_00_00_create_core_tables).
 */
export async function createStationReportTables(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('security_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('tech_info', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('security_events_uq', ['station_id', 'type', 'timestamp'])
    .execute();

  await db.schema
    .createTable('station_notifications')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('station_notifications_dedupe_uq', ['station_id', 'dedupe_key'])
    .execute();
  await db.schema
    .createIndex('station_notifications_idx')
    .on('station_notifications')
    .columns(['station_id', 'action', 'received_at'])
    .execute();

  await db.schema
    .createTable('device_reports')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('request_id', 'integer', (c) => c.notNull())
    .addColumn('seq_no', 'integer', (c) => c.notNull())
    .addColumn('generated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('tbc', 'boolean', (c) => c.notNull())
    .addColumn('report_data', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('device_reports_uq', ['station_id', 'request_id', 'seq_no'])
    .execute();

  await db.schema
    .createTable('device_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('seq_no', 'integer', (c) => c.notNull())
    .addColumn('generated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('tbc', 'boolean', (c) => c.notNull())
    .addColumn('event_data', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('device_events_uq', ['station_id', 'generated_at', 'seq_no'])
    .execute();
}

export async function dropStationReportTables(db: Kysely<any>): Promise<void> {
  for (const table of ['device_events', 'device_reports', 'station_notifications', 'security_events'])
    await db.schema.dropTable(table).ifExists().execute();
}

/**
 * `station_message_limits`: the per-message limits learned from each station (migration
 * 2026_12_05_10_00_00_create_station_message_limits).
 */
export async function createStationMessageLimitsTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('station_message_limits')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'integer')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('station_message_limits_pkey', ['station_id', 'name'])
    .execute();
}

export async function dropStationMessageLimitsTable(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('station_message_limits').ifExists().execute();
}
