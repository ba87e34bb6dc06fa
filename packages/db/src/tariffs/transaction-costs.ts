import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { TransactionCost } from './cost.js';
import type { TransactionCostRow } from './schema.js';

/**
 * Stores an ended transaction's final cost (I03), replacing an earlier one (a late Ended of a transaction the
 * CSMS ended first recomputes it). One statement.
 */
export async function storeTransactionCost(
  db: Kysely<Database>,
  transactionRef: string,
  tariffId: string,
  cost: TransactionCost,
  at: Date,
): Promise<void> {
  const values = {
    tariff_id: tariffId,
    currency: cost.currency,
    energy_wh: cost.energyWh,
    duration_s: cost.durationS,
    subtotal: cost.subtotal,
    tax: cost.tax,
    total: cost.total,
    computed_at: at,
  };
  await db
    .insertInto('transaction_costs')
    .values({ transaction_ref: transactionRef, ...values })
    .onConflict((oc) => oc.column('transaction_ref').doUpdateSet(values))
    .execute();
}

/** The stored final cost of a transaction (by transactions.id), if any. */
export function findTransactionCost(
  db: Kysely<Database>,
  transactionRef: string,
): Promise<TransactionCostRow | undefined> {
  return db
    .selectFrom('transaction_costs')
    .selectAll()
    .where('transaction_ref', '=', transactionRef)
    .executeTakeFirst();
}
