import { sql, type Kysely } from 'kysely';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The local authorization list the CSMS last sent to each station and the station accepted
 * (1.6 §5.15 / 2.0.1 D01-D02): its version and its entries. A station without a row has version 0
 * (no list). Entries without a status do not exist: a differential removal deletes the row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('local_auth_lists')
    .addColumn('station_id', 'text', (c) => c.primaryKey().references('stations.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 0`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createTable('local_auth_list_entries')
    .addColumn('station_id', 'text', (c) =>
      c.notNull().references('local_auth_lists.station_id').onDelete('cascade'),
    )
    .addColumn('id_token', 'text', (c) => c.notNull())
    .addColumn('type', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('Accepted','Blocked','Expired','Invalid','ConcurrentTx')`),
    )
    .addColumn('expires_at', 'timestamptz')
    .addColumn('group_id', 'text')
    .addPrimaryKeyConstraint('local_auth_list_entries_pk', ['station_id', 'id_token'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('local_auth_list_entries').ifExists().execute();
  await db.schema.dropTable('local_auth_lists').ifExists().execute();
}
