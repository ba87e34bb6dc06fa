import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Prelude } from '../group-commit/group-commit.js';
import type { Database } from '../schema.js';
import type { TransactionPrelude } from '../transaction-driver.js';

/**
 * A database transaction that starts with the partition fence check in the same round trip as its
 * `BEGIN` and its first statement (distributed workers: every station CALL is one such transaction, so
 * this saves statements per CALL; BENCHMARKS.md counts what a statement costs).
 *
 * The check is {@link checkPartitionFence}'s (the fence row locked FOR SHARE, `csms.epoch` set for the
 * rows the transaction appends); the driver of `openDatabase` sends it after the deferred `BEGIN` (see
 * transaction-driver.ts and {@link fencedBeginPrelude}). A fence not at the epoch makes that statement
 * fail (a division by the zero rows found), which turns into a {@link FenceRejectedError} thrown by the
 * transaction's first statement (and by its commit, should the caller have caught it); the transaction
 * is rolled back, so the connection goes back to the pool clean and nothing of it is stored.
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
 * Needs a database opened by `openDatabase` on PostgreSQL (its driver asks for
 * {@link fencedBeginPrelude}); throws {@link FenceRejectedError} when the fence is not at the epoch.
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
  return { query: fenceCheck(fence), refused: fenceRefusal(fence.partition) };
}

function checkFence(partition: number, epoch: string): void {
  if (!Number.isSafeInteger(partition) || partition < 0) throw new RangeError(`bad partition ${partition}`);
  if (!/^\d{1,19}$/.test(epoch)) throw new RangeError(`bad epoch ${epoch}`);
}

/** The fence check as a query with parameters (the group-commit prelude's and the pipelined `BEGIN`'s). */
function fenceCheck({ partition, epoch }: PendingFence): CompiledQuery {
  return CompiledQuery.raw(
    `select set_config('csms.epoch', $1::text, true) as epoch, 1 / count(*) as held ` +
      `from (select 1 from partition_fences where partition = $2 and epoch = $1::bigint for share) f`,
    [epoch, partition],
  );
}

/** A refused fence check (division by zero: no fence row at the epoch) as {@link FenceRejectedError}. */
function fenceRefusal(partition: number): (error: unknown) => Error {
  return (error) =>
    (error as { code?: unknown }).code === '22012'
      ? new FenceRejectedError(partition)
      : error instanceof Error
        ? error
        : new Error(String(error));
}

/**
 * What the `BEGIN` of a {@link fencedTransaction} sends with it (the driver of `openDatabase` asks at every
 * `BEGIN`, see transaction-driver.ts): the fence check, pipelined with the transaction's first statement,
 * or, before a first statement without parameters, as `begin; select ...` in one simple-protocol message
 * (no parameters there: the partition and the epoch are written into the text, checked to be integers).
 */
export function fencedBeginPrelude(): TransactionPrelude | undefined {
  const fence = pendingFence.getStore();
  if (fence === undefined) return undefined;
  const { partition, epoch } = fence;
  return {
    check: fenceCheck(fence),
    simpleBegin:
      `begin; select set_config('csms.epoch', '${epoch}', true), 1 / count(*) as held ` +
      `from (select 1 from partition_fences where partition = ${partition} and epoch = ${epoch} for share) f`,
    refused: fenceRefusal(partition),
  };
}
