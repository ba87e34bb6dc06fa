import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ExternalChargingLimitRow } from './schema.js';

/**
 * The external charging limits OCPP 2.0.1 stations report (`external_charging_limits`): a limit an external system
 * (EMS, grid operator, local controller) imposed on the station, told to the CSMS by NotifyChargingLimitRequest
 * (K11, K12, K14) and released by ClearedChargingLimitRequest (K13, K14). Kept apart from the profiles the CSMS
 * installed (`charging_profiles`) and from what stations report having installed (`reported_charging_profiles`).
 */

/** One NotifyChargingLimitRequest as a station sent it. */
export interface ExternalChargingLimit {
  readonly stationId: string;
  /** The notification's evseId; undefined (a station-wide limit) is stored as 0. */
  readonly evseId: number | undefined;
  /** OCPP ChargingLimitSourceEnumType. */
  readonly chargingLimitSource: string;
  readonly isGridCritical: boolean | undefined;
  /** The 2.0.1 ChargingScheduleTypes as sent; empty when the station sent none. */
  readonly schedules: readonly object[];
}

/**
 * Stores a reported external limit, replacing the one of the same station, EVSE and source: the latest
 * notification is the limit in force. One statement (an upsert), so a retried CALL changes nothing but the time.
 */
export async function storeExternalChargingLimit(
  db: Kysely<Database>,
  limit: ExternalChargingLimit,
): Promise<void> {
  const values = {
    is_grid_critical: limit.isGridCritical ?? null,
    schedules: JSON.stringify(limit.schedules),
  };
  await db
    .insertInto('external_charging_limits')
    .values({
      station_id: limit.stationId,
      evse_id: limit.evseId ?? 0,
      charging_limit_source: limit.chargingLimitSource,
      ...values,
    })
    .onConflict((oc) =>
      oc
        .columns(['station_id', 'evse_id', 'charging_limit_source'])
        .doUpdateSet({ ...values, received_at: sql<Date>`now()` }),
    )
    .execute();
}

/**
 * Deletes the external limits a ClearedChargingLimitRequest released: of `source` on `evseId`, or, when the
 * request names no EVSE, every limit of that source on the station (the station-wide one and any per EVSE). One
 * statement. Returns how many were deleted.
 */
export async function clearExternalChargingLimits(
  db: Kysely<Database>,
  stationId: string,
  chargingLimitSource: string,
  evseId: number | undefined,
): Promise<number> {
  let query = db
    .deleteFrom('external_charging_limits')
    .where('station_id', '=', stationId)
    .where('charging_limit_source', '=', chargingLimitSource);
  if (evseId !== undefined) query = query.where('evse_id', '=', evseId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * A station's stored external limits, by EVSE then source. `evseIds`: only those on these EVSEs (0 = the
 * station-wide ones).
 */
export async function listExternalChargingLimits(
  db: Kysely<Database>,
  stationId: string,
  evseIds?: readonly number[],
): Promise<ExternalChargingLimitRow[]> {
  let query = db.selectFrom('external_charging_limits').selectAll().where('station_id', '=', stationId);
  if (evseIds !== undefined) {
    if (evseIds.length === 0) return [];
    query = query.where('evse_id', 'in', evseIds);
  }
  return query.orderBy('evse_id').orderBy('charging_limit_source').execute();
}
