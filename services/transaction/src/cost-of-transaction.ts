import {
  findTransactionCost,
  findTransactionRow,
  tariffForTransaction,
  transactionCostOf,
  type Database,
  type Kysely,
} from '@csms/db';
import { ApiErrors, RequestViolations, type tariffV1 } from '@csms/grpc';

/** Internal ids are bigserial values: decimal digits. */
const INTERNAL_ID = /^\d{1,19}$/;

/**
 * GetTransactionCost: the stored final cost of an ended transaction (computed when its end was recorded,
 * I03); else the cost from its recorded meter values with the tariff that applies now, up to its end or,
 * while it is active, up to now.
 */
export async function transactionCost(
  deps: { readonly db: Kysely<Database>; readonly now?: () => Date },
  request: tariffV1.GetTransactionCostRequest,
): Promise<tariffV1.GetTransactionCostResponse> {
  const v = new RequestViolations();
  if (request.id !== '') v.check(INTERNAL_ID.test(request.id), 'id', 'must be a decimal internal id');
  else {
    v.stationId('station_id', request.stationId);
    v.check(
      request.transactionId !== '' && request.transactionId.length <= 36,
      'transaction_id',
      'must be 1 to 36 characters (or give id)',
    );
  }
  v.throwIfAny('invalid GetTransactionCost request');
  const row = await findTransactionRow(
    deps.db,
    request.id !== ''
      ? { id: request.id }
      : { stationId: request.stationId, transactionId: request.transactionId },
  );
  if (!row)
    throw ApiErrors.notFound('transaction', request.id || `${request.stationId}/${request.transactionId}`);
  const stored = await findTransactionCost(deps.db, row.id);
  if (stored)
    return {
      tariffId: stored.tariff_id,
      currency: stored.currency,
      energyWh: stored.energy_wh,
      durationSeconds: stored.duration_s,
      subtotal: Number(stored.subtotal),
      tax: Number(stored.tax),
      total: Number(stored.total),
      final: true,
      computeTime: stored.computed_at,
    };
  const tariff = await tariffForTransaction(deps.db, row);
  if (!tariff)
    throw ApiErrors.failedPrecondition('NO_TARIFF', 'no tariff applies to this transaction', {
      transactionId: row.transaction_id,
    });
  const at = deps.now?.() ?? new Date();
  const cost = transactionCostOf(tariff, row, at);
  return {
    tariffId: tariff.id,
    currency: cost.currency,
    energyWh: cost.energyWh,
    durationSeconds: cost.durationS,
    subtotal: cost.subtotal,
    tax: cost.tax,
    total: cost.total,
    final: false,
    computeTime: at,
  };
}
