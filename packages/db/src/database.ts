import { mkdirSync } from 'node:fs';
import { Kysely, Migrator, sql, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { fencedBeginPrelude, fencePrelude } from './fences/fenced-transaction.js';
import { migrations } from './migrations/index.js';
import { GroupCommitter, groupCommitDialect, type GroupCommitStats } from './group-commit/group-commit.js';
import { preparingClient, StatementNames } from './prepared-statements.js';
import { pipelinedTransactionDialect } from './transaction-driver.js';

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
      /**
       * Group the single statements run on {@link DatabaseHandle.autocommitDb} into shared round trips and
       * commits (default true; see group-commit/group-commit.ts).
       */
      readonly groupCommit?: boolean;
      /** Group commit: batches on their way at once (default 8; each holds a pooled connection). */
      readonly groupCommitBatches?: number;
    }
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'pglite-memory' };

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  /**
   * For single statements outside a transaction whose callers may share a commit with others (the
   * autocommit station actions): group-committed on PostgreSQL unless disabled; `db` itself otherwise.
   * Refuses transactions when group-committed.
   */
  readonly autocommitDb: Kysely<Database>;
  /** What group commit did so far; undefined when it is off. */
  groupCommitStats(): GroupCommitStats | undefined;
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
    const names = config.preparedStatements === false ? undefined : statementNames;
    // Transactions send their BEGIN (and a fenced one its fence check) with their first statement.
    const db = new Kysely<Database>({
      dialect: pipelinedTransactionDialect(pool, { names, preludeOf: fencedBeginPrelude }),
    });
    await sql`select 1`.execute(db);
    if (config.groupCommit === false)
      return {
        db,
        autocommitDb: db,
        groupCommitStats: () => undefined,
        kind: 'postgres',
        close: () => db.destroy(),
      };
    const committer = new GroupCommitter(pool, names, {
      // Statements run under fencedStatements (distributed workers) carry the partition fence check.
      preludeOf: fencePrelude,
      ...(config.groupCommitBatches !== undefined ? { maxBatchesInFlight: config.groupCommitBatches } : {}),
    });
    const autocommitDb = new Kysely<Database>({ dialect: groupCommitDialect(pool, committer) });
    return {
      db,
      autocommitDb,
      groupCommitStats: () => committer.stats,
      kind: 'postgres',
      close: async () => {
        await autocommitDb.destroy();
        await db.destroy();
      },
    };
  }
  // Loaded only for PGlite: a PostgreSQL process never loads the WebAssembly build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  const { PreparedPglite } = await import('./pglite/prepared-pglite.js');
  // int8 (OID 20) as text, like pg does, so bigint ids have one type on both drivers.
  const options = { parsers: { 20: (value: string) => value } };
  let pglite: InstanceType<typeof PGlite>;
  if (config.kind === 'pglite') {
    mkdirSync(config.dataDir, { recursive: true });
    pglite = await PGlite.create(config.dataDir, options);
  } else {
    pglite = await PGlite.create(options);
  }
  // Statements with parameters run prepared (pglite/prepared-pglite.ts). The dialect takes a PGlite and uses only
  // its `query(sql, params)` and `close()`, which PreparedPglite offers.
  const prepared = new PreparedPglite(pglite);
  const db = new Kysely<Database>({
    dialect: new PGliteDialect(prepared as unknown as InstanceType<typeof PGlite>),
  });
  return {
    db,
    // PGlite runs in this thread, one statement at a time: there is no round trip to share.
    autocommitDb: db,
    groupCommitStats: () => undefined,
    kind: config.kind,
    close: async () => {
      await db.destroy();
      await prepared.close();
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
