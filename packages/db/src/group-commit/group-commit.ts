import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import pg from 'pg';
import type { StatementNames } from '../prepared-statements.js';
import { runPipeline, type BatchOutcome } from './pipelined-batch.js';
import { pgQueryResult, postgresDialectWith } from './query-result.js';

/**
 * Group commit: the single statements that concurrent callers run outside a transaction (the autocommit
 * station actions: Heartbeat, StatusNotification, MeterValues, Authorize) go to PostgreSQL together, many
 * per round trip and per commit, instead of one socket write, one backend wake-up and one WAL flush each.
 *
 * Batching is natural, not timed: a statement waits only while up to `maxBatchesInFlight` earlier batches
 * are on their way (a caller alone goes at once), and everything that arrived in the meantime leaves in the
 * next batch (at most `maxStatements`). Each caller's promise settles when its batch has committed, so an
 * answer that follows it still follows the durable commit of its effects (ARCHITECTURE.md invariant).
 *
 * A batch is one implicit transaction (see pipelined-batch.ts): when the server refuses one statement,
 * the whole batch is rolled back, and its statements run again one by one, each in its own transaction,
 * so the refused one gets its own error and the others their results, as if they had never been grouped.
 * A connection that fails mid-batch fails every statement of it (as it would fail a single query: the
 * commit may or may not have happened, so nothing is retried).
 */

export interface GroupCommitOptions {
  /** Most statements in one batch (default 100). */
  readonly maxStatements?: number;
  /** Batches on their way at once, each on its own pooled connection (default 8). */
  readonly maxBatchesInFlight?: number;
  /** Asked for each statement when it is queued (in the caller's async context): its prelude, if any. */
  readonly preludeOf?: () => Prelude | undefined;
}

/** Counters of what the committer did since it started. */
export interface GroupCommitStats {
  readonly batches: number;
  readonly statements: number;
  /** Batches rolled back by a refused statement and replayed one statement at a time. */
  readonly replayedBatches: number;
}

/**
 * A statement sent before an item's own, in the same implicit transaction (e.g. the partition fence check
 * of distributed workers): when it fails, the item fails with `refused(error)`.
 */
export interface Prelude {
  readonly query: CompiledQuery;
  refused(error: unknown): Error;
}

interface Pending {
  readonly query: CompiledQuery;
  readonly prelude: Prelude | undefined;
  readonly resolve: (result: QueryResult<unknown>) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommitter {
  readonly #pool: pg.Pool;
  readonly #names: StatementNames | undefined;
  readonly #maxStatements: number;
  readonly #maxInFlight: number;
  readonly #preludeOf: () => Prelude | undefined;
  #queue: Pending[] = [];
  #inFlight = 0;
  #scheduled = false;
  #idle: (() => void)[] = [];
  #stats = { batches: 0, statements: 0, replayedBatches: 0 };

  constructor(pool: pg.Pool, names: StatementNames | undefined, options: GroupCommitOptions = {}) {
    this.#pool = pool;
    this.#names = names;
    this.#maxStatements = options.maxStatements ?? 100;
    this.#maxInFlight = options.maxBatchesInFlight ?? 8;
    this.#preludeOf = options.preludeOf ?? (() => undefined);
  }

  get stats(): GroupCommitStats {
    return { ...this.#stats };
  }

  /** Runs `query` in the next batch; settles after that batch's commit. */
  execute(query: CompiledQuery): Promise<QueryResult<unknown>> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ query, prelude: this.#preludeOf(), resolve, reject });
      // After the current I/O phase: the statements of every message read in it join one batch.
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#pump);
      }
    });
  }

  /** Resolves once nothing is queued or on its way. */
  drained(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  readonly #pump = (): void => {
    this.#scheduled = false;
    while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxStatements);
      this.#inFlight++;
      void this.#run(batch).finally(() => {
        this.#inFlight--;
        if (this.#queue.length > 0) this.#pump();
        else if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    }
  };

  async #run(batch: Pending[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    let broken: Error | undefined;
    try {
      this.#stats.batches++;
      this.#stats.statements += batch.length;
      const outcome = await this.#send(client, batch);
      if (!outcome.ok && batch.length > 1 && outcome.error instanceof pg.DatabaseError) {
        // Rolled back at the Sync: nothing of the batch is stored. Replay each item on its own.
        this.#stats.replayedBatches++;
        for (const p of batch) broken ??= settle([p], await this.#send(client, [p]));
      } else {
        broken = settle(batch, outcome);
      }
    } finally {
      // A connection that failed mid-batch is not given back to others.
      client.release(broken);
    }
  }

  #send(client: pg.PoolClient, batch: readonly Pending[]): Promise<BatchOutcome> {
    const queries = batch.flatMap(({ query, prelude }) => (prelude ? [prelude.query, query] : [query]));
    return runPipeline(client, queries, this.#names, false);
  }
}

/**
 * Hands a batch's outcome to its callers: each item's own statement's result, or the error (the prelude's
 * refusal as its item's `refused` error). Returns the error of a failed connection (not a server refusal).
 */
function settle(batch: readonly Pending[], outcome: BatchOutcome): Error | undefined {
  if (outcome.ok) {
    let index = 0;
    for (const p of batch) {
      if (p.prelude) index++;
      const result = outcome.results[index++];
      if (result) p.resolve(pgQueryResult(result));
      else p.reject(new Error('group commit: no result for a statement of the batch'));
    }
    return undefined;
  }
  const { error, failedAt } = outcome;
  const only = batch.length === 1 ? batch[0] : undefined;
  for (const p of batch) p.reject(only?.prelude && failedAt === 0 ? only.prelude.refused(error) : error);
  if (error instanceof pg.DatabaseError) return undefined;
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * A Kysely dialect whose queries go through `committer`. Transactions are refused: this handle is for
 * single statements; the pool's ordinary handle runs transactions.
 */
export function groupCommitDialect(pool: pg.Pool, committer: GroupCommitter): Dialect {
  return postgresDialectWith(pool, () => new GroupCommitDriver(committer));
}

class GroupCommitDriver implements Driver {
  readonly #connection: DatabaseConnection;

  constructor(readonly committer: GroupCommitter) {
    this.#connection = {
      executeQuery: <R>(query: CompiledQuery) => committer.execute(query) as Promise<QueryResult<R>>,
      streamQuery: () => {
        throw new Error('streaming is not available on the group-commit handle');
      },
    };
  }

  init(): Promise<void> {
    return Promise.resolve();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(this.#connection);
  }

  beginTransaction(): Promise<void> {
    return Promise.reject(
      new Error('the group-commit handle runs single statements: use the database handle for transactions'),
    );
  }

  commitTransaction(): Promise<void> {
    return this.beginTransaction();
  }

  rollbackTransaction(): Promise<void> {
    return this.beginTransaction();
  }

  releaseConnection(): Promise<void> {
    return Promise.resolve();
  }

  /** Waits for what is queued; the pool belongs to the ordinary handle, which ends it. */
  destroy(): Promise<void> {
    return this.committer.drained();
  }
}
