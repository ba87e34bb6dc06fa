import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type TransactionSettings,
} from 'kysely';
import type { Prelude } from '../group-commit/group-commit.js';
import type { Database } from '../schema.js';

/**
 * A database transaction that starts with the partition fence check in the same round trip as its
 * `BEGIN` (distributed workers: every station CALL is one such transaction, so this saves a statement
 * per CALL; BENCHMARKS.md counts what a statement costs).
 *
 * The check is {@link checkPartitionFence}'s (the fence row locked FOR SHARE, `csms.epoch` set for the
 * rows the transaction appends), sent as `begin; select ...` in one simple-protocol message. The simple
 * protocol takes no parameters, so the partition and the epoch are written into the text, after being
 * checked to be plain integers. A fence not at the epoch makes that statement fail (a division by the
 * zero rows found), which {@link fencedTransaction} turns into a {@link FenceRejectedError} after rolling
 * back, so the connection goes back to the pool clean.
 */

/** The partition's fence is not at the epoch: a newer owner holds it (or it was never acquired). */
export class FenceRejectedError extends Error {
  override name = 'FenceRejectedError';
  constructor(readonly partition: number) {
    super(`partition ${partition} is fenced: its fence is not at this worker's epoch`);
  }
}

interface PendingFence {
  readonly partition: number;
  readonly epoch: string;
}

/** The fence the next `BEGIN` of this async context must check (set by {@link fencedTransaction} only). */
const pendingFence = new AsyncLocalStorage<PendingFence>();

/**
 * Runs `fn` in a database transaction whose `BEGIN` also checks that `partition`'s fence is at `epoch`.
 * Needs a database opened by `openDatabase` on PostgreSQL (its dialect is wrapped by
 * {@link fencingDialect}); throws {@link FenceRejectedError} when the fence is not at the epoch.
 */
export function fencedTransaction<T>(
  db: Kysely<Database>,
  partition: number,
  epoch: string,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  checkFence(partition, epoch);
  // Only the BEGIN of this transaction checks: the store is left before `fn` runs.
  return pendingFence.run({ partition, epoch }, () =>
    db.transaction().execute((trx) => pendingFence.exit(() => fn(trx))),
  );
}

/** The fence every group-committed statement of this async context carries (set by {@link fencedStatements}). */
const statementFence = new AsyncLocalStorage<PendingFence>();

/**
 * Runs `fn` with `db`, a group-commit handle (`DatabaseHandle.autocommitDb` on PostgreSQL), so that each
 * statement it sends carries the fence check of `partition` at `epoch` as its prelude: both go to
 * PostgreSQL in the same pipeline and the same implicit transaction, one round trip for the check, the
 * statement and its commit (a fenced transaction takes three: `BEGIN` + check, statement, `COMMIT`). For
 * the single-statement station actions of distributed workers. Throws {@link FenceRejectedError} when the
 * fence is not at the epoch (nothing of that statement is stored).
 *
 * Only a group-commit handle reads the fence: with any other handle the statements would run unfenced,
 * so callers must pass one (the worker's wiring does; see `PartitionFence.statements`).
 */
export function fencedStatements<T>(
  db: Kysely<Database>,
  partition: number,
  epoch: string,
  fn: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  checkFence(partition, epoch);
  return statementFence.run({ partition, epoch }, () => fn(db));
}

/**
 * The fence check of the current {@link fencedStatements} context, as a group-commit prelude (the same
 * check as the fenced `BEGIN`'s: the fence row FOR SHARE, `csms.epoch` set for `owner_epoch`, a division
 * by the zero rows found when the fence moved on).
 */
export function fencePrelude(): Prelude | undefined {
  const fence = statementFence.getStore();
  if (fence === undefined) return undefined;
  return {
    query: CompiledQuery.raw(
      `select set_config('csms.epoch', $1::text, true) as epoch, 1 / count(*) as held ` +
        `from (select 1 from partition_fences where partition = $2 and epoch = $1::bigint for share) f`,
      [fence.epoch, fence.partition],
    ),
    refused: (error) =>
      (error as { code?: unknown }).code === '22012'
        ? new FenceRejectedError(fence.partition)
        : error instanceof Error
          ? error
          : new Error(String(error)),
  };
}

function checkFence(partition: number, epoch: string): void {
  if (!Number.isSafeInteger(partition) || partition < 0) throw new RangeError(`bad partition ${partition}`);
  if (!/^\d{1,19}$/.test(epoch)) throw new RangeError(`bad epoch ${epoch}`);
}

/** The `BEGIN` with the fence check: one simple-protocol message, two statements. */
function fencedBegin({ partition, epoch }: PendingFence): CompiledQuery {
  return CompiledQuery.raw(
    `begin; select set_config('csms.epoch', '${epoch}', true), 1 / count(*) as held ` +
      `from (select 1 from partition_fences where partition = ${partition} and epoch = ${epoch} for share) f`,
  );
}

/** The PostgreSQL dialect whose driver sends {@link fencedBegin} for a {@link fencedTransaction}. */
export function fencingDialect(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => new FencingDriver(dialect.createDriver()),
  };
}

class FencingDriver implements Driver {
  constructor(readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return this.inner.acquireConnection();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const fence = pendingFence.getStore();
    if (fence === undefined) return this.inner.beginTransaction(connection, settings);
    try {
      await connection.executeQuery(fencedBegin(fence));
    } catch (error) {
      // BEGIN ran, the check failed: end the aborted transaction before the connection is released.
      await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
      if ((error as { code?: unknown }).code === '22012') throw new FenceRejectedError(fence.partition);
      throw error;
    }
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    if (!this.inner.savepoint) throw new Error('savepoints are not supported by this driver');
    return this.inner.savepoint(connection, name, compile);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    if (!this.inner.rollbackToSavepoint) throw new Error('savepoints are not supported by this driver');
    return this.inner.rollbackToSavepoint(connection, name, compile);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    if (!this.inner.releaseSavepoint) throw new Error('savepoints are not supported by this driver');
    return this.inner.releaseSavepoint(connection, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
