import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { listTransactionRows } from '../transactions/queries.js';
import type { TransactionRow } from '../transactions/schema.js';
import type { ChargingProfileRow, EvChargingNeedsRow, EvChargingScheduleRow } from './schema.js';

/**
 * What EVs sent through OCPP 2.0.1 stations for ISO 15118 smart charging (K15-K17): their charging needs
 * (`ev_charging_needs`) and their chosen schedules (`ev_charging_schedules`), the latest per (station, transaction),
 * and the reads the CSMS's schedules for them need.
 */

/** The 2.0.1 transaction active on a station's EVSE (the newest when a late stop left several), if any. */
export async function activeTransactionOnEvse(
  db: Kysely<Database>,
  stationId: string,
  evseId: number,
): Promise<TransactionRow | undefined> {
  // A station has an active transaction per EVSE at most: its active ones are few.
  const rows = await listTransactionRows(db, { stationId, state: 'active', limit: 1000 });
  return rows.find((row) => row.evse_id === evseId && row.ocpp_version === 'ocpp2.0.1');
}

export interface EvChargingNeeds {
  readonly stationId: string;
  readonly transactionId: string;
  readonly evseId: number;
  /** ChargingNeedsType as sent. */
  readonly chargingNeeds: object;
  readonly maxScheduleTuples: number | undefined;
  readonly status: string;
}

/** Stores an EV's charging needs, replacing its transaction's earlier ones (K17: new needs) but not the operator limit. */
export async function storeEvChargingNeeds(db: Kysely<Database>, needs: EvChargingNeeds): Promise<void> {
  const values = {
    evse_id: needs.evseId,
    charging_needs: JSON.stringify(needs.chargingNeeds),
    max_schedule_tuples: needs.maxScheduleTuples ?? null,
    status: needs.status,
  };
  await db
    .insertInto('ev_charging_needs')
    .values({ station_id: needs.stationId, transaction_id: needs.transactionId, ...values })
    .onConflict((oc) =>
      oc.columns(['station_id', 'transaction_id']).doUpdateSet({ ...values, received_at: sql<Date>`now()` }),
    )
    .execute();
}

/** Sets (or, with null, removes) the operator's limit on a transaction's EV schedules (K16 renegotiation). */
export async function setEvOperatorLimit(
  db: Kysely<Database>,
  stationId: string,
  transactionId: string,
  limit: { limit: number; chargingRateUnit: string } | null,
): Promise<void> {
  await db
    .updateTable('ev_charging_needs')
    .set({ operator_limit: limit === null ? null : JSON.stringify(limit) })
    .where('station_id', '=', stationId)
    .where('transaction_id', '=', transactionId)
    .execute();
}

/** The latest charging needs of a station's transaction, or of every transaction on an EVSE (newest first). */
export function listEvChargingNeeds(
  db: Kysely<Database>,
  stationId: string,
  filter: { readonly transactionId?: string; readonly evseId?: number } = {},
  limit = 100,
): Promise<EvChargingNeedsRow[]> {
  let q = db.selectFrom('ev_charging_needs').selectAll().where('station_id', '=', stationId);
  if (filter.transactionId !== undefined) q = q.where('transaction_id', '=', filter.transactionId);
  if (filter.evseId !== undefined) q = q.where('evse_id', '=', filter.evseId);
  return q.orderBy('received_at', 'desc').limit(limit).execute();
}

export interface EvChargingSchedule {
  readonly stationId: string;
  readonly transactionId: string;
  readonly evseId: number;
  readonly timeBase: Date;
  /** ChargingScheduleType as sent. */
  readonly chargingSchedule: object;
  readonly status: string;
}

/** Stores the schedule an EV chose, replacing its transaction's earlier one. One statement. */
export async function storeEvChargingSchedule(
  db: Kysely<Database>,
  schedule: EvChargingSchedule,
): Promise<void> {
  const values = {
    evse_id: schedule.evseId,
    time_base: schedule.timeBase,
    charging_schedule: JSON.stringify(schedule.chargingSchedule),
    status: schedule.status,
  };
  await db
    .insertInto('ev_charging_schedules')
    .values({ station_id: schedule.stationId, transaction_id: schedule.transactionId, ...values })
    .onConflict((oc) =>
      oc.columns(['station_id', 'transaction_id']).doUpdateSet({ ...values, received_at: sql<Date>`now()` }),
    )
    .execute();
}

/** The latest EV schedules of a station (of one transaction / EVSE), newest first. */
export function listEvChargingSchedules(
  db: Kysely<Database>,
  stationId: string,
  filter: { readonly transactionId?: string; readonly evseId?: number } = {},
  limit = 100,
): Promise<EvChargingScheduleRow[]> {
  let q = db.selectFrom('ev_charging_schedules').selectAll().where('station_id', '=', stationId);
  if (filter.transactionId !== undefined) q = q.where('transaction_id', '=', filter.transactionId);
  if (filter.evseId !== undefined) q = q.where('evse_id', '=', filter.evseId);
  return q.orderBy('received_at', 'desc').limit(limit).execute();
}

/**
 * The stored 2.0.1 profiles that bound an EVSE's schedule: ChargingStationMaxProfiles (EVSE 0), TxDefaultProfiles of
 * the EVSE or of EVSE 0, and the TxProfiles of `transactionId`; by descending stack level.
 */
export function profilesForEvse(
  db: Kysely<Database>,
  stationId: string,
  evseId: number,
  transactionId: string,
): Promise<ChargingProfileRow[]> {
  return db
    .selectFrom('charging_profiles')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('ocpp_version', '=', 'ocpp2.0.1')
    .where((eb) =>
      eb.or([
        eb.and([eb('purpose', '=', 'ChargingStationMaxProfile'), eb('evse_id', '=', 0)]),
        eb.and([eb('purpose', '=', 'TxDefaultProfile'), eb('evse_id', 'in', [0, evseId])]),
        eb.and([eb('purpose', '=', 'TxProfile'), eb('transaction_id', '=', transactionId)]),
      ]),
    )
    .orderBy('stack_level', 'desc')
    .orderBy('profile_id')
    .execute();
}

/** Profile ids the CSMS picks for the TxProfiles it computes for EVs start here (above ids operators usually use). */
export const EV_PROFILE_ID_BASE = 2_000_000_000;

/** A profile id no stored profile of the station has: one above the highest, at least {@link EV_PROFILE_ID_BASE}. */
export async function nextEvProfileId(db: Kysely<Database>, stationId: string): Promise<number> {
  const row = await db
    .selectFrom('charging_profiles')
    .select((eb) => eb.fn.max('profile_id').as('max'))
    .where('station_id', '=', stationId)
    .executeTakeFirst();
  return Math.max(EV_PROFILE_ID_BASE, Number(row?.max ?? 0) + 1);
}
