import type { Kysely } from 'kysely';
import { createLocalAuthListTables, dropLocalAuthListTables } from '../id-tokens/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

export async function up(db: Kysely<any>): Promise<void> {
  await createLocalAuthListTables(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropLocalAuthListTables(db);
}
