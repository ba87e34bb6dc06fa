import { sql, type Kysely } from 'kysely';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * `station_certificates` (migration 2026_12_05_20_00_00_create_station_certificates): one row per certificate the
 * CSMS's CA issued, found by fingerprint (unique) and listed per station; the renewal scheduler scans the installed
 * ones by expiry.
 */
export async function createStationCertificatesTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('station_certificates')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('certificate_type', 'text', (c) => c.notNull())
    .addColumn('serial_number', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('not_before', 'timestamptz', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull().unique())
    .addColumn('certificate_chain', 'text', (c) => c.notNull())
    .addColumn('signer', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('issued','installed','rejected','revoked')`),
    )
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('status_changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('renewal_requested_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('station_certificates_station_idx')
    .on('station_certificates')
    .columns(['station_id', 'id'])
    .execute();
  await db.schema
    .createIndex('station_certificates_expiry_idx')
    .on('station_certificates')
    .columns(['status', 'not_after'])
    .execute();
}

export async function dropStationCertificatesTable(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('station_certificates').ifExists().execute();
}
