import { partitionOf } from '@csms/bus';
import {
  FenceRejectedError,
  fencedStatements,
  fencedTransaction,
  logPartitionOwnership,
  raisePartitionFence,
  type Database,
  type Kysely,
  type OwnershipEvent,
} from '@csms/db';

/** This worker no longer owns the station's partition: its writes must not happen. */
export class FencedError extends Error {
  override name = 'FencedError';
  constructor(readonly partition: number) {
    super(`partition ${partition} is owned by a newer epoch`);
  }
}

/**
 * This worker's partition fences. Leases (who should own a partition, and its epoch) come from the
 * cluster layer; this class remembers the epoch of each partition it holds and checks it in every actor
 * transaction (the SQL is the fences domain's of @csms/db), so that a paused or partitioned former owner
 * cannot write after a newer owner took over.
 */
export class PartitionFence {
  readonly #db: Kysely<Database>;
  readonly #owner: string;
  readonly #epochs = new Map<number, string>();

  constructor(db: Kysely<Database>, owner: string) {
    this.#db = db;
    this.#owner = owner;
  }

  /** Partitions this worker currently holds a fence for. */
  owned(): number[] {
    return [...this.#epochs.keys()];
  }

  epochOf(partition: number): string | undefined {
    return this.#epochs.get(partition);
  }

  /**
   * Raises the partition's fence to `epoch`. Blocks while the previous owner has transactions open
   * (they hold the fence row FOR SHARE), so those commit first. Returns false when the fence is already
   * at or beyond `epoch` (this lease is stale).
   */
  async acquire(partition: number, epoch: string): Promise<boolean> {
    if (!(await raisePartitionFence(this.#db, partition, epoch, this.#owner))) return false;
    this.#epochs.set(partition, epoch);
    await this.#log(partition, epoch, 'acquired');
    return true;
  }

  /** Forgets the partition (after a hand-over, or when fenced out). */
  async release(partition: number, event: 'released' | 'fenced'): Promise<void> {
    const epoch = this.#epochs.get(partition);
    if (epoch === undefined) return;
    this.#epochs.delete(partition);
    await this.#log(partition, epoch, event).catch(() => undefined);
  }

  /**
   * Runs `fn` in a database transaction that begins with the fence check of the station's partition (its fence
   * row locked FOR SHARE, the epoch checked to be still ours and recorded in `csms.epoch` for the rows the
   * transaction appends; sent with the `BEGIN` in one round trip): how a station CALL's handler and the actor's
   * other writes run.
   */
  transaction<T>(stationId: string, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.#underFence(stationId, (partition, epoch) =>
      fencedTransaction(this.#db, partition, epoch, fn),
    );
  }

  /**
   * Runs `fn` (a single-statement station action) with `statementsDb`, a group-commit handle, each of its
   * statements carrying the fence check of the station's partition in the same pipeline and commit (one
   * round trip instead of the fenced transaction's three). Throws `FencedError` like {@link transaction}.
   */
  statements<T>(
    statementsDb: Kysely<Database>,
    stationId: string,
    fn: (db: Kysely<Database>) => Promise<T>,
  ): Promise<T> {
    return this.#underFence(stationId, (partition, epoch) =>
      fencedStatements(statementsDb, partition, epoch, fn),
    );
  }

  /** Runs `run` with the station's partition and this worker's epoch of it; a refused fence is `FencedError`. */
  async #underFence<T>(stationId: string, run: (partition: number, epoch: string) => Promise<T>): Promise<T> {
    const partition = partitionOf(stationId);
    const epoch = this.#epochs.get(partition);
    if (epoch === undefined) throw new FencedError(partition);
    try {
      return await run(partition, epoch);
    } catch (error) {
      if (error instanceof FenceRejectedError) throw new FencedError(partition);
      throw error;
    }
  }

  #log(partition: number, epoch: string, event: OwnershipEvent): Promise<void> {
    return logPartitionOwnership(this.#db, { partition, epoch, owner: this.#owner, event });
  }
}
