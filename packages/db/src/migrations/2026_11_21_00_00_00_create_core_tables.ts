import { sql, type Kysely } from 'kysely';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('stations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('password_hash', 'text')
    .addColumn('security_profile', 'smallint', (c) =>
      c
        .notNull()
        .defaultTo(1)
        .check(sql`security_profile between 0 and 3`),
    )
    .addColumn('boot_policy', 'text', (c) => c.check(sql`boot_policy in ('Accepted','Pending','Rejected')`))
    .addColumn('auto_registered', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('ocpp_version', 'text')
    .addColumn('vendor', 'text')
    .addColumn('model', 'text')
    .addColumn('serial_number', 'text')
    .addColumn('firmware_version', 'text')
    .addColumn('modem_iccid', 'text')
    .addColumn('modem_imsi', 'text')
    .addColumn('meter_type', 'text')
    .addColumn('meter_serial_number', 'text')
    .addColumn('registration_status', 'text')
    .addColumn('last_boot_at', 'timestamptz')
    .addColumn('last_heartbeat_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('connectors')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('evse_id', 'integer', (c) => c.notNull())
    .addColumn('connector_id', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('info', 'text')
    .addColumn('vendor_id', 'text')
    .addColumn('vendor_error_code', 'text')
    .addColumn('status_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('connectors_pk', ['station_id', 'evse_id', 'connector_id'])
    .execute();

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

  await db.schema
    .createTable('transactions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('ocpp_version', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('evse_id', 'integer')
    .addColumn('connector_id', 'integer')
    .addColumn('id_token', 'text')
    .addColumn('id_token_type', 'text')
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('active','ended')`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('meter_start', 'double precision')
    .addColumn('meter_stop', 'double precision')
    .addColumn('stop_reason', 'text')
    .addColumn('charging_state', 'text')
    .addColumn('last_seq_no', 'integer')
    .addColumn('remote_start_id', 'integer')
    .addColumn('reservation_id', 'integer')
    .addColumn('start_key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('transactions_station_tx_uq', ['station_id', 'transaction_id'])
    .addUniqueConstraint('transactions_start_key_uq', ['station_id', 'start_key'])
    .execute();
  await db.schema
    .createIndex('transactions_active_idx')
    .on('transactions')
    .columns(['station_id', 'state'])
    .execute();
  await db.schema
    .createIndex('transactions_id_token_idx')
    .on('transactions')
    .columns(['id_token', 'state'])
    .execute();

  await db.schema
    .createTable('transaction_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('seq_no', 'integer', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('trigger_reason', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('offline', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('transaction_events_seq_uq', ['station_id', 'transaction_id', 'seq_no'])
    .execute();

  await db.schema
    .createTable('meter_values')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('transaction_ref', 'bigint', (c) => c.references('transactions.id').onDelete('cascade'))
    .addColumn('evse_id', 'integer')
    .addColumn('connector_id', 'integer')
    .addColumn('timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('sampled_values', 'jsonb', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('meter_values_dedupe_uq', ['station_id', 'dedupe_key'])
    .execute();
  await db.schema
    .createIndex('meter_values_tx_idx')
    .on('meter_values')
    .columns(['transaction_ref', 'timestamp'])
    .execute();

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

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'device_events',
    'device_reports',
    'station_notifications',
    'security_events',
    'meter_values',
    'transaction_events',
    'transactions',
    'id_tokens',
    'connectors',
    'stations',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
