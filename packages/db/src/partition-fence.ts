import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The database side of the partition fence (distributed mode, ARCHITECTURE invariant 2), run first in
 * every transaction that writes for a station on behalf of a worker: the worker's own actor
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
