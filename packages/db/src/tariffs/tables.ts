import { sql, type Kysely } from 'kysely';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * `tariffs` and `transaction_costs` (migration 2026_12_06_00_30_00_create_tariffs). A tariff's scope is one
 * of: default (no station, no group), a station, an EVSE of a station, an id-token group; one tariff per
 * scope (the unique index over the scope columns). A transaction's final cost is kept per transactions row.
 */
export async function createTariffTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tariffs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('price_per_kwh', 'numeric', (c) => c.notNull().check(sql`price_per_kwh >= 0`))
    .addColumn('price_per_hour', 'numeric', (c) => c.notNull().check(sql`price_per_hour >= 0`))
    .addColumn('flat_fee', 'numeric', (c) => c.notNull().check(sql`flat_fee >= 0`))
    .addColumn('tax_rate_percent', 'numeric', (c) =>
      c.notNull().check(sql`tax_rate_percent >= 0 and tax_rate_percent <= 100`),
    )
    .addColumn('display_text', 'text', (c) => c.notNull())
    .addColumn('display_texts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('station_id', 'text', (c) => c.references('stations.id').onDelete('cascade'))
    .addColumn('evse_id', 'integer')
    .addColumn('id_token_group', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('tariffs_evse_needs_station', sql`evse_id is null or station_id is not null`)
    .addCheckConstraint('tariffs_one_scope', sql`id_token_group is null or station_id is null`)
    .execute();
  await sql`create unique index tariffs_scope_idx on tariffs
    (coalesce(station_id, ''), coalesce(evse_id, -1), coalesce(id_token_group, ''))`.execute(db);
  await db.schema
    .createTable('transaction_costs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('transaction_ref', 'bigint', (c) =>
      c.notNull().unique().references('transactions.id').onDelete('cascade'),
    )
    .addColumn('tariff_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('energy_wh', 'double precision', (c) => c.notNull())
    .addColumn('duration_s', 'double precision', (c) => c.notNull())
    .addColumn('subtotal', 'numeric', (c) => c.notNull())
    .addColumn('tax', 'numeric', (c) => c.notNull())
    .addColumn('total', 'numeric', (c) => c.notNull())
    .addColumn('computed_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function dropTariffTables(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('transaction_costs').ifExists().execute();
  await db.schema.dropTable('tariffs').ifExists().execute();
}
