import {
  anyTariffDefined,
  findApplicableTariff,
  findTransactionCost,
  findTransactionRow,
  reportedVariableValues,
  storeTransactionCost,
  tariffForTransaction,
  transactionCostOf,
} from '@csms/db';
import type { V201 } from '@csms/ocpp';
import { CallErrorResponse, type HandlerContext } from '../handler.js';

/**
 * Tariff and cost (2.0.1 functional block I) in the station's answers. The tariffs domain of @csms/db
 * resolves the tariff (id-token group, station EVSE, station, default) and computes the cost.
 */

/**
 * Whether the station's device model reports TariffCostCtrlr `Available` / `Enabled` false for `instance`
 * (Tariff or Cost). A station that never reported them gets the messages (OCTT stations need not report).
 */
async function stationRefuses(ctx: HandlerContext, instance: 'Tariff' | 'Cost'): Promise<boolean> {
  const reported = await reportedVariableValues(ctx.db, ctx.stationId, [
    { component: 'TariffCostCtrlr', variable: 'Available', instance },
    { component: 'TariffCostCtrlr', variable: 'Enabled', instance },
  ]);
  return reported.some((r) => r.value?.toLowerCase() === 'false');
}

/**
 * I01: the tariff's text as `personalMessage` of an accepted Authorize. I01.FR.02: only to a station that
 * supports tariffs (see {@link stationRefuses}). The AuthorizeRequest names no EVSE: the tariff of the
 * token's group, else of the station (all its EVSEs), else the default.
 */
export async function tariffMessage(
  ctx: HandlerContext,
  idTokenInfo: V201.IdTokenInfoType,
): Promise<V201.MessageContentType | undefined> {
  if (idTokenInfo.status !== 'Accepted' || !(await anyTariffDefined(ctx.db))) return undefined;
  const tariff = await findApplicableTariff(ctx.db, {
    stationId: ctx.stationId,
    idTokenGroup: idTokenInfo.groupIdToken?.idToken ?? null,
  });
  if (!tariff || (await stationRefuses(ctx, 'Tariff'))) return undefined;
  return { format: 'UTF8', content: tariff.displayText };
}

/**
 * Whether `request`, once recorded as new, asks for a running cost (I02.FR.01): an Updated event with meter
 * values, not queued offline (the driver saw it long ago). {@link eventCost} then queues a CostUpdated when a
 * tariff applies.
 */
function asksRunningCost(request: V201.TransactionEventRequest): boolean {
  return request.eventType === 'Updated' && request.offline !== true && (request.meterValue?.length ?? 0) > 0;
}

/** Whether {@link eventCost} may queue a running cost for `request`: it asks for one while any tariff is defined. */
export async function runningCostMayFollow(
  ctx: HandlerContext,
  request: V201.TransactionEventRequest,
): Promise<boolean> {
  return asksRunningCost(request) && (await anyTariffDefined(ctx.db));
}

/**
 * The cost part of a TransactionEvent's answer, after the event was recorded (`applied`: it was new; a
 * retry gets the same answer again):
 * - Ended: `totalCost` (I03.FR.02), computed from the transaction's recorded meter values and stored with
 *   it; a retried Ended gets the stored cost. No tariff applies: no totalCost (the cost is not known:
 *   I03.FR.04 says omitting it does not mean free, a free tariff gives 0).
 * - Updated with meter values, while the transaction is active: the running cost (I02.FR.01) as a
 *   CostUpdated queued for the station after this answer (the I02 main scenario, OCTT TC_I_01_CSMS), not for
 *   events the station queued offline (the driver saw them long ago) nor to a station whose device model
 *   says Cost is not available or enabled.
 * One tariff lookup per event (plus the token's group and its tariff when group tariffs exist and the event does
 * not carry the transaction's token: `tariffForTransaction`).
 */
export async function eventCost(
  ctx: HandlerContext,
  request: V201.TransactionEventRequest,
  applied: boolean,
  idTokenInfo: V201.IdTokenInfoType | undefined,
): Promise<Pick<V201.TransactionEventResponse, 'totalCost'>> {
  const transactionId = request.transactionInfo.transactionId;
  const ended = request.eventType === 'Ended';
  if (!ended && !(applied && asksRunningCost(request))) return {};
  if (!(await anyTariffDefined(ctx.db))) return {};
  const row = await findTransactionRow(ctx.db, { stationId: ctx.stationId, transactionId });
  if (!row || (!ended && row.state !== 'active')) return {};
  if (ended && !applied) {
    const stored = await findTransactionCost(ctx.db, row.id);
    if (stored) return { totalCost: Number(stored.total) };
  }
  // The event's own token's group is known from its authorization: no lookup when it is the transaction's.
  const group =
    request.idToken && idTokenInfo && request.idToken.idToken === row.id_token
      ? (idTokenInfo.groupIdToken?.idToken ?? null)
      : undefined;
  const tariff = await tariffForTransaction(ctx.db, row, group);
  if (!tariff) return {};
  const cost = transactionCostOf(tariff, row, new Date(request.timestamp));
  if (ended) {
    await storeTransactionCost(ctx.db, row.id, tariff.id, cost, ctx.now());
    return { totalCost: cost.total };
  }
  if (await stationRefuses(ctx, 'Cost')) return {};
  try {
    await ctx.queueCommand({ action: 'CostUpdated', payload: { totalCost: cost.total, transactionId } });
  } catch (error) {
    // A full command queue refuses without writing: the event is still answered, without this running cost.
    if (!(error instanceof CallErrorResponse)) throw error;
    ctx.log.warn(
      { transactionId, reason: error.description },
      'running cost not sent: CostUpdated not queued',
    );
  }
  return {};
}
