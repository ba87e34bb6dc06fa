import type { Kysely } from 'kysely';
import { createChargingSiteTables, dropChargingSiteTables } from '../charging-profiles/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `charging_sites`, `charging_site_stations`: a site's power limit for the EV schedules the CSMS computes (K15-K17). */
export async function up(db: Kysely<any>): Promise<void> {
  await createChargingSiteTables(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropChargingSiteTables(db);
}
