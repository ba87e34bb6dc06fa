import type { Kysely } from 'kysely';
import { createEvChargingTables, dropEvChargingTables } from '../charging-profiles/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `ev_charging_needs`, `ev_charging_schedules`: ISO 15118 smart charging (NotifyEVChargingNeeds / Schedule, K15-K17). */
export async function up(db: Kysely<any>): Promise<void> {
  await createEvChargingTables(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropEvChargingTables(db);
}
