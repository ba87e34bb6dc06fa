import { sql, type Kysely } from 'kysely';
import { deleteEndedTxProfiles } from '../charging-profiles/profiles.js';
import { consumeReservation } from '../reservations/reservations.js';
import type { Database } from '../schema.js';
import { supersededOnEvse201 } from './csms-end.js';
import { eventReadings, readingsSet, type EventReadings } from './energy-register.js';
import { meterValueColumnsInsert, type MeterValueSetColumns } from './meter-values.js';
import {
  eventMeterValueColumns,
  recordPeriodicTransactionEvent201,
  storedEventColumns,
  UPDATED_ROW,
  type StoredEventColumns,
} from './periodic-event-201.js';
import type { TransactionEndedBy, TransactionRow } from './schema.js';
import { eventFactsOf, foldFacts, loadEventFacts, type FoldedFacts } from './transaction-event-facts.js';
import type { TransactionEvent201 } from './transaction-event-201.js';
import { OCPP201 } from './transaction-lookup.js';
import { queryTemplate } from '../query-template.js';

export interface TransactionEvent201Record {
  /**
   * Set when the event was new and applied; absent for a retry of an event stored before (same
   * station, transactionId and seqNo, E13): nothing changed.
   */
  readonly applied?: {
    /** The event created the transactions row (it is the first seen of this transaction). */
    readonly created: boolean;
    readonly state: 'active' | 'ended';
    readonly chargingState: string | null;
    /**
     * transactionIds of this station's older active transactions on the same EVSE that this event
     * ended (ended_by csms): the event made its transaction active there, so they lost their Ended.
     */
    readonly superseded: readonly string[];
    /** The reservationId of the reservation this event consumed (H01.FR.15, E03.FR.03), when it consumed one. */
    readonly consumedReservationId?: number;
  };
}

export interface RecordTransactionEvent201Options {
  /**
   * The caller ran {@link recordPeriodicTransactionEvent201} for this event already, without a transaction, and
   * it recorded nothing (the transaction was not known started): skip that statement.
   */
  readonly periodicTried?: boolean;
}

/**
 * Records a 2.0.1 TransactionEvent (E01-E15, J02). Every event is stored in `transaction_events`,
 * unique per (station, transactionId, seqNo): a retried event (E13) changes nothing. The `transactions`
 * row is created by the first event seen for a transactionId, whatever its eventType: events queued
 * offline (E04.FR.02, E08.FR.06, E11.FR.02, E12.FR.02) may arrive late and out of order, and Updated
 * messages may even be dropped (E04.FR.07), so an Updated or Ended can be the first the CSMS hears of a
 * transaction.
 *
 * The row is therefore derived so that it does not depend on the arrival order (the transaction's
 * events are its source of truth):
 * - `state` is ended once any Ended event was seen; `ended_at` / `stop_reason` come from it (a missing
 *   stoppedReason means Local: E06.FR.09, E07.FR.04); an end by the CSMS or an operator is final (see
 *   `endFields`);
 * - one transaction at a time per EVSE: when the event makes its transaction active on an EVSE, the
 *   station's older active transactions there are ended by the CSMS (`supersededOnEvse201`);
 * - `started_at` is the Started event's timestamp, or the earliest event timestamp until Started is seen;
 * - `evse_id` / `connector_id` and `charging_state` are those of the highest seqNo that carries them
 *   (E01.FR.16: evse is sent once; E02.FR.13: chargingState on every change);
 * - `id_token` is the token that authorized the transaction: the lowest seqNo carrying an idToken that
 *   is not a StopAuthorized (E07.FR.02 reports the stopping token, which may be another member of the
 *   group, C09.FR.03); a stopping token is recorded only while no other is known;
 * - `meter_start` is the Energy.Active.Import.Register sample with context Transaction.Begin (in Started,
 *   or in an Updated when the EVSE was not known at start: E01.FR.09 / E01.FR.17), else the earliest
 *   register sample of the Started event; `meter_stop` is the Ended event's Transaction.End register
 *   sample (E06.FR.11), else its latest register sample; values are converted to Wh;
 * - `register_first_*` / `register_last_*` are the earliest / latest register samples of all its events
 *   (the energy when the readings came only in Updated events);
 * - `last_seq_no` is the highest seqNo seen; `remote_start_id` / `reservation_id` the first sent.
 *
 * A periodic event (see {@link isPeriodicTransactionEvent201}) is first tried as the one statement of
 * {@link recordPeriodicTransactionEvent201}, unless `periodicTried` says the caller ran that statement already and
 * it found the transaction not known started. The caller authorizes the event's idToken separately.
 */
export async function recordTransactionEvent201(
  db: Kysely<Database>,
  stationId: string,
  request: TransactionEvent201,
  options: RecordTransactionEvent201Options = {},
): Promise<TransactionEvent201Record> {
  if (options.periodicTried !== true) {
    const periodic = await recordPeriodicTransactionEvent201(db, stationId, request);
    if (periodic !== undefined) return periodic;
  }
  const timestamp = new Date(request.timestamp);
  const locked = await storeEventAndLock(db, stationId, request);
  // A retry of an event stored before (E13): nothing changes.
  if (locked === undefined) return {};
  const { row, created, superseded } = await applyEvent(db, stationId, request, timestamp, locked);
  // H01.FR.15 / E03.FR.03: only the first event of a transaction authorized for a reservation carries its id; the
  // reservation ends in this same database transaction (no statement for the events without one).
  const consumed =
    request.reservationId === undefined
      ? undefined
      : await consumeReservation(db, {
          stationId,
          reservationId: request.reservationId,
          evseId: row.evse_id,
          idToken: row.id_token,
          transactionId: request.transactionInfo.transactionId,
          at: timestamp,
        });
  return {
    applied: {
      created,
      state: row.state,
      chargingState: row.charging_state,
      superseded,
      ...(consumed ? { consumedReservationId: consumed.reservation_id } : {}),
    },
  };
}

/**
 * Applies a new event to its transaction's row (creating the row for the first event seen): folds the
 * transaction's facts again, updates the row and stores the event's meter values in one statement, deletes the
 * transaction's TxProfiles when this event ended it, and ends the transactions it superseded.
 */
async function applyEvent(
  trx: Kysely<Database>,
  stationId: string,
  request: TransactionEvent201,
  timestamp: Date,
  { existing, created }: LockedRow,
): Promise<{ row: TransactionRow; created: boolean; superseded: string[] }> {
  const transactionId = request.transactionInfo.transactionId;
  // The first event seen of a transaction is its only stored event: its facts are the request's (one statement
  // fewer for most Started events).
  const facts = created ? [eventFactsOf(request)] : await loadEventFacts(trx, stationId, transactionId);
  const fromFacts = rowFromFacts(existing, foldFacts(facts), timestamp);
  const result = (
    await rowAndFactsUpdate.run(
      trx,
      Object.assign(eventReadings(request), fromFacts, eventMeterValueColumns(stationId, request), {
        id: existing.id,
        // Only an event that places the transaction on an EVSE (the first seen, or one carrying `evse`:
        // E01.FR.16 sends it once, E01.FR.17 in an Updated when unknown at start) can supersede another.
        supersede: created || request.evse !== undefined,
      }),
    )
  ).rows[0];
  if (result === undefined) throw new Error(`transaction row ${existing.id} vanished while locked`);
  const { superseded, ...row } = result;
  // K02.FR.05: the charging-profiles domain forgets the TxProfiles in this same database transaction.
  if (row.state === 'ended' && existing.state !== 'ended')
    await deleteEndedTxProfiles(trx, stationId, transactionId);
  for (const ended of superseded) await deleteEndedTxProfiles(trx, stationId, ended);
  return { row, created, superseded };
}

/** The row's columns derived from the transaction's facts (see {@link recordTransactionEvent201}). */
function rowFromFacts(existing: TransactionRow, f: FoldedFacts, timestamp: Date): FactColumns {
  const startedAt =
    f.started?.timestamp ??
    (existing.started_at && existing.started_at.getTime() <= timestamp.getTime()
      ? existing.started_at
      : timestamp);
  const token = f.authorizingToken ?? f.stoppingToken;
  return Object.assign(endFields(existing, f), {
    startedAt,
    evseId: f.evse?.id ?? null,
    connectorId: f.evse?.connectorId ?? null,
    idToken: token?.idToken ?? null,
    idTokenType: token?.type ?? null,
    chargingState: f.chargingState,
    remoteStartId: f.remoteStartId,
    reservationId: f.reservationId,
  });
}

/** The row's columns derived from the transaction's facts. */
interface FactColumns {
  state: 'active' | 'ended';
  endedAt: Date | null;
  stopReason: string | null;
  endedBy: TransactionEndedBy | null;
  startedAt: Date;
  evseId: number | null;
  connectorId: number | null;
  idToken: string | null;
  idTokenType: string | null;
  chargingState: string | null;
  remoteStartId: number | null;
  reservationId: number | null;
}

/** The update of an event: its readings, the facts folded again, and its meter values. */
const rowAndFactsUpdate = queryTemplate(
  (db, p: { id: string; supersede: boolean } & EventReadings & FactColumns & MeterValueSetColumns) =>
    db
      .with('updated', (db) =>
        db
          .updateTable('transactions')
          .set({
            ...readingsSet(p),
            state: p.state,
            ended_at: p.endedAt,
            stop_reason: p.stopReason,
            ended_by: p.endedBy,
            started_at: p.startedAt,
            evse_id: p.evseId,
            connector_id: p.connectorId,
            id_token: p.idToken,
            id_token_type: p.idTokenType,
            charging_state: p.chargingState,
            remote_start_id: p.remoteStartId,
            reservation_id: p.reservationId,
          })
          .where('id', '=', p.id)
          .returningAll(),
      )
      .with('superseded', (db) => supersededOnEvse201(db, p.supersede))
      .with('stored_meter_values', (db) => meterValueColumnsInsert(db, p, UPDATED_ROW))
      .selectFrom('updated')
      .selectAll()
      .select(
        sql<string[]>`array(select s.transaction_id from superseded s order by s.transaction_id)`.as(
          'superseded',
        ),
      ),
);

/**
 * The end of the row: the station's Ended event ends it (ended_by station; a missing stoppedReason
 * means Local: E06.FR.09, E07.FR.04). An end by the CSMS or an operator is final: a late Updated of
 * the transaction does not make it active again, and its late Ended still records the station's
 * ended_at and stop_reason (as a 1.6 StopTransaction does) while ended_by / end_note keep who ended it.
 */
function endFields(
  existing: TransactionRow,
  f: FoldedFacts,
): Pick<FactColumns, 'state' | 'endedAt' | 'stopReason' | 'endedBy'> {
  const endedByCsms = existing.ended_by === 'csms' || existing.ended_by === 'operator';
  if (f.ended)
    return {
      state: 'ended',
      endedAt: f.ended.timestamp,
      stopReason: f.ended.stopped_reason ?? 'Local',
      endedBy: endedByCsms ? existing.ended_by : 'station',
    };
  if (endedByCsms)
    return {
      state: 'ended',
      endedAt: existing.ended_at,
      stopReason: existing.stop_reason,
      endedBy: existing.ended_by,
    };
  return { state: 'active', endedAt: null, stopReason: null, endedBy: null };
}

interface LockedRow {
  readonly existing: TransactionRow;
  /** The event is the first seen of its transaction: the row was inserted now. */
  readonly created: boolean;
}

/** The statement of {@link storeEventAndLock}, compiled once. */
const storeEventAndLockQuery = queryTemplate((db, p: StoredEventColumns) =>
  db
    .with('stored_event', (db) =>
      db
        .insertInto('transaction_events')
        .values({
          station_id: p.stationId,
          transaction_id: p.transactionId,
          seq_no: p.seqNo,
          event_type: p.eventType,
          trigger_reason: p.triggerReason,
          timestamp: p.timestamp,
          offline: p.offline,
          payload: p.payload,
        })
        .onConflict((oc) => oc.columns(['station_id', 'transaction_id', 'seq_no']).doNothing())
        .returning('id'),
    )
    .insertInto('transactions')
    .columns(['station_id', 'ocpp_version', 'transaction_id', 'state'])
    .expression((eb) =>
      eb
        .selectFrom('stored_event')
        .select([
          sql<string>`${p.stationId}::text`.as('station_id'),
          sql<string>`${OCPP201}::text`.as('ocpp_version'),
          sql<string>`${p.transactionId}::text`.as('transaction_id'),
          sql<'active'>`'active'`.as('state'),
        ]),
    )
    .onConflict((oc) =>
      oc
        .columns(['station_id', 'transaction_id'])
        .doUpdateSet((eb) => ({ state: eb.ref('transactions.state') })),
    )
    .returningAll()
    .returning(sql<boolean>`xmax = 0`.as('inserted')),
);

/**
 * Stores the event and returns its transaction's row, locked until the caller's transaction ends
 * (events of one transaction are applied one at a time), inserted first as an active row when this is
 * the first event seen of the transaction; undefined when the event was stored before (a retry). One
 * statement: the event's insert is a data-modifying CTE, the row's upsert runs only when that inserted
 * (`where exists`), its conflict branch changes nothing but still locks the row it returns, and
 * `xmax = 0` tells a row this statement inserted.
 */
async function storeEventAndLock(
  trx: Kysely<Database>,
  stationId: string,
  request: TransactionEvent201,
): Promise<LockedRow | undefined> {
  const result = (await storeEventAndLockQuery.run(trx, storedEventColumns(stationId, request))).rows[0];
  if (result === undefined) return undefined;
  const { inserted, ...existing } = result;
  return { existing, created: inserted };
}
