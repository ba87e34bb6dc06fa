import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { INT32_MAX, checkConnectorId, parseTimestamp, toIdTagInfo } from './common.js';

// Kept importable from here for the handler's tests; the recording lives in @csms/db.
export { foldTransactionId, startKeyOf } from '@csms/db';

/**
 * StartTransaction (OCPP 1.6 §4.8, §6.45/§6.46). The transaction is recorded through
 * `ctx.transactions` (`recordStartTransaction16` in @csms/db: CSMS-issued int32 transactionId, retry
 * recognition by start key, ending a connector's older active transaction that lost its
 * StopTransaction), then the identifier is authorized through `ctx.auth`:
 *
 * - The transaction is recorded whatever the authorization status: §6.46 requires a transactionId in
 *   every answer, and with a status other than Accepted the station stops the transaction itself
 *   (StopTransaction reason DeAuthorized when StopTransactionOnInvalidId is true) or only stops the
 *   energy (errata v4.0 §3.17; OCTT TC_037_3_CSMS expects status Invalid, then a StopTransaction).
 * - The identifier is checked again (§4.8 "The Central System MUST verify validity of the identifier",
 *   it may have been authorized offline from a stale cache), now counting an active transaction of the
 *   token anywhere, this station included, as ConcurrentTx (§7.2); the transaction just recorded (or
 *   found again, for a retry) never conflicts with itself.
 * - The reservation the start consumes (its reservationId, §5.13) is marked used in the same database transaction
 *   (by `recordStartTransaction16`).
 */
export async function onStartTransaction(
  ctx: HandlerContext,
  request: V16.StartTransactionRequest,
): Promise<V16.StartTransactionResponse> {
  checkConnectorId(ctx, request.connectorId, 1);
  const startedAt = parseTimestamp(request.timestamp, 'timestamp');
  let reservationId: number | null = request.reservationId ?? null;
  if (reservationId !== null && !isInt32(reservationId)) {
    // §4.8: sanity checks SHOULD NOT keep the CSMS from answering; the column is an int32.
    ctx.log.warn({ reservationId }, 'StartTransaction reservationId out of range; not stored');
    reservationId = null;
  }

  const outcome = await ctx.transactions.recordStartTransaction16({
    stationId: ctx.stationId,
    connectorId: request.connectorId,
    idTag: request.idTag,
    timestamp: request.timestamp,
    meterStart: request.meterStart,
    reservationId,
  });
  const decision = await ctx.auth.authorize(request.idTag, {
    stationId: ctx.stationId,
    now: ctx.now(),
    concurrency: 'any',
    excludeTransactionId: String(outcome.transactionId),
  });

  const idTagInfo = toIdTagInfo(ctx, decision);
  for (const transactionId of outcome.superseded) {
    ctx.log.warn(
      { transactionId, connectorId: request.connectorId },
      'active transaction on this connector ended without StopTransaction: a new transaction started on it',
    );
    ctx.emit('transaction-ended', {
      transactionId,
      connectorId: request.connectorId,
      stopReason: 'Other',
      superseded: true,
    });
  }
  if (outcome.consumedReservationId !== undefined)
    ctx.emit('reservation-ended', {
      reservationId: outcome.consumedReservationId,
      status: 'used',
      transactionId: String(outcome.transactionId),
      connectorId: request.connectorId,
    });
  if (outcome.created) {
    ctx.emit('transaction-started', {
      transactionId: outcome.transactionId,
      connectorId: request.connectorId,
      idTag: request.idTag,
      authorizationStatus: idTagInfo.status,
      meterStart: request.meterStart,
      timestamp: startedAt.toISOString(),
      reservationId,
    });
  }
  return { transactionId: outcome.transactionId, idTagInfo };
}

function isInt32(value: number): boolean {
  return Number.isSafeInteger(value) && value >= -INT32_MAX - 1 && value <= INT32_MAX;
}
