import type { Kysely } from 'kysely';
import { createDisplayMessageTables, dropDisplayMessageTables } from '../display-messages/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `display_messages` and `display_message_requests`: the display messages of 2.0.1 stations (O01-O06). */
export async function up(db: Kysely<any>): Promise<void> {
  await createDisplayMessageTables(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropDisplayMessageTables(db);
}
