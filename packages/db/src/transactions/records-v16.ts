import { createHash } from 'node:crypto';
import { INT32_MAX } from '@csms/ocpp';
import { sql, type Kysely } from 'kysely';
import { deleteEndedTxProfiles } from '../charging-profiles/profiles.js';
import { consumeReservation } from '../reservations/reservations.js';
import type { Database } from '../schema.js';
import { storeStationNotification } from '../station-reports/notifications.js';
import { endSupersededTransactions16, supersededBy16 } from './csms-end.js';
import { deferMeterValues, storeMeterValues, type MeterValueSet } from './meter-values.js';
import type { TransactionEndedBy } from './schema.js';
import { findV16Transaction, OCPP16 } from './transaction-lookup.js';
import { queryTemplate } from '../query-template.js';

/** A StartTransaction.req (OCPP 1.6 §6.45), validated by the caller. */
export interface StartTransaction16Input {
  readonly stationId: string;
  readonly connectorId: number;
  readonly idTag: string;
  /** As sent (part of the retry key); a valid dateTime. */
  readonly timestamp: string;
  readonly meterStart: number;
  /** Already checked to be an int32 (else null). */
  readonly reservationId: number | null;
}

export interface StartTransaction16Record {
  /** False for a retry of a StartTransaction recorded before: nothing new was stored. */
  readonly created: boolean;
  /** The CSMS-issued transactionId (the same one again for a retry). */
  readonly transactionId: number;
  /** transactionIds of this connector's older active transactions ended by this start. */
  readonly superseded: readonly number[];
  /** The reservationId of the reservation this start consumed (1.6 §5.13), when it consumed one. */
  readonly consumedReservationId?: number;
}

/**
 * A retry's transactionId (by start key), and a new `transactions.id` with whether its folded value is taken at the
 * station (see {@link foldTransactionId}; the fold is the same in SQL). A retry also draws a value from the
 * sequence: ids are unique, not dense.
 */
const startAllocation = queryTemplate(
  (db, p: { stationId: string; startKey: string; connectorId: number; startedAt: Date }) =>
    db
      .selectFrom(
        sql<{ id: string }>`(select nextval(pg_get_serial_sequence('transactions', 'id')) as id)`.as('n'),
      )
      .select((eb) => [
        sql<string | null>`(select transaction_id from transactions
        where station_id = ${p.stationId} and start_key = ${p.startKey})`.as('existing'),
        sql<string>`n.id::text`.as('id'),
        sql<boolean>`exists(select 1 from transactions t where t.station_id = ${p.stationId}
        and t.transaction_id = (((n.id - 1) % ${INT32_MAX}) + 1)::text)`.as('taken'),
        eb
          .exists(
            eb
              .selectFrom('transactions')
              .select(sql`1`.as('one'))
              .where((eb) => supersededBy16(eb, p.stationId, p.connectorId, p.startedAt)),
          )
          .as('busy'),
      ]),
);

/**
 * Records a 1.6 StartTransaction (§4.8). The caller authorizes the idTag separately (after this, with
 * `excludeTransactionId` = the returned id, which equals checking before the insert).
 *
 * - The transactionId is taken from the `transactions.id` sequence (`nextval`, then one INSERT with
 *   that id), so until 2^31-1 transactions it equals `transactions.id`. A 1.6 `integer` is an int32 on
 *   most stations, so the id is folded into 1..2147483647 (`(id - 1) mod (2^31 - 1) + 1`); a folded
 *   value this station already used (its transactions, or 2.0.1 ids that look like numbers) is skipped.
 *   Positive ids only: errata v4.0 §3.54 recommends "unique positive numbers", and -1 is what a station
 *   sends when it never received a transactionId (errata §3.18).
 * - A retry of the same StartTransaction (the station did not get our CALLRESULT, §3.7.1) is recognised
 *   by `start_key`, a hash of (connectorId, idTag, timestamp, meterStart), unique per station: it gets
 *   the same transactionId and nothing new is stored.
 * - Transaction-related messages arrive in order (§3.7), and a connector has one transaction at a
 *   time, so a still-active 1.6 transaction on the same connector of this station that started before
 *   this one lost its StopTransaction (hard reset, §5.14, or dropped after TransactionMessageAttempts,
 *   §3.7.1). It is ended (state ended, stop_reason Other, meter_stop and ended_at unknown = null) so that
 *   its token is not ConcurrentTx forever (ended_by csms, end_note "superseded by transaction <id> on
 *   connector <c>"); a StopTransaction for it arriving later still records its stop data.
 */
export async function recordStartTransaction16(
  db: Kysely<Database>,
  input: StartTransaction16Input,
): Promise<StartTransaction16Record> {
  const startKey = startKeyOf(input);
  const startedAt = new Date(input.timestamp);
  // One statement: a retry's transaction, else a new id from the sequence and whether its folded value is taken.
  const first = (
    await startAllocation.run(db, {
      stationId: input.stationId,
      startKey,
      connectorId: input.connectorId,
      startedAt,
    })
  ).rows[0];
  if (first === undefined) throw new Error('nextval returned no row');
  if (first.existing !== null)
    return { created: false, transactionId: Number(first.existing), superseded: [] };
  const { id, transactionId } = first.taken
    ? await allocateTransactionId(db, input.stationId)
    : { id: first.id, transactionId: foldTransactionId(BigInt(first.id)) };
  // The statement that ends superseded transactions only when the allocation saw one (rarely): the station's starts
  // come from its one actor (one owner, fenced), so none can become active on the connector in between; a
  // transaction ended meanwhile (an operator's EndTransaction) makes the update find nothing, as it would anyway.
  const superseded = first.busy
    ? await endSupersededTransactions16(db, input.stationId, input.connectorId, startedAt, transactionId)
    : [];
  // Nothing below reads it back: a deferred write, leaving with the reservation's statement (one round trip).
  await startInsert.defer(db, {
    id,
    stationId: input.stationId,
    transactionId: String(transactionId),
    connectorId: input.connectorId,
    idTag: input.idTag,
    startedAt,
    meterStart: input.meterStart,
    reservationId: input.reservationId,
    startKey,
  });
  // 1.6 §5.13: the start terminates the reservation it names (or, without a reservationId, one of its idTag on this
  // connector or on connector 0), in this same database transaction.
  const consumed = await consumeReservation(db, {
    stationId: input.stationId,
    reservationId: input.reservationId,
    evseId: input.connectorId,
    idToken: input.idTag,
    transactionId: String(transactionId),
    at: startedAt,
  });
  return {
    created: true,
    transactionId,
    superseded,
    ...(consumed ? { consumedReservationId: consumed.reservation_id } : {}),
  };
}

/** Identifies a StartTransaction.req so that its retry is recognised (the same message is resent). */
export function startKeyOf(request: {
  readonly connectorId: number;
  readonly idTag: string;
  readonly timestamp: string;
  readonly meterStart: number;
}): string {
  return createHash('sha256')
    .update(JSON.stringify([request.connectorId, request.idTag, request.timestamp, request.meterStart]))
    .digest('base64url');
}

/** Folds a `transactions.id` into 1..2^31-1 (identity below 2^31). */
export function foldTransactionId(id: bigint): number {
  return Number((id - 1n) % BigInt(INT32_MAX)) + 1;
}

async function allocateTransactionId(
  db: Kysely<Database>,
  stationId: string,
): Promise<{ id: string; transactionId: number }> {
  // Folding only repeats a value after 2^31-1 allocations, so one try is the rule; the bound is a guard.
  for (let attempt = 0; attempt < 16; attempt++) {
    const { rows } = await sql<{
      id: string;
    }>`select nextval(pg_get_serial_sequence('transactions', 'id'))::text as id`.execute(db);
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('nextval returned no row');
    const transactionId = foldTransactionId(BigInt(id));
    const taken = await db
      .selectFrom('transactions')
      .select('id')
      .where('station_id', '=', stationId)
      .where('transaction_id', '=', String(transactionId))
      .executeTakeFirst();
    if (!taken) return { id, transactionId };
  }
  throw new Error('could not allocate a free OCPP 1.6 transactionId');
}

/** A StopTransaction.req (OCPP 1.6 §6.49), validated by the caller. */
export interface StopTransaction16Input {
  readonly stationId: string;
  readonly transactionId: number;
  readonly meterStop: number;
  /** As sent; a valid dateTime. */
  readonly timestamp: string;
  /** The reason, `Local` when the station sent none (§4.10). */
  readonly reason: string;
  readonly idTag?: string;
  readonly transactionData: readonly MeterValueSet[];
}

export type StopTransaction16Record =
  /** No such transaction of this station: kept for reconciliation. */
  | { readonly kind: 'unknown' }
  | {
      readonly kind: 'known';
      /** True when this stop ended the transaction (false for a retry or a second stop). */
      readonly ended: boolean;
      /** True when it had already ended with other stop data (the first stop is kept). */
      readonly conflicting: boolean;
      readonly connectorId: number | null;
      readonly meterStart: number | null;
      /** The stop data stored before, when `conflicting`. */
      readonly stored?: { readonly meterStop: number | null; readonly reason: string | null };
    };

/**
 * Records a 1.6 StopTransaction (§4.10). The CSMS cannot prevent a transaction from stopping.
 *
 * - Known transaction: it is ended with meterStop, timestamp and reason, and its transactionData is
 *   stored. A retry changes nothing: the first stop data are kept, meter values are de-duplicated.
 *   meter_stop is null only when the CSMS or an operator ended the transaction (a newer one started on
 *   its connector, see {@link recordStartTransaction16}, or the EndTransaction API): the station's own
 *   stop data are still recorded, and ended_by keeps who ended it first.
 * - Unknown transactionId, e.g. -1 from a station that never received its transactionId (errata v4.0
 *   §3.18): no transaction is made up (its start is unknown, and several may share -1); the stop is kept
 *   in station_notifications (action StopTransaction, once per identical message) and its
 *   transactionData as meter values without a transaction.
 */
export async function recordStopTransaction16(
  db: Kysely<Database>,
  input: StopTransaction16Input,
): Promise<StopTransaction16Record> {
  const stoppedAt = new Date(input.timestamp);
  const tx = await findV16Transaction(db, input.stationId, input.transactionId);
  if (!tx) {
    // Kept once per identical message, whatever its message id: the station may resend it as a new CALL.
    await storeStationNotification(db, input.stationId, 'StopTransaction', {
      unknownTransaction: true,
      transactionId: input.transactionId,
      meterStop: input.meterStop,
      timestamp: input.timestamp,
      reason: input.reason,
      ...(input.idTag !== undefined ? { idTag: input.idTag } : {}),
    });
    await storeMeterValues(db, {
      stationId: input.stationId,
      transactionRef: null,
      evseId: null,
      connectorId: null,
      source: 'StopTransaction',
      meterValues: input.transactionData,
    });
    return { kind: 'unknown' };
  }

  let ended = false;
  let conflicting = false;
  if (tx.state === 'active' || tx.meter_stop === null) {
    // Nothing reads it back: deferred writes, leaving with the handler's next statement or the commit.
    await stopUpdate.defer(db, {
      id: tx.id,
      stoppedAt,
      meterStop: input.meterStop,
      reason: input.reason,
      // A CSMS or operator end stays attributed to them; the station's stop data complete it.
      endedBy: tx.ended_by ?? 'station',
    });
    ended = true;
    await deleteEndedTxProfiles(db, input.stationId, String(input.transactionId));
  } else if (
    tx.meter_stop !== input.meterStop ||
    tx.stop_reason !== input.reason ||
    tx.ended_at?.getTime() !== stoppedAt.getTime()
  ) {
    conflicting = true;
  }
  if (input.transactionData.length > 0)
    await deferMeterValues(db, {
      stationId: input.stationId,
      transactionRef: String(tx.id),
      evseId: tx.evse_id,
      connectorId: tx.connector_id,
      source: 'StopTransaction',
      meterValues: input.transactionData,
    });
  return {
    kind: 'known',
    ended,
    conflicting,
    connectorId: tx.connector_id,
    meterStart: tx.meter_start,
    ...(conflicting ? { stored: { meterStop: tx.meter_stop, reason: tx.stop_reason } } : {}),
  };
}

/** A 1.6 StartTransaction's insert of its row, compiled once (its result is not read: a deferred write). */
const startInsert = queryTemplate(
  (
    db,
    p: {
      id: string;
      stationId: string;
      transactionId: string;
      connectorId: number;
      idTag: string;
      startedAt: Date;
      meterStart: number;
      reservationId: number | null;
      startKey: string;
    },
  ) =>
    db.insertInto('transactions').values({
      id: p.id,
      station_id: p.stationId,
      ocpp_version: OCPP16,
      transaction_id: p.transactionId,
      evse_id: p.connectorId,
      connector_id: p.connectorId,
      id_token: p.idTag,
      id_token_type: null,
      state: 'active',
      started_at: p.startedAt,
      ended_at: null,
      meter_start: p.meterStart,
      meter_stop: null,
      stop_reason: null,
      charging_state: null,
      last_seq_no: null,
      remote_start_id: null,
      reservation_id: p.reservationId,
      start_key: p.startKey,
    }),
);

/** A 1.6 StopTransaction's end of its row, compiled once (a deferred write). */
const stopUpdate = queryTemplate(
  (db, p: { id: string; stoppedAt: Date; meterStop: number; reason: string; endedBy: TransactionEndedBy }) =>
    db
      .updateTable('transactions')
      .set({
        state: 'ended',
        ended_at: p.stoppedAt,
        meter_stop: p.meterStop,
        stop_reason: p.reason,
        ended_by: p.endedBy,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', p.id),
);
