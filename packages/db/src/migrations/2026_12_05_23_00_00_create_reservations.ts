import type { Kysely } from 'kysely';
import { createReservationTables, dropReservationTables } from '../reservations/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `reservations`: the reservations stations accepted (1.6 §5.13 ReserveNow, 2.0.1 H01). */
export async function up(db: Kysely<any>): Promise<void> {
  await createReservationTables(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropReservationTables(db);
}
