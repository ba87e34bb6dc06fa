import type { Kysely } from 'kysely';
import { createStationMessageLimitsTable, dropStationMessageLimitsTable } from '../station-reports/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `station_message_limits`: each station's learned per-message limits (issue #12). */
export async function up(db: Kysely<any>): Promise<void> {
  await createStationMessageLimitsTable(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropStationMessageLimitsTable(db);
}
