import { sql, type Kysely } from 'kysely';

// DDL run by migrations (src/migrations): history, so it takes Kysely<any> and must never change once
// released; a later change to these tables is a new function called by a new migration.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Charging profiles a station accepted (csms.smart_charging.v1.SmartChargingService), one row per
 * (station, profile id): a profile with a known id replaces the stored one (OCPP 2.0.1 K01.FR.05,
 * 1.6 §5.16.3). `profile` is the OCPP payload as sent (1.6 csChargingProfiles / 2.0.1
 * chargingProfile, per `ocpp_version`); the other columns are copies of its fields to filter on.
 * (Migration 2026_11_21_05_00_00_create_charging_profiles.)
 */
export async function createChargingProfilesTable(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('charging_profiles')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('profile_id', 'integer', (c) => c.notNull())
    .addColumn('evse_id', 'integer', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('stack_level', 'integer', (c) => c.notNull())
    .addColumn('transaction_id', 'text')
    .addColumn('valid_from', 'timestamptz')
    .addColumn('valid_to', 'timestamptz')
    .addColumn('ocpp_version', 'text', (c) => c.notNull())
    .addColumn('profile', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('charging_profiles_pkey', ['station_id', 'profile_id'])
    .execute();
  await db.schema
    .createIndex('charging_profiles_criteria_idx')
    .on('charging_profiles')
    .columns(['station_id', 'evse_id', 'purpose', 'stack_level'])
    .execute();
}

export async function dropChargingProfilesTable(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('charging_profiles').ifExists().execute();
}

/**
 * `reported_charging_profiles`: the charging profiles OCPP 2.0.1 stations reported (ReportChargingProfilesRequest,
 * K09), one row per profile, with the part's requestId, evseId, chargingLimitSource and tbc. A part is stored
 * once per (station, dedupe_key): the hash of the CALL's message id and payload, so a retried CALL is a no-op.
 * (Migration 2026_12_05_21_00_00_create_reported_charging_profiles.)
 */
export async function createReportedChargingProfilesTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reported_charging_profiles')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('request_id', 'integer', (c) => c.notNull())
    .addColumn('evse_id', 'integer', (c) => c.notNull())
    .addColumn('charging_limit_source', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'integer', (c) => c.notNull())
    .addColumn('profile', 'jsonb', (c) => c.notNull())
    .addColumn('tbc', 'boolean', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('reported_charging_profiles_part_uq', ['station_id', 'dedupe_key', 'position'])
    .execute();
  await db.schema
    .createIndex('reported_charging_profiles_request_idx')
    .on('reported_charging_profiles')
    .columns(['station_id', 'request_id'])
    .execute();
}

export async function dropReportedChargingProfilesTable(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reported_charging_profiles').ifExists().execute();
}

/**
 * `external_charging_limits`: the external charging limits OCPP 2.0.1 stations reported (NotifyChargingLimitRequest,
 * K11/K12/K14), one row per (station, EVSE, charging limit source), evse_id 0 for a station-wide limit; the
 * schedules as sent. (Migration 2026_12_06_01_00_00_create_external_charging_limits.)
 */
export async function createExternalChargingLimitsTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('external_charging_limits')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('evse_id', 'integer', (c) => c.notNull())
    .addColumn('charging_limit_source', 'text', (c) => c.notNull())
    .addColumn('is_grid_critical', 'boolean')
    .addColumn('schedules', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('external_charging_limits_pkey', [
      'station_id',
      'evse_id',
      'charging_limit_source',
    ])
    .execute();
}

export async function dropExternalChargingLimitsTable(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('external_charging_limits').ifExists().execute();
}

/**
 * `ev_charging_needs` and `ev_charging_schedules`: what EVs sent through OCPP 2.0.1 stations for ISO 15118 smart
 * charging (NotifyEVChargingNeeds, NotifyEVChargingSchedule; K15-K17), the latest per (station, transaction).
 * (Migration 2026_12_06_02_30_00_create_ev_charging.)
 */
export async function createEvChargingTables(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('ev_charging_needs')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('evse_id', 'integer', (c) => c.notNull())
    .addColumn('charging_needs', 'jsonb', (c) => c.notNull())
    .addColumn('max_schedule_tuples', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('operator_limit', 'jsonb')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('ev_charging_needs_pkey', ['station_id', 'transaction_id'])
    .execute();
  await db.schema
    .createTable('ev_charging_schedules')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('evse_id', 'integer', (c) => c.notNull())
    .addColumn('time_base', 'timestamptz', (c) => c.notNull())
    .addColumn('charging_schedule', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('ev_charging_schedules_pkey', ['station_id', 'transaction_id'])
    .execute();
}

export async function dropEvChargingTables(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ev_charging_schedules').ifExists().execute();
  await db.schema.dropTable('ev_charging_needs').ifExists().execute();
}

/**
 * `charging_sites` and `charging_site_stations`: sites (stations behind one grid connection) with the most power the
 * CSMS lets the schedules it computes for EVs add up to (ISO 15118 smart charging, K15-K17); a station belongs to one
 * site at most. (Migration 2026_12_06_03_00_00_create_charging_sites.)
 */
export async function createChargingSiteTables(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('charging_sites')
    .addColumn('site_id', 'text', (c) => c.primaryKey())
    .addColumn('max_power_w', 'double precision', (c) => c.notNull().check(sql`max_power_w > 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createTable('charging_site_stations')
    .addColumn('station_id', 'text', (c) => c.primaryKey().references('stations.id').onDelete('cascade'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('charging_sites.site_id').onDelete('cascade'))
    .execute();
  await db.schema
    .createIndex('charging_site_stations_site_idx')
    .on('charging_site_stations')
    .column('site_id')
    .execute();
}

export async function dropChargingSiteTables(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('charging_site_stations').ifExists().execute();
  await db.schema.dropTable('charging_sites').ifExists().execute();
}
