import type { Kysely } from 'kysely';
import { addStationFirmwareChangedAt, dropStationFirmwareChangedAt } from '../stations/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `stations.firmware_changed_at`: learned per-message limits end with a firmware change (issue #12). */
export async function up(db: Kysely<any>): Promise<void> {
  await addStationFirmwareChangedAt(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropStationFirmwareChangedAt(db);
}
