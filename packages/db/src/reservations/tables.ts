import { sql, type Kysely } from 'kysely';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * `reservations` (migration 2026_12_05_23_00_00_create_reservations): one row per reservation a station accepted.
 * A reservationId is unique per station among the rows that are still active (a station reuses ids: 1.6 §5.13 and
 * H01.FR.02 replace a reservation with the same id); ended rows are kept as history.
 */
export async function createReservationTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reservations')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('reservation_id', 'integer', (c) => c.notNull())
    .addColumn('ocpp_version', 'text', (c) => c.notNull())
    .addColumn('evse_id', 'integer')
    .addColumn('connector_type', 'text')
    .addColumn('id_token', 'text', (c) => c.notNull())
    .addColumn('id_token_type', 'text')
    .addColumn('group_id_token', 'text')
    .addColumn('group_id_token_type', 'text')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('active','used','cancelled','expired','removed')`),
    )
    .addColumn('transaction_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await sql`create unique index reservations_active_id_idx on reservations (station_id, reservation_id)
    where status = 'active'`.execute(db);
  await db.schema
    .createIndex('reservations_station_idx')
    .on('reservations')
    .columns(['station_id', 'id'])
    .execute();
  await sql`create index reservations_expiry_idx on reservations (expires_at) where status = 'active'`.execute(
    db,
  );
}

export async function dropReservationTables(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reservations').ifExists().execute();
}
