import type { Kysely } from 'kysely';
import {
  createStationCertificatesTable,
  dropStationCertificatesTable,
} from '../station-certificates/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `station_certificates`: the certificates the CSMS's CA issued to stations (issue #12). */
export async function up(db: Kysely<any>): Promise<void> {
  await createStationCertificatesTable(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropStationCertificatesTable(db);
}
