import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A table whose old rows are pruned, and the time column that dates them. */
export interface PrunedTable {
  readonly table: keyof Database;
  readonly column: 'received_at' | 'created_at';
}

/**
 * Deletes at most `limit` rows of `target` dated before `before`; returns how many. One short statement per
 * batch (rows picked by ctid: no key needed, no long lock, no huge WAL burst), for the retention sweep of the domains'
 * history tables. The table and column come from the domain folders that own them, never from input.
 */
export async function deleteBatchOlderThan(
  db: Kysely<Database>,
  target: PrunedTable,
  before: Date,
  limit: number,
): Promise<number> {
  const table = sql.table(target.table);
  const column = sql.ref(target.column);
  const result = await sql`delete from ${table} where ctid = any(array(
      select ctid from ${table} where ${column} < ${before} limit ${limit}))`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
