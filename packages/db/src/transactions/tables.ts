import { sql, type Kysely } from 'kysely';

// DDL run by migrations (src/migrations): history, so it takes Kysely<any> and must never change once
// released; a later change to these tables is a new function called by a new migration.
/* eslint-disable @typescript-eslint/no-explicit-any */

const TABLES = ['transactions', 'transaction_events', 'meter_values'] as const;

/** `transactions`, `transaction_events`, `meter_values` (migration 2026_11_21_00_00_00_create_core_tables). */
export async function createTransactionTables(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('transactions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('ocpp_version', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('evse_id', 'integer')
    .addColumn('connector_id', 'integer')
    .addColumn('id_token', 'text')
    .addColumn('id_token_type', 'text')
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('active','ended')`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('meter_start', 'double precision')
    .addColumn('meter_stop', 'double precision')
    .addColumn('stop_reason', 'text')
    .addColumn('charging_state', 'text')
    .addColumn('last_seq_no', 'integer')
    .addColumn('remote_start_id', 'integer')
    .addColumn('reservation_id', 'integer')
    .addColumn('start_key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('transactions_station_tx_uq', ['station_id', 'transaction_id'])
    .addUniqueConstraint('transactions_start_key_uq', ['station_id', 'start_key'])
    .execute();
  await db.schema
    .createIndex('transactions_active_idx')
    .on('transactions')
    .columns(['station_id', 'state'])
    .execute();
  await db.schema
    .createIndex('transactions_id_token_idx')
    .on('transactions')
    .columns(['id_token', 'state'])
    .execute();

  await db.schema
    .createTable('transaction_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('seq_no', 'integer', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('trigger_reason', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('offline', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('transaction_events_seq_uq', ['station_id', 'transaction_id', 'seq_no'])
    .execute();

  await db.schema
    .createTable('meter_values')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('transaction_ref', 'bigint', (c) => c.references('transactions.id').onDelete('cascade'))
    .addColumn('evse_id', 'integer')
    .addColumn('connector_id', 'integer')
    .addColumn('timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('sampled_values', 'jsonb', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('meter_values_dedupe_uq', ['station_id', 'dedupe_key'])
    .execute();
  await db.schema
    .createIndex('meter_values_tx_idx')
    .on('meter_values')
    .columns(['transaction_ref', 'timestamp'])
    .execute();
}

export async function dropTransactionTables(db: Kysely<any>): Promise<void> {
  for (const table of [...TABLES].reverse()) await db.schema.dropTable(table).ifExists().execute();
}

/**
 * `owner_epoch` on the appended tables (migration 2026_11_21_01_00_00_create_partition_fences): the
 * epoch the fence check of the writing transaction put in `csms.epoch` (see the fences domain), the
 * evidence that no two owners of a station's partition ever interleaved writes.
 */
export async function addOwnerEpochColumns(db: Kysely<any>): Promise<void> {
  const epochDefault = sql`nullif(current_setting('csms.epoch', true), '')::bigint`;
  for (const table of TABLES) {
    await db.schema
      .alterTable(table)
      .addColumn('owner_epoch', 'bigint', (c) => c.defaultTo(epochDefault))
      .execute();
  }
}

export async function dropOwnerEpochColumns(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) await db.schema.alterTable(table).dropColumn('owner_epoch').execute();
}

/**
 * Who ended a transaction and why, and the first / last energy register reading of its 2.0.1 events
 * (migration 2026_11_22_00_00_00_add_transaction_end_columns). Rows ended before it are attributed the
 * way they were ended: a 1.6 transaction without meter_stop was ended by the CSMS (a newer start on its
 * connector), every other ended row by its station.
 */
export async function addTransactionEndColumns(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('transactions')
    .addColumn('ended_by', 'text', (c) => c.check(sql`ended_by in ('station','csms','operator')`))
    .addColumn('end_note', 'text')
    .addColumn('register_first_wh', 'double precision')
    .addColumn('register_first_at', 'timestamptz')
    .addColumn('register_last_wh', 'double precision')
    .addColumn('register_last_at', 'timestamptz')
    .execute();
  await sql`update transactions
    set ended_by = case when ocpp_version = 'ocpp1.6' and meter_stop is null then 'csms' else 'station' end,
        end_note = case when ocpp_version = 'ocpp1.6' and meter_stop is null
          then 'superseded by a newer transaction on the connector' end
    where state = 'ended'`.execute(db);
}

export async function dropTransactionEndColumns(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('transactions')
    .dropColumn('ended_by')
    .dropColumn('end_note')
    .dropColumn('register_first_wh')
    .dropColumn('register_first_at')
    .dropColumn('register_last_wh')
    .dropColumn('register_last_at')
    .execute();
}
