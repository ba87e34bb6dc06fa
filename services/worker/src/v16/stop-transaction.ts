import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { parseTimestamp, toIdTagInfo, type IdTagInfo } from './common.js';

/**
 * StopTransaction (OCPP 1.6 §4.10, §6.49/§6.50). The CSMS cannot prevent a transaction from stopping
 * and always answers (§4.10: sanity checks "SHOULD NOT ever cause the Central System to not respond").
 * The stop is recorded through `ctx.transactions` (`recordStopTransaction16` in @csms/db):
 *
 * - Known transaction: it is ended with meterStop, timestamp and reason (omitted = `Local`, §4.10), and
 *   its transactionData is stored. A retry (the station did not get our CALLRESULT) changes nothing and
 *   gets the same answer: the first stop data are kept, meter values are de-duplicated.
 * - Unknown transactionId, e.g. -1 from a station that never received its transactionId (errata v4.0
 *   §3.18: the CSMS "SHALL respond as if these messages refer to a valid transactionId"): answered
 *   normally. No transaction is made up; the stop is kept for reconciliation in station_notifications
 *   and its transactionData as meter values without a transaction, and a warning is logged.
 */
export async function onStopTransaction(
  ctx: HandlerContext,
  request: V16.StopTransactionRequest,
): Promise<V16.StopTransactionResponse> {
  const stoppedAt = parseTimestamp(request.timestamp, 'timestamp');
  const stopReason = request.reason ?? 'Local';

  const outcome = await ctx.transactions.recordStopTransaction16({
    stationId: ctx.stationId,
    transactionId: request.transactionId,
    meterStop: request.meterStop,
    timestamp: request.timestamp,
    reason: stopReason,
    ...(request.idTag !== undefined ? { idTag: request.idTag } : {}),
    transactionData: request.transactionData ?? [],
  });

  if (outcome.kind === 'unknown') {
    ctx.log.warn(
      { transactionId: request.transactionId, meterStop: request.meterStop },
      'StopTransaction for an unknown transactionId; answered and kept for reconciliation',
    );
  } else {
    if (outcome.conflicting) {
      ctx.log.warn(
        {
          transactionId: request.transactionId,
          stored: outcome.stored,
          meterStop: request.meterStop,
          reason: stopReason,
        },
        'StopTransaction for a transaction that already ended with other stop data; the first stop is kept',
      );
    }
    if (outcome.ended) {
      ctx.emit('transaction-ended', {
        transactionId: request.transactionId,
        connectorId: outcome.connectorId,
        meterStart: outcome.meterStart,
        meterStop: request.meterStop,
        stopReason,
        timestamp: stoppedAt.toISOString(),
        idTag: request.idTag ?? null,
      });
    }
  }

  if (request.idTag === undefined) return {};
  return { idTagInfo: await stopIdTagInfo(ctx, request.idTag) };
}

/**
 * The IdTagInfo of the identifier that stopped the transaction (§6.50), which the station uses to
 * update its Authorization Cache (§4.10). ConcurrentTx is "Only relevant for a StartTransaction.req"
 * (§7.2), so the token's own status is reported: a token busy at another station is still Accepted.
 */
async function stopIdTagInfo(ctx: HandlerContext, idTag: string): Promise<IdTagInfo> {
  const decision = await ctx.auth.authorize(idTag, {
    stationId: ctx.stationId,
    now: ctx.now(),
    concurrency: 'other-station',
  });
  return toIdTagInfo(
    ctx,
    decision.status === 'ConcurrentTx' ? { ...decision, status: 'Accepted' } : decision,
  );
}
