import { sql, type Kysely } from 'kysely';

// DDL run by migrations (src/migrations): history, so it takes Kysely<any> and must never change once
// released; a later change to these tables is a new function called by a new migration.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `stations` and `connectors` (migration 2026_11_21_00_00_00_create_core_tables). */
export async function createStationTables(db: Kysely<any>): Promise<void> {
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
}

export async function dropStationTables(db: Kysely<any>): Promise<void> {
  for (const table of ['connectors', 'stations']) await db.schema.dropTable(table).ifExists().execute();
}

/**
 * `stations.firmware_changed_at` (migration 2026_12_05_22_00_00_add_station_firmware_changed_at): when a boot last
 * reported another firmware version than the boot before; what the CSMS learned of the station before (its
 * per-message limits) no longer holds.
 */
export async function addStationFirmwareChangedAt(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('stations').addColumn('firmware_changed_at', 'timestamptz').execute();
}

export async function dropStationFirmwareChangedAt(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('stations').dropColumn('firmware_changed_at').execute();
}
