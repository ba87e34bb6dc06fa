import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type Compilable,
  type CompiledQuery,
  type QueryResult,
} from 'kysely';
import type { Database } from './schema.js';
import { deferredWrite } from './transaction-driver.js';

/**
 * A query built and compiled once, run many times with new parameter values: for the statements every
 * station CALL sends (Kysely builds an immutable tree and compiles it to SQL on every execution; in the
 * CPU profile of the embedded CSMS that was about a seventh of the process's busy time, BENCHMARKS.md).
 * Kysely's recipe "splitting build, compile and execute" describes the pieces: a query compiled by a
 * Kysely instance without a connection, executed with `db.executeQuery(compiledQuery)` on any handle
 * (the ordinary one, a transaction, the group-commit handle), so it runs exactly as the built query would.
 *
 * The builder function receives stand-ins for its parameters (`p.stationId` is a marker object while the
 * query is built) and must use each only as a value: in a comparison, an insert or update value, or a
 * `sql` template's `${...}`; never in JavaScript logic (a branch, `JSON.stringify`, an `in` list), since
 * the shape is fixed at build time. A value computed from parameters is passed as a parameter of its own.
 */
export interface QueryTemplate<P, R> {
  /** The compiled SQL text (the same for every run: one prepared statement). */
  readonly sql: string;
  run(db: Kysely<Database>, params: P): Promise<QueryResult<R>>;
  /**
   * Runs it as a deferred write (see `deferredWrite` in transaction-driver.ts): inside a transaction on
   * PostgreSQL it leaves with the transaction's next statement or its commit, in the same round trip; for a
   * write whose result the caller does not need.
   */
  defer(db: Kysely<Database>, params: P): Promise<void>;
}

/** A parameter's stand-in while a template is built. */
class Slot {
  constructor(readonly key: string) {}
}

/** Compiles without a connection (PostgreSQL's SQL; PGlite speaks the same). */
const compiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

type Parameter = { readonly key: string } | { readonly value: unknown };

export function queryTemplate<P extends object, R>(
  build: (db: Kysely<Database>, p: P) => Compilable<R>,
): QueryTemplate<P, R> {
  const stand = new Proxy({} as P, { get: (_target, key) => new Slot(String(key)) });
  const compiled = build(compiler, stand).compile();
  const parameters: Parameter[] = compiled.parameters.map((v) =>
    v instanceof Slot ? { key: v.key } : { value: v },
  );
  const bind = (params: P): CompiledQuery<R> => {
    const values = params as Record<string, unknown>;
    // Field by field, not `{ ...compiled, parameters }`: on Node 20 a literal that adds members after a spread
    // costs ~0.7 µs per member (docs/architecture.md, "Hot paths"), and this runs for every statement.
    return {
      query: compiled.query,
      queryId: compiled.queryId,
      sql: compiled.sql,
      parameters: parameters.map((p) => ('key' in p ? values[p.key] : p.value)),
    };
  };
  return {
    sql: compiled.sql,
    run: (db, params) => db.executeQuery(bind(params)),
    defer: async (db, params) => {
      await db.executeQuery(deferredWrite(bind(params)));
    },
  };
}
