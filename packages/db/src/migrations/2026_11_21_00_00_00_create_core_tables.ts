import type { Kysely } from 'kysely';
import { createIdTokensTable, dropIdTokensTable } from '../id-tokens/tables.js';
import { createStationReportTables, dropStationReportTables } from '../station-reports/tables.js';
import { createStationTables, dropStationTables } from '../stations/tables.js';
import { createTransactionTables, dropTransactionTables } from '../transactions/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

export async function up(db: Kysely<any>): Promise<void> {
  await createStationTables(db);
  await createIdTokensTable(db);
  await createTransactionTables(db);
  await createStationReportTables(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropStationReportTables(db);
  await dropTransactionTables(db);
  await dropIdTokensTable(db);
  await dropStationTables(db);
}
