import type { Kysely } from 'kysely';
import { createTariffTables, dropTariffTables } from '../tariffs/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `tariffs` and `transaction_costs`: tariffs and the final costs of transactions (2.0.1 I01-I06). */
export async function up(db: Kysely<any>): Promise<void> {
  await createTariffTables(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropTariffTables(db);
}
