import type { Kysely } from 'kysely';
import {
  createExternalChargingLimitsTable,
  dropExternalChargingLimitsTable,
} from '../charging-profiles/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `external_charging_limits`: the external charging limits OCPP 2.0.1 stations report (NotifyChargingLimit, K11-K14). */
export async function up(db: Kysely<any>): Promise<void> {
  await createExternalChargingLimitsTable(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropExternalChargingLimitsTable(db);
}
