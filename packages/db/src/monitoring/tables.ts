import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

// DDL run by migrations (src/migrations): history, so it takes Kysely<any> and must never change once
// released; a later change to these tables is a new function called by a new migration.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * `variable_monitors` (the monitors each 2.0.1 station confirmed, one per station and monitor id),
 * `monitoring_report_requests` (the GetMonitoringReportRequests whose NotifyMonitoringReport report is followed,
 * N02), `monitoring_settings` (the monitoring base and level each station accepted, N03/N05) and
 * `monitoring_events` (NotifyEvent monitor events with the monitor's severity, N07/N08).
 * (Migration 2026_12_06_00_00_00_create_variable_monitors.)
 */
export async function createMonitoringTables(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  // Orders confirmations and requests: a monitor confirmed after a request was made is not judged by its report.
  await sql`create sequence variable_monitor_confirmations`.execute(db);
  const next = sql`nextval('variable_monitor_confirmations')`;
  const station = (c: ColumnDefinitionBuilder) => c.notNull().references('stations.id').onDelete('cascade');
  await db.schema
    .createTable('variable_monitors')
    .addColumn('station_id', 'text', station)
    .addColumn('monitor_id', 'integer', (c) => c.notNull())
    .addColumn('component_name', 'text', (c) => c.notNull())
    .addColumn('component_instance', 'text')
    .addColumn('evse_id', 'integer')
    .addColumn('connector_id', 'integer')
    .addColumn('variable_name', 'text', (c) => c.notNull())
    .addColumn('variable_instance', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('severity', 'integer', (c) => c.notNull())
    .addColumn('transaction', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text')
    .addColumn('request_id', 'integer')
    .addColumn('confirmed_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('confirm_seq', 'bigint', (c) => c.notNull().defaultTo(next))
    .addPrimaryKeyConstraint('variable_monitors_pkey', ['station_id', 'monitor_id'])
    .execute();
  await db.schema
    .createTable('monitoring_report_requests')
    .addColumn('station_id', 'text', station)
    .addColumn('request_id', 'integer', (c) => c.notNull())
    .addColumn('criteria', 'jsonb')
    .addColumn('status', 'text')
    .addColumn('complete', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(next))
    .addPrimaryKeyConstraint('monitoring_report_requests_pkey', ['station_id', 'request_id'])
    .execute();
  await db.schema
    .createTable('monitoring_settings')
    .addColumn('station_id', 'text', (c) => station(c).primaryKey())
    .addColumn('monitoring_base', 'text')
    .addColumn('monitoring_base_at', 'timestamptz')
    .addColumn('monitoring_level', 'integer')
    .addColumn('monitoring_level_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createTable('monitoring_events')
    .addColumn('station_id', 'text', station)
    .addColumn('generated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('seq_no', 'integer', (c) => c.notNull())
    .addColumn('event_id', 'integer', (c) => c.notNull())
    .addColumn('monitor_id', 'integer', (c) => c.notNull())
    .addColumn('severity', 'integer')
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('notification_type', 'text', (c) => c.notNull())
    .addColumn('cleared', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('actual_value', 'text', (c) => c.notNull())
    .addColumn('component_name', 'text', (c) => c.notNull())
    .addColumn('variable_name', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('monitoring_events_pkey', ['station_id', 'generated_at', 'seq_no', 'event_id'])
    .execute();
  await db.schema
    .createIndex('monitoring_events_monitor_idx')
    .on('monitoring_events')
    .columns(['station_id', 'monitor_id', 'timestamp'])
    .execute();
}

export async function dropMonitoringTables(db: Kysely<any>): Promise<void> {
  for (const table of [
    'monitoring_events',
    'monitoring_settings',
    'monitoring_report_requests',
    'variable_monitors',
  ])
    await db.schema.dropTable(table).ifExists().execute();
  await sql`drop sequence if exists variable_monitor_confirmations`.execute(db);
}
