import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import pg from 'pg';
import { runPipeline } from './group-commit/pipelined-batch.js';
import { pgQueryResult, postgresDialectWith } from './group-commit/query-result.js';
import type { StatementNames } from './prepared-statements.js';

/**
 * The PostgreSQL driver of the ordinary database handle. Its transactions send their `BEGIN` (and, in a
 * fenced transaction of a distributed worker, the partition fence check) in the same pipeline and socket
 * write as their first statement, instead of a round trip of their own: a station CALL that writes in a
 * transaction (a TransactionEvent, a StartTransaction, a BootNotification...) costs one round trip, one
 * socket write and one backend wake-up fewer (BENCHMARKS.md).
 *
 * `BEGIN` is deferred until the transaction's first statement: with parameters (every station action's),
 * it leaves as `BEGIN`, [the fence check,] the statement and one Sync (see pipelined-batch.ts; after
 * the Sync the transaction stays open, as after any `BEGIN`); a first statement without parameters (a
 * migration's DDL, which may hold several statements, which the extended protocol refuses) is preceded by
 * a plain `begin` [with the check] as before. A transaction that sent nothing commits or rolls back
 * nothing, except that a fenced one still checks its fence at commit. A transaction's refused statement
 * is remembered: its commit then fails with that error instead of sending a `COMMIT` that PostgreSQL
 * would turn into a silent rollback (a caller that caught the error must not report it as stored).
 */

/** What a deferred `BEGIN` sends before the transaction's first statement (set per transaction). */
export interface TransactionPrelude {
  /** A statement run right after `BEGIN` (the fence check), or undefined. */
  readonly check?: CompiledQuery;
  /** The same as one simple-protocol text (no parameters), used before a first statement without any. */
  readonly simpleBegin: string;
  /** The error of a refused check (e.g. the fence moved on). */
  refused(error: unknown): Error;
}

export interface TransactionDriverOptions {
  /** Statement names (prepared statements); undefined: unnamed. */
  readonly names: StatementNames | undefined;
  /** Asked at `BEGIN` (in the caller's async context): what the transaction must check first. */
  readonly preludeOf: () => TransactionPrelude | undefined;
}

const PLAIN_BEGIN: TransactionPrelude = { simpleBegin: 'begin', refused: (error) => asError(error) };

/** A Kysely dialect for `pool` whose transactions defer their `BEGIN` (see above). */
export function pipelinedTransactionDialect(pool: pg.Pool, options: TransactionDriverOptions): Dialect {
  return postgresDialectWith(pool, () => new PipelinedTransactionDriver(pool, options));
}

class PipelinedTransactionDriver implements Driver {
  #pool: pg.Pool | undefined;

  constructor(
    pool: pg.Pool,
    readonly options: TransactionDriverOptions,
  ) {
    this.#pool = pool;
  }

  init(): Promise<void> {
    return Promise.resolve();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.#pool) throw new Error('the database handle is closed');
    return new PipelinedConnection(await this.#pool.connect(), this.options.names);
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as PipelinedConnection;
    if (settings.isolationLevel || settings.accessMode) {
      // Not used by the CSMS; sent at once as Kysely's own driver does.
      const mode = [
        settings.isolationLevel && `isolation level ${settings.isolationLevel}`,
        settings.accessMode,
      ];
      return c
        .executeQuery(CompiledQuery.raw(`start transaction ${mode.filter(Boolean).join(' ')}`))
        .then(() => {});
    }
    c.deferBegin(this.options.preludeOf() ?? PLAIN_BEGIN);
    return Promise.resolve();
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as PipelinedConnection).end('commit');
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as PipelinedConnection).end('rollback');
  }

  async savepoint(connection: DatabaseConnection, name: string) {
    await savepointCommand(connection, 'savepoint', name);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string) {
    await savepointCommand(connection, 'rollback to savepoint', name);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string) {
    await savepointCommand(connection, 'release savepoint', name);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PipelinedConnection).release();
    return Promise.resolve();
  }

  async destroy(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }
}

/** Kysely's savepoint API (the CSMS uses none): the name as a quoted identifier. */
function savepointCommand(connection: DatabaseConnection, command: string, name: string) {
  return connection.executeQuery(CompiledQuery.raw(`${command} "${name.replaceAll('"', '""')}"`));
}

/** Marks a write whose result its caller does not need (see {@link deferredWrite}). */
const DEFERRED = Symbol('deferred write');

/**
 * `query` as a write that may wait inside its transaction until the transaction's next statement or its
 * `COMMIT`, and leave in the same pipeline and socket write: it resolves at once with no rows (its caller
 * must not need its result), and should it fail, that next statement or the commit fails with its error,
 * so the transaction is rolled back as a whole (nothing is stored that was not also committed). Outside a
 * transaction of this driver (PGlite, the group-commit handle, no transaction) it runs at once as usual.
 */
export function deferredWrite<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  return Object.assign(Object.create(null) as object, query, { [DEFERRED]: true });
}

function isDeferred(query: CompiledQuery): boolean {
  return (query as { [DEFERRED]?: boolean })[DEFERRED] === true;
}

const BEGIN = CompiledQuery.raw('begin');
const COMMIT = CompiledQuery.raw('commit');

class PipelinedConnection implements DatabaseConnection {
  readonly #client: pg.PoolClient;
  readonly #names: StatementNames | undefined;
  /** A transaction of this driver is open (from `BEGIN`, sent or not, to its end). */
  #inTransaction = false;
  /** A `BEGIN` not sent yet (the transaction has run no statement). */
  #pending: TransactionPrelude | undefined;
  /** Deferred writes not sent yet (see {@link deferredWrite}). */
  #deferred: CompiledQuery[] = [];
  /** The first refused statement of the open transaction. */
  #failed: Error | undefined;
  /** The connection itself failed: it is destroyed on release, not pooled. */
  #broken: Error | undefined;

  constructor(client: pg.PoolClient, names: StatementNames | undefined) {
    this.#client = client;
    this.#names = names;
  }

  deferBegin(prelude: TransactionPrelude): void {
    this.#inTransaction = true;
    this.#pending = prelude;
    this.#deferred = [];
    this.#failed = undefined;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#inTransaction && isDeferred(query)) {
      this.#deferred.push(query);
      return { rows: [] };
    }
    try {
      return (await this.#send(query)) as QueryResult<R>;
    } catch (error) {
      this.#failed ??= asError(error);
      if (!(error instanceof pg.DatabaseError)) this.#broken ??= asError(error);
      throw error;
    }
  }

  /** Sends `query` after what is still waiting (the deferred `BEGIN`, deferred writes), in one pipeline when it can. */
  async #send(query: CompiledQuery): Promise<QueryResult<unknown>> {
    const prelude = this.#pending;
    const deferred = this.#deferred;
    this.#pending = undefined;
    this.#deferred = [];
    // A statement with parameters goes as a pipeline even alone: the same messages as pg's own query, plus the
    // row plans of pipelined-batch.ts (no Describe once a connection knows the statement's columns).
    if (query.parameters.length > 0) return this.#pipelined(prelude, deferred, query);
    if (prelude === undefined && deferred.length === 0)
      return pgQueryResult(await this.#client.query(query.sql));
    if (query === COMMIT) return this.#pipelined(prelude, deferred, query);
    // A statement without parameters may hold several (a migration's DDL): the extended protocol refuses it.
    if (prelude !== undefined) await this.#simpleBegin(prelude);
    if (deferred.length > 0) await this.#pipelined(undefined, deferred, undefined);
    return pgQueryResult(await this.#client.query(query.sql));
  }

  streamQuery(): never {
    throw new Error('streaming queries is not supported by this driver');
  }

  /**
   * Ends the transaction. A commit sends the deferred writes with it; a transaction that ran nothing sends
   * nothing (a fenced one still confirms its fence: its commit means "still the owner"); a commit after a
   * refusal fails with it.
   */
  async end(command: 'commit' | 'rollback'): Promise<void> {
    const failed = this.#failed;
    this.#inTransaction = false;
    this.#failed = undefined;
    if (command === 'rollback') {
      const sent = this.#pending === undefined;
      this.#pending = undefined;
      this.#deferred = [];
      if (sent) await this.#client.query('rollback');
      return;
    }
    if (failed !== undefined) throw failed;
    const prelude = this.#pending;
    if (prelude !== undefined && this.#deferred.length === 0) {
      this.#pending = undefined;
      if (prelude.check === undefined) return;
      // A refused check is thrown; Kysely then rolls back (the BEGIN was sent).
      await this.#simpleBegin(prelude);
      await this.#client.query('commit');
      return;
    }
    // With the deferred writes in one pipeline; a refusal is thrown, and Kysely then rolls back.
    await this.#send(COMMIT).catch((error: unknown) => {
      if (!(error instanceof pg.DatabaseError)) this.#broken ??= asError(error);
      throw error;
    });
  }

  release(): void {
    this.#inTransaction = false;
    this.#pending = undefined;
    this.#deferred = [];
    this.#failed = undefined;
    this.#client.release(this.#broken);
  }

  async #simpleBegin(prelude: TransactionPrelude): Promise<void> {
    try {
      await this.#client.query(prelude.simpleBegin);
    } catch (error) {
      throw error instanceof pg.DatabaseError ? prelude.refused(error) : error;
    }
  }

  /**
   * One pipeline: [`BEGIN`, the check,] the deferred writes[, `query`], one Sync. Returns `query`'s result.
   * A refused prelude statement is the prelude's error; any other refusal is passed on (the transaction is
   * then aborted, and the caller's rollback ends it).
   */
  async #pipelined(
    prelude: TransactionPrelude | undefined,
    deferred: readonly CompiledQuery[],
    query: CompiledQuery | undefined,
  ): Promise<QueryResult<unknown>> {
    const head = prelude === undefined ? [] : prelude.check ? [BEGIN, prelude.check] : [BEGIN];
    const queries = [...head, ...deferred, ...(query ? [query] : [])];
    const outcome = await runPipeline(this.#client, queries, this.#names);
    if (outcome.ok) return pgQueryResult(outcome.results[queries.length - 1] ?? emptyResult);
    if (prelude !== undefined && outcome.failedAt < head.length) throw prelude.refused(outcome.error);
    throw asError(outcome.error);
  }
}

const emptyResult = { command: null, rowCount: null, rows: [] };

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
