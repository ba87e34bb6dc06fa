import { sql, type Kysely } from 'kysely';

// DDL run by migrations (src/migrations): history, so it takes Kysely<any> and must never change once
// released; a later change to these tables is a new function called by a new migration.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Firmware update and log upload campaigns (csms.firmware.v1.FirmwareService): one `campaigns` row per
 * campaign and one `campaign_stations` row per station of it, moving `pending` → `sent` → `accepted` →
 * `succeeded` / `failed`, or ending early as `rejected` / `offline` / `failed` / `canceled`.
 * `station_id` is not a foreign key: unknown ids are listed too (as failed), and a campaign's history
 * outlives a deleted station. `request_id` comes from `campaign_request_id_seq`, one per send, so a
 * station's status notifications find their row (2.0.1 L01.FR.20 / N01.FR.07 echo the requestId).
 * (Migration 2026_11_21_04_00_00_create_firmware_campaigns.)
 */
export async function createCampaignTables(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  // OCPP requestId is a 32-bit integer: the sequence wraps instead of failing after 2^31 - 1 sends.
  await sql`create sequence campaign_request_id_seq as integer minvalue 1 maxvalue 2147483647 cycle`.execute(
    db,
  );
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('firmware_update','log_upload')`))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('running','completed','canceled')`))
    .addColumn('parameters', 'jsonb', (c) => c.notNull())
    .addColumn('max_concurrency', 'integer', (c) => c.notNull())
    .addColumn('station_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('completed_at', 'timestamptz')
    // The service instance sending this campaign's commands and until when (renewed while it runs): a
    // replica resumes a running campaign only once the lease has lapsed (its sender died).
    .addColumn('runner', 'text')
    .addColumn('lease_until', 'timestamptz')
    .execute();
  await db.schema.createIndex('campaigns_state_idx').on('campaigns').columns(['state', 'id']).execute();
  await db.schema
    .createTable('campaign_stations')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('station_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`status in ('pending','sent','accepted','rejected','offline','failed','succeeded','canceled')`,
        ),
    )
    .addColumn('reason', 'text')
    .addColumn('action', 'text')
    .addColumn('ocpp_version', 'text')
    .addColumn('request_id', 'integer')
    .addColumn('filename', 'text')
    .addColumn('notification_status', 'text')
    .addColumn('notification_at', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('campaign_stations_station_unique', ['campaign_id', 'station_id'])
    .execute();
  await db.schema
    .createIndex('campaign_stations_status_idx')
    .on('campaign_stations')
    .columns(['campaign_id', 'status', 'id'])
    .execute();
  // Notifications look rows up by (station, requestId), or the station's latest active row.
  await db.schema
    .createIndex('campaign_stations_request_idx')
    .on('campaign_stations')
    .columns(['station_id', 'request_id'])
    .execute();
  await db.schema
    .createIndex('campaign_stations_active_idx')
    .on('campaign_stations')
    .columns(['station_id', 'id'])
    .where(sql<boolean>`status in ('sent','accepted')`)
    .execute();
}

export async function dropCampaignTables(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('campaign_stations').ifExists().execute();
  await db.schema.dropTable('campaigns').ifExists().execute();
  await sql`drop sequence if exists campaign_request_id_seq`.execute(db);
}
