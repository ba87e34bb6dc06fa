import type { Kysely } from 'kysely';
import { createChargingProfilesTable, dropChargingProfilesTable } from '../charging-profiles/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

export async function up(db: Kysely<any>): Promise<void> {
  await createChargingProfilesTable(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropChargingProfilesTable(db);
}
