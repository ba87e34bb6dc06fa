import { PostgresDialect, type Dialect, type Driver, type QueryResult } from 'kysely';
import type pg from 'pg';

/** What pg answers for one statement (its `QueryResult`, or a pipelined batch's result of one statement). */
export interface PgStatementResult {
  readonly command: string | null;
  readonly rowCount: number | null;
  readonly rows?: unknown[];
}

/** pg's result in Kysely's shape (as Kysely's own PostgresConnection maps it). */
export function pgQueryResult(result: PgStatementResult): QueryResult<unknown> {
  const { command, rowCount } = result;
  const affects = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
  const rows = result.rows ?? [];
  return affects && rowCount !== null ? { numAffectedRows: BigInt(rowCount), rows } : { rows };
}

/** PostgreSQL's dialect for `pool` with a driver of our own (the group committer's, the pipelined transactions'). */
export function postgresDialectWith(pool: pg.Pool, createDriver: () => Driver): Dialect {
  const postgres = new PostgresDialect({ pool });
  return {
    createAdapter: () => postgres.createAdapter(),
    createQueryCompiler: () => postgres.createQueryCompiler(),
    createIntrospector: (db) => postgres.createIntrospector(db),
    createDriver,
  };
}
