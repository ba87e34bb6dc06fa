import type { Kysely } from 'kysely';
import {
  createReportedChargingProfilesTable,
  dropReportedChargingProfilesTable,
} from '../charging-profiles/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `reported_charging_profiles`: the profiles OCPP 2.0.1 stations report (ReportChargingProfiles, K09). */
export async function up(db: Kysely<any>): Promise<void> {
  await createReportedChargingProfilesTable(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropReportedChargingProfilesTable(db);
}
