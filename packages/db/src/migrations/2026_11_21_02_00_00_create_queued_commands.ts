import type { Kysely } from 'kysely';
import { createQueuedCommandsTable, dropQueuedCommandsTable } from '../queued-commands/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

export async function up(db: Kysely<any>): Promise<void> {
  await createQueuedCommandsTable(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropQueuedCommandsTable(db);
}
