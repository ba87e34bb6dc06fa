import type { V201 } from '@csms/ocpp';
import type { TransactionEvent201Record } from '@csms/db';
import { NeedsTransaction, type HandlerContext } from '../handler.js';
import { authorizeToken, checkIds, parseTimestamp } from './common.js';
import { eventCost, runningCostMayFollow } from './tariff-cost.js';

// Kept importable from here for the handler's tests; the recording lives in @csms/db.
export { energyRegisterSamples } from '@csms/db';

/**
 * TransactionEvent (E01-E15, J02). The event is recorded through `ctx.transactions`
 * (`recordTransactionEvent201` in @csms/db): every event is stored, unique per (station, transactionId,
 * seqNo), so a station retrying an event whose CALLRESULT it did not get (E13) changes nothing and gets
 * the same answer again; the `transactions` row is created by the first event seen for a transactionId
 * and derived from all its events, so it does not depend on the arrival order (E04.FR.02, E04.FR.07,
 * E08.FR.06, E11.FR.02, E12.FR.02; see that function for the rules). An EVSE runs one transaction at a
 * time: when the event makes its transaction active on an EVSE, the station's older active transactions
 * there (whose Ended was lost) are ended by the CSMS in the same record, and each is logged and published
 * as `transaction-ended` (superseded, like a 1.6 StartTransaction on a busy connector).
 *
 * When the request has an idToken the response carries idTokenInfo (E01.FR.11/12, E02.FR.02, E03.FR.02,
 * E05.FR.01: the CSMS verifies the token, which the station may have accepted from outdated local data;
 * C09.FR.12: with its groupIdToken), decided through `ctx.auth` after the event was recorded. The token
 * counts as concurrent when it is in any other active transaction, at this station or another.
 * Tariffs (I02 / I03, see `eventCost`): an Ended event's answer carries the transaction's totalCost, an
 * Updated event with meter values queues a CostUpdated with the running cost. chargingPriority and
 * updatedPersonalMessage (I06) are not sent.
 */
export async function onTransactionEvent(
  ctx: HandlerContext,
  request: V201.TransactionEventRequest,
): Promise<V201.TransactionEventResponse> {
  const transactionId = request.transactionInfo.transactionId;
  checkIds(ctx, { 'evse.id': request.evse?.id, 'evse.connectorId': request.evse?.connectorId });
  parseTimestamp(request.timestamp, 'timestamp');
  for (const [i, mv] of (request.meterValue ?? []).entries())
    parseTimestamp(mv.timestamp, `meterValue[${i}].timestamp`);

  const { applied } = ctx.autocommit
    ? await recordAlone(ctx, request)
    : await ctx.transactions.recordTransactionEvent201(ctx.stationId, request, {
        periodicTried: ctx.fallback instanceof TransactionNotStarted,
      });
  const idTokenInfo = request.idToken
    ? await authorizeToken(ctx.auth, request.idToken, {
        stationId: ctx.stationId,
        now: ctx.now(),
        concurrency: 'any',
        excludeTransactionId: transactionId,
      })
    : undefined;

  for (const superseded of applied?.superseded ?? []) {
    ctx.log.warn(
      { transactionId: superseded, supersededBy: transactionId },
      'active transaction on this EVSE ended without its Ended event: a newer transaction is active on it',
    );
    ctx.emit('transaction-ended', {
      transactionId: superseded,
      stopReason: 'Other',
      superseded: true,
      supersededBy: transactionId,
      endedBy: 'csms',
    });
  }
  if (applied?.consumedReservationId !== undefined)
    ctx.emit('reservation-ended', {
      reservationId: applied.consumedReservationId,
      status: 'used',
      transactionId,
    });
  if (applied) {
    ctx.emit('transaction-event', {
      transactionId,
      eventType: request.eventType,
      seqNo: request.seqNo,
      triggerReason: request.triggerReason,
      offline: request.offline ?? false,
      state: applied.state,
      chargingState: applied.chargingState,
      firstSeen: applied.created,
    });
  } else {
    ctx.log.debug(
      { transactionId, seqNo: request.seqNo },
      'TransactionEvent already received (retry): not applied again',
    );
  }
  // Without a transaction no cost follows (see recordAlone).
  const cost = ctx.autocommit ? {} : await eventCost(ctx, request, applied !== undefined, idTokenInfo);
  return idTokenInfo ? Object.assign({}, cost, { idTokenInfo }) : cost;
}

/** The periodic statement found the event's transaction not known started: the rerun need not try it again. */
class TransactionNotStarted extends NeedsTransaction {
  override name = 'TransactionNotStarted';
}

/**
 * A periodic event (v201Handlers.autocommitWhen) without a database transaction: one statement, group-committed
 * with other stations' (`recordPeriodicTransactionEvent201` in @csms/db). It needs a transaction after all
 * (NeedsTransaction, before anything is written) when its running cost may be queued with it (I02: the
 * CostUpdated is queued in the event's transaction, so that one does not commit without the other) or when its
 * transaction is not known started (the event is then the first seen of it, or moves its start).
 */
async function recordAlone(
  ctx: HandlerContext,
  request: V201.TransactionEventRequest,
): Promise<TransactionEvent201Record> {
  if (await runningCostMayFollow(ctx, request)) throw new NeedsTransaction('a running cost may follow');
  const record = await ctx.transactions.recordPeriodicTransactionEvent201(ctx.stationId, request);
  if (record === undefined) throw new TransactionNotStarted('the transaction is not known started');
  return record;
}
