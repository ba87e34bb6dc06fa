import { sql, type Kysely } from 'kysely';

// DDL run by migrations (src/migrations): history, so it takes Kysely<any> and must never change once
// released; a later change to these tables is a new function called by a new migration.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * `display_messages` (the display messages the CSMS knows a 2.0.1 station holds, one per station and message id:
 * a SetDisplayMessageRequest with a known id replaces the message, O06.FR.01) and `display_message_requests` (the
 * GetDisplayMessagesRequests whose NotifyDisplayMessages report is followed, O03/O04).
 * (Migration 2026_12_05_23_30_00_create_display_messages.)
 */
export async function createDisplayMessageTables(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  // Orders confirmations and requests: a message confirmed after a request was made is not judged by its report.
  await sql`create sequence display_message_confirmations`.execute(db);
  const next = sql`nextval('display_message_confirmations')`;
  await db.schema
    .createTable('display_messages')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('message_id', 'integer', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('state', 'text')
    .addColumn('start_date_time', 'timestamptz')
    .addColumn('end_date_time', 'timestamptz')
    .addColumn('transaction_id', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('display', 'jsonb')
    .addColumn('message', 'jsonb', (c) => c.notNull())
    .addColumn('request_id', 'integer')
    .addColumn('confirmed_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('confirm_seq', 'bigint', (c) => c.notNull().defaultTo(next))
    .addPrimaryKeyConstraint('display_messages_pkey', ['station_id', 'message_id'])
    .execute();
  await db.schema
    .createTable('display_message_requests')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('request_id', 'integer', (c) => c.notNull())
    .addColumn('criteria', 'jsonb')
    .addColumn('status', 'text')
    .addColumn('complete', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(next))
    .addPrimaryKeyConstraint('display_message_requests_pkey', ['station_id', 'request_id'])
    .execute();
}

export async function dropDisplayMessageTables(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('display_message_requests').ifExists().execute();
  await db.schema.dropTable('display_messages').ifExists().execute();
  await sql`drop sequence if exists display_message_confirmations`.execute(db);
}
