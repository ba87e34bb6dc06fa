import type { Kysely } from 'kysely';
import { createCampaignTables, dropCampaignTables } from '../campaigns/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

export async function up(db: Kysely<any>): Promise<void> {
  await createCampaignTables(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropCampaignTables(db);
}
