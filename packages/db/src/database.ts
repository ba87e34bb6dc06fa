import { mkdirSync } from 'node:fs';
import { Kysely, Migrator, PostgresDialect, sql, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { fencingDialect } from './fences/fenced-transaction.js';
import { migrations } from './migrations/index.js';
import { preparingClient, StatementNames } from './prepared-statements.js';

/** One set of statement names per process, shared by its pools (names are per connection on the server). */
const statementNames = new StatementNames();

/**
 * Where the CSMS keeps its data: a PostgreSQL server (`postgres`), or PGlite, PostgreSQL compiled to
 * WebAssembly, in a local folder (`pglite`, the embedded default; one process only).
 */
export type DatabaseConfig =
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly poolSize?: number;
      /** Run parameterised queries as named prepared statements (default true; see prepared-statements.ts). */
      readonly preparedStatements?: boolean;
    }
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'pglite-memory' };

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseConfig['kind'];
  close(): Promise<void>;
}

// pg returns int8/bigint columns as strings (ids may exceed 2^53); PGlite is set up to do the same.

/** Opens the database (without migrating: call {@link migrateToLatest}). */
export async function openDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize ?? 10,
      ...(config.preparedStatements === false ? {} : { Client: preparingClient(statementNames) }),
    });
    // An idle client's error (server restart) must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: fencingDialect(new PostgresDialect({ pool })) });
    await sql`select 1`.execute(db);
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  let pglite: InstanceType<typeof PGlite>;
  // int8 (OID 20) as text, like pg does, so bigint ids have one type on both drivers.
  const options = { parsers: { 20: (value: string) => value } };
  if (config.kind === 'pglite') {
    mkdirSync(config.dataDir, { recursive: true });
    pglite = await PGlite.create(config.dataDir, options);
  } else {
    pglite = await PGlite.create(options);
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: config.kind,
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Brings the schema to the latest migration; a no-op when it is already there. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve({ ...migrations }) },
    migrationTableName: 'csms_migration',
    migrationLockTableName: 'csms_migration_lock',
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`migration ${failed} failed`, { cause: result.error });
  }
  return result;
}
