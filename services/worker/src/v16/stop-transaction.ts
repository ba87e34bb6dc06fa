import { sql } from '@csms/db';
import type { V16 } from '@csms/ocpp';
import { authorizeIdToken } from '../authorization.js';
import type { HandlerContext } from '../handler.js';
import { storeMeterValues } from '../meter-values.js';
import { storeNotificationOnce } from '../notifications.js';
import { findV16Transaction, parseTimestamp, toIdTagInfo, type IdTagInfo } from './common.js';

/**
 * StopTransaction (OCPP 1.6 §4.10, §6.49/§6.50). The CSMS cannot prevent a transaction from stopping
 * and always answers (§4.10: sanity checks "SHOULD NOT ever cause the Central System to not respond").
 *
 * - Known transaction: it is ended with meterStop, timestamp and reason (omitted = `Local`, §4.10), and
 *   its transactionData is stored. A retry (the station did not get our CALLRESULT) changes nothing and
 *   gets the same answer: the first stop data are kept, meter values are de-duplicated.
 * - Unknown transactionId, e.g. -1 from a station that never received its transactionId (errata v4.0
 *   §3.18: the CSMS "SHALL respond as if these messages refer to a valid transactionId"): answered
 *   normally. No transaction is made up (its start is unknown, and several may share -1); the stop is
 *   kept for reconciliation in station_notifications (action StopTransaction, once per identical
 *   message) and its transactionData as meter values without a transaction, and a warning is logged.
 */
export async function onStopTransaction(
  ctx: HandlerContext,
  request: V16.StopTransactionRequest,
): Promise<V16.StopTransactionResponse> {
  const stoppedAt = parseTimestamp(request.timestamp, 'timestamp');
  const stopReason = request.reason ?? 'Local';
  const meterValues = request.transactionData ?? [];

  // The actor runs every handler in one database transaction: ctx.db is that transaction, so these
  // writes commit (or roll back) together, before the CALLRESULT is sent.
  const trx = ctx.db;
  const outcome = await (async () => {
    const tx = await findV16Transaction(trx, ctx.stationId, request.transactionId);
    if (!tx) {
      await storeNotificationOnce(trx, ctx.stationId, 'StopTransaction', {
        unknownTransaction: true,
        transactionId: request.transactionId,
        meterStop: request.meterStop,
        timestamp: request.timestamp,
        reason: stopReason,
        ...(request.idTag !== undefined ? { idTag: request.idTag } : {}),
      });
      await storeMeterValues(trx, {
        stationId: ctx.stationId,
        transactionRef: null,
        evseId: null,
        connectorId: null,
        source: 'StopTransaction',
        meterValues,
      });
      return { kind: 'unknown' as const };
    }

    // meter_stop is null only when the CSMS ended the transaction itself (a newer one started on its
    // connector, see start-transaction.ts): the station's own stop data are still recorded then.
    let ended = false;
    if (tx.state === 'active' || tx.meter_stop === null) {
      await trx
        .updateTable('transactions')
        .set({
          state: 'ended',
          ended_at: stoppedAt,
          meter_stop: request.meterStop,
          stop_reason: stopReason,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', tx.id)
        .execute();
      ended = true;
    } else if (
      tx.meter_stop !== request.meterStop ||
      tx.stop_reason !== stopReason ||
      tx.ended_at?.getTime() !== stoppedAt.getTime()
    ) {
      ctx.log.warn(
        {
          transactionId: request.transactionId,
          stored: { meterStop: tx.meter_stop, reason: tx.stop_reason },
          meterStop: request.meterStop,
          reason: stopReason,
        },
        'StopTransaction for a transaction that already ended with other stop data; the first stop is kept',
      );
    }
    await storeMeterValues(trx, {
      stationId: ctx.stationId,
      transactionRef: tx.id,
      evseId: tx.evse_id,
      connectorId: tx.connector_id,
      source: 'StopTransaction',
      meterValues,
    });
    return { kind: 'known' as const, ended, connectorId: tx.connector_id, meterStart: tx.meter_start };
  })();

  if (outcome.kind === 'unknown') {
    ctx.log.warn(
      { transactionId: request.transactionId, meterStop: request.meterStop },
      'StopTransaction for an unknown transactionId; answered and kept for reconciliation',
    );
  } else if (outcome.ended) {
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

  if (request.idTag === undefined) return {};
  return { idTagInfo: await stopIdTagInfo(ctx, request.idTag) };
}

/**
 * The IdTagInfo of the identifier that stopped the transaction (§6.50), which the station uses to
 * update its Authorization Cache (§4.10). ConcurrentTx is "Only relevant for a StartTransaction.req"
 * (§7.2), so the token's own status is reported: a token busy at another station is still Accepted.
 */
async function stopIdTagInfo(ctx: HandlerContext, idTag: string): Promise<IdTagInfo> {
  const decision = await authorizeIdToken(ctx.db, idTag, {
    stationId: ctx.stationId,
    now: ctx.now(),
    concurrency: 'other-station',
  });
  return toIdTagInfo(
    ctx,
    decision.status === 'ConcurrentTx' ? { ...decision, status: 'Accepted' } : decision,
  );
}
