import { partitionOf } from '@csms/bus';
import { checkPartitionFence, sql, type Database, type Kysely } from '@csms/db';

/** This worker no longer owns the station's partition: its writes must not happen. */
export class FencedError extends Error {
  override name = 'FencedError';
  constructor(readonly partition: number) {
    super(`partition ${partition} is owned by a newer epoch`);
  }
}

/**
 * The PostgreSQL side of partition ownership. Leases (who should own a partition, and its epoch)
 * come from the cluster layer; this class turns an epoch into a fence that every actor transaction
 * checks, so that a paused or partitioned former owner cannot write after a newer owner took over.
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
    const raised = await sql<{ epoch: string }>`
      insert into partition_fences (partition, epoch, owner, acquired_at)
      values (${partition}, ${epoch}, ${this.#owner}, now())
      on conflict (partition) do update
        set epoch = excluded.epoch, owner = excluded.owner, acquired_at = excluded.acquired_at
        where partition_fences.epoch < excluded.epoch
      returning epoch`.execute(this.#db);
    if (raised.rows.length === 0) return false;
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
   * Run first in every actor transaction: locks the fence row FOR SHARE, checks the epoch is still
   * ours and records it in `csms.epoch` for the rows the transaction appends (`owner_epoch`); the
   * transaction service runs the same check (`checkPartitionFence`) for the record calls of workers.
   */
  async check(trx: Kysely<Database>, stationId: string): Promise<void> {
    const partition = partitionOf(stationId);
    const epoch = this.#epochs.get(partition);
    if (epoch === undefined) throw new FencedError(partition);
    if (!(await checkPartitionFence(trx, partition, epoch))) throw new FencedError(partition);
  }

  async #log(partition: number, epoch: string, event: 'acquired' | 'released' | 'fenced'): Promise<void> {
    await this.#db
      .insertInto('partition_ownership_log')
      .values({ partition, epoch, owner: this.#owner, event })
      .execute();
  }
}
