import {
  findStation,
  listExternalChargingLimits,
  type Database,
  type ExternalChargingLimitRow,
  type Kysely,
} from '@csms/db';
import { ApiErrors, RequestViolations, requireStationId, type smartChargingV1 as api } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { applyExternalLimits } from './limit-schedule.js';
import { fromOcpp } from './ocpp-enums.js';
import { fromV201Schedule } from './profile-v201.js';
import type { SmartChargingVersion } from './station-version.js';

/**
 * ListExternalChargingLimits: the external charging limits a station reported (NotifyChargingLimitRequest, K11,
 * K12, K14) and did not release since (ClearedChargingLimitRequest, K13), as the station's actor stored them.
 */
export async function listExternalLimits(
  db: Kysely<Database>,
  request: api.ListExternalChargingLimitsRequest,
): Promise<api.ListExternalChargingLimitsResponse> {
  requireStationId(request.stationId);
  const v = new RequestViolations();
  if (request.evseId !== undefined) v.check(request.evseId >= 0, 'evse_id', 'must be >= 0');
  v.throwIfAny('invalid ListExternalChargingLimits request');
  if (!(await findStation(db, request.stationId))) throw ApiErrors.notFound('station', request.stationId);
  const rows = await listExternalChargingLimits(
    db,
    request.stationId,
    request.evseId === undefined ? undefined : [request.evseId],
  );
  return { limits: rows.map(toExternalLimit) };
}

/** A stored external limit as the API shows it. */
export function toExternalLimit(row: ExternalChargingLimitRow): api.ExternalChargingLimit {
  return {
    stationId: row.station_id,
    evseId: row.evse_id,
    chargingLimitSource: fromOcpp.limitSource(row.charging_limit_source),
    ...(row.is_grid_critical !== null ? { isGridCritical: row.is_grid_critical } : {}),
    schedules: (row.schedules as unknown as V201.ChargingScheduleType[]).map(fromV201Schedule),
    updateTime: new Date(row.received_at),
  };
}

/**
 * A GetCompositeSchedule answer with the stored external limits that apply to its EVSE (the EVSE's and the
 * station-wide ones; for EVSE 0 the station-wide ones only) and the station's schedule with them applied
 * (limit-schedule.ts). OCPP 1.6 stations report no external limits: none, and the schedule as is.
 */
export async function withExternalLimits(
  db: Kysely<Database>,
  version: SmartChargingVersion,
  request: api.GetCompositeScheduleRequest,
  response: api.GetCompositeScheduleResponse,
): Promise<api.GetCompositeScheduleResponse> {
  const rows =
    version === 'ocpp2.0.1'
      ? await listExternalChargingLimits(
          db,
          request.stationId,
          request.evseId === 0 ? [0] : [0, request.evseId],
        )
      : [];
  const externalLimits = rows.map(toExternalLimit);
  return {
    ...response,
    externalLimits,
    limitedSchedule: response.schedule && applyExternalLimits(response.schedule, externalLimits),
  };
}
