import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { OwnershipEvent } from './schema.js';

/**
 * The database side of partition ownership (distributed mode, docs/architecture.md "Fencing"): the
 * fence every write for a station is checked against, and the ownership log. Leases (who should own a
 * partition, and its epoch) come from the cluster layer; the worker's `PartitionFence` calls these.
 */

/**
 * Raises the partition's fence to `epoch` for `owner`. Blocks while the previous owner has transactions
 * open (they hold the fence row FOR SHARE, see {@link checkPartitionFence}), so those commit first.
 * Returns false when the fence is already at or beyond `epoch` (the caller's lease is stale).
 */
export async function raisePartitionFence(
  db: Kysely<Database>,
  partition: number,
  epoch: string,
  owner: string,
): Promise<boolean> {
  const raised = await sql<{ epoch: string }>`
    insert into partition_fences (partition, epoch, owner, acquired_at)
    values (${partition}, ${epoch}, ${owner}, now())
    on conflict (partition) do update
      set epoch = excluded.epoch, owner = excluded.owner, acquired_at = excluded.acquired_at
      where partition_fences.epoch < excluded.epoch
    returning epoch`.execute(db);
  return raised.rows.length > 0;
}

/**
 * Run first in every transaction that writes for a station on behalf of a worker: the worker's own actor
 * transactions and the transaction service's record calls made for it.
 *
 * Locks the partition's fence row FOR SHARE (so the next owner's acquiring UPDATE waits until this
 * transaction ends) and records `epoch` in `csms.epoch` for the rows the transaction appends
 * (`owner_epoch`). Returns false when the fence is not at `epoch` (a newer owner took over, or the
 * partition was never acquired): the caller must then write nothing.
 */
export async function checkPartitionFence(
  trx: Kysely<Database>,
  partition: number,
  epoch: string,
): Promise<boolean> {
  const row = await sql<{ epoch: string }>`
    select epoch, set_config('csms.epoch', ${epoch}, true) as _
    from partition_fences where partition = ${partition} for share`.execute(trx);
  return row.rows.length > 0 && String(row.rows[0]!.epoch) === epoch;
}

/** Appends an acquisition, release or fencing of a partition to `partition_ownership_log`. */
export async function logPartitionOwnership(
  db: Kysely<Database>,
  entry: {
    readonly partition: number;
    readonly epoch: string;
    readonly owner: string;
    readonly event: OwnershipEvent;
  },
): Promise<void> {
  await db.insertInto('partition_ownership_log').values(entry).execute();
}

/** The partition's latest ownership records, newest first. */
export function recentPartitionOwnership(
  db: Kysely<Database>,
  partition: number,
  limit: number,
): Promise<{ epoch: string; event: OwnershipEvent }[]> {
  return db
    .selectFrom('partition_ownership_log')
    .select(['epoch', 'event'])
    .where('partition', '=', partition)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
