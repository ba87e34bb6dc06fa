import { sql, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../schema.js';
import type { ReservationStatus, ReservationsTable } from './schema.js';

/**
 * The reservations stations accepted (`reservations`). The reservation service stores one when the station
 * answered ReserveNow Accepted and cancels it when it answered CancelReservation Accepted; the station's actor
 * ends it when a transaction consumes it (in the database transaction that records the start), on a 2.0.1
 * ReservationStatusUpdate, and on a 1.6 connector that turns Faulted or Unavailable (§5.13 (3)). Every transition is
 * a conditional update on `status = 'active'`, so a repeated message changes nothing.
 */

export type ReservationRow = Selectable<ReservationsTable>;

/** A reservation the station accepted. */
export interface NewReservation {
  readonly stationId: string;
  readonly reservationId: number;
  readonly ocppVersion: string;
  /** 2.0.1 evseId / 1.6 connectorId; null (or 1.6 connectorId 0) = unspecified. */
  readonly evseId: number | null;
  readonly connectorType?: string | null | undefined;
  readonly idToken: string;
  readonly idTokenType?: string | null | undefined;
  readonly groupIdToken?: string | null | undefined;
  readonly groupIdTokenType?: string | null | undefined;
  readonly expiresAt: Date;
}

/**
 * Stores an accepted reservation (status `active`). An active reservation of the station with the same
 * reservationId is replaced by it, as the station did (1.6 §5.13, H01.FR.02).
 */
export async function storeReservation(db: Kysely<Database>, r: NewReservation): Promise<ReservationRow> {
  const values = {
    ocpp_version: r.ocppVersion,
    evse_id: r.evseId,
    connector_type: r.connectorType ?? null,
    id_token: r.idToken,
    id_token_type: r.idTokenType ?? null,
    group_id_token: r.groupIdToken ?? null,
    group_id_token_type: r.groupIdTokenType ?? null,
    expires_at: r.expiresAt,
  };
  return db
    .insertInto('reservations')
    .values({ ...values, station_id: r.stationId, reservation_id: r.reservationId, status: 'active' })
    .onConflict((oc) =>
      oc
        .columns(['station_id', 'reservation_id'])
        // A literal: the partial unique index's predicate must be matched as written (a parameter is not inferred).
        .where(sql<boolean>`status = 'active'`)
        .doUpdateSet({ ...values, created_at: sql<Date>`now()` } as never),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The station's reservation with `reservationId`: the active one, else the latest ended one. */
export async function findReservation(
  db: Kysely<Database>,
  stationId: string,
  reservationId: number,
): Promise<ReservationRow | undefined> {
  return db
    .selectFrom('reservations')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('reservation_id', '=', reservationId)
    .orderBy(sql`status = 'active'`, 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** A page of reservations, newest first. */
export interface ReservationQuery {
  readonly stationId?: string | undefined;
  readonly status?: ReservationStatus | undefined;
  readonly idToken?: string | undefined;
  /** Rows with an id below it (the previous page's last id). */
  readonly beforeId?: string | undefined;
  readonly limit: number;
}

export async function listReservations(
  db: Kysely<Database>,
  query: ReservationQuery,
): Promise<ReservationRow[]> {
  let q = db.selectFrom('reservations').selectAll();
  if (query.stationId !== undefined) q = q.where('station_id', '=', query.stationId);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.idToken !== undefined) q = q.where('id_token', '=', query.idToken);
  if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
  return q.orderBy('id', 'desc').limit(query.limit).execute();
}

/**
 * The station's active reservation, not expired at `at`, that a new reservation on `evseId` would overlap: one on the
 * same EVSE / connector. Reservations of an unspecified EVSE never overlap: the station holds as many as it has
 * EVSEs available and answers Occupied beyond (H01.FR.11, H01.FR.20; OCTT TC_H_14_CSMS sends one per EVSE).
 */
export async function findOverlappingReservation(
  db: Kysely<Database>,
  stationId: string,
  evseId: number | null,
  at: Date,
): Promise<ReservationRow | undefined> {
  if (evseId === null) return undefined;
  return db
    .selectFrom('reservations')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('status', '=', 'active')
    .where('expires_at', '>', at)
    .where('evse_id', '=', evseId)
    .limit(1)
    .executeTakeFirst();
}

/** Marks the station's active reservation `reservationId` cancelled (CancelReservation Accepted). */
export async function cancelReservation(
  db: Kysely<Database>,
  stationId: string,
  reservationId: number,
): Promise<ReservationRow | undefined> {
  return endReservation(db, stationId, reservationId, 'cancelled');
}

/**
 * Ends the station's active reservation `reservationId` with `status` (2.0.1 ReservationStatusUpdate: Expired,
 * H04.FR.01; Removed, H01.FR.16/17). Resolves with the row when it changed.
 */
export async function endReservation(
  db: Kysely<Database>,
  stationId: string,
  reservationId: number,
  status: Exclude<ReservationStatus, 'active' | 'used'>,
): Promise<ReservationRow | undefined> {
  return db
    .updateTable('reservations')
    .set({ status, ended_at: sql<Date>`now()` })
    .where('station_id', '=', stationId)
    .where('reservation_id', '=', reservationId)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
}

/**
 * Ends the station's active reservations of `evseId` (1.6 connectorId) as `removed`; `'station'` ends all of the
 * station's (1.6 connector 0: the Charge Point). 1.6 §5.13: a reservation SHALL be terminated when the Charge Point
 * or connector are set to Faulted or Unavailable, and 1.6 has no message telling the CSMS so.
 */
export async function removeReservationsOf(
  db: Kysely<Database>,
  stationId: string,
  evseId: number | 'station',
): Promise<ReservationRow[]> {
  let q = db
    .updateTable('reservations')
    .set({ status: 'removed', ended_at: sql<Date>`now()` })
    .where('station_id', '=', stationId)
    .where('status', '=', 'active');
  if (evseId !== 'station') q = q.where('evse_id', '=', evseId);
  return q.returningAll().execute();
}

/**
 * Ends the active reservations whose expiry is at or before `at` as `expired` (of one station, or all): 1.6 has no
 * ReservationStatusUpdate, so the CSMS expires them by time (§5.13 (2)).
 */
export async function expireReservations(
  db: Kysely<Database>,
  at: Date,
  stationId?: string,
): Promise<ReservationRow[]> {
  let q = db
    .updateTable('reservations')
    .set({ status: 'expired', ended_at: sql<Date>`now()` })
    .where('status', '=', 'active')
    .where('expires_at', '<=', at);
  if (stationId !== undefined) q = q.where('station_id', '=', stationId);
  return q.returningAll().execute();
}

/** A starting transaction, as far as reservations go. */
export interface ConsumingStart {
  readonly stationId: string;
  /** The reservationId the station sent with the start (1.6 §5.13, H01.FR.15), if any. */
  readonly reservationId: number | null;
  /** Where it starts: 2.0.1 evseId / 1.6 connectorId. */
  readonly evseId: number | null;
  readonly idToken: string | null;
  /** The token's group (2.0.1 groupIdToken, 1.6 parentIdTag), when the caller knows it. */
  readonly groupIdToken?: string | null | undefined;
  /** The transaction's id (`transactions.transaction_id`). */
  readonly transactionId: string;
  readonly at: Date;
}

/**
 * Marks the reservation a starting transaction consumes `used`, with the transaction, in one statement (the caller's
 * database transaction records the start). With a reservationId: the station's active reservation with that id (the
 * station terminated it, 1.6 §5.13, H01.FR.15, whatever the CSMS thinks of its token or EVSE). Without: the oldest
 * active, unexpired reservation of the same token or group on that EVSE / connector or on an unspecified one (1.6
 * §5.13 (1)), see {@link findConsumableReservation}. Resolves with the row when one was consumed.
 */
export async function consumeReservation(
  db: Kysely<Database>,
  start: ConsumingStart,
): Promise<ReservationRow | undefined> {
  return db
    .updateTable('reservations')
    .set({ status: 'used', transaction_id: start.transactionId, ended_at: start.at })
    .where('id', '=', (eb) => consumable(eb.selectFrom('reservations').select('id'), start).limit(1))
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
}

/** The active reservation a starting transaction would consume (see {@link consumeReservation}). */
export async function findConsumableReservation(
  db: Kysely<Database>,
  start: Omit<ConsumingStart, 'transactionId'>,
): Promise<ReservationRow | undefined> {
  return consumable(db.selectFrom('reservations').selectAll(), start).limit(1).executeTakeFirst();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function consumable<Q extends SelectQueryBuilder<Database, 'reservations', any>>(
  q: Q,
  start: Omit<ConsumingStart, 'transactionId'>,
): Q {
  let out = q.where('station_id', '=', start.stationId).where('status', '=', 'active');
  if (start.reservationId !== null) return out.where('reservation_id', '=', start.reservationId) as Q;
  if (start.idToken === null) return out.where(sql<boolean>`false`) as Q;
  const token = start.idToken;
  const group = start.groupIdToken ?? null;
  out = out
    .where('expires_at', '>', start.at)
    .where((eb) =>
      eb.or([eb('id_token', '=', token), ...(group !== null ? [eb('group_id_token', '=', group)] : [])]),
    )
    .where((eb) =>
      start.evseId === null
        ? eb('evse_id', 'is', null)
        : eb.or([eb('evse_id', 'is', null), eb('evse_id', '=', start.evseId)]),
    );
  return out.orderBy('expires_at').orderBy('id') as Q;
}
