import { randomInt } from 'node:crypto';
import {
  findChargingProfilesReport,
  findStationOcppVersion,
  hasChargingProfilesReport,
  listStoredProfiles,
  type ChargingProfilesReport,
  type Database,
  type Kysely,
} from '@csms/db';
import {
  abortable,
  pollUntil,
  requireOcppVersion,
  smartChargingV1 as api,
  type CallContext,
} from '@csms/grpc';
import { INT32_MAX, type V201 } from '@csms/ocpp';
import { statusInfoOf } from './composite-schedule.js';
import type { SmartChargingServiceDeps } from './deps.js';
import { ALL_LIMIT_SOURCES } from './ocpp-enums.js';
import { reconcileReport, type ReportFilter } from './reconcile-report.js';
import { callStation } from './station-call.js';

const { GetChargingProfilesStatus: G } = api;

/** How the station's view is read: a new request to the station, or the report of an earlier requestId. */
export interface ReportOptions {
  /** The requestId of a GetChargingProfilesRequest sent before; undefined: ask the station now. */
  readonly requestId: number | undefined;
  /** How long to wait for the report's last part (tbc false). */
  readonly waitMs: number;
}

/** More than any station keeps (ChargingProfileEntries): every stored profile of a station, to compare. */
const STORED_LIMIT = 10_000;

/**
 * The station's view of its charging profiles (OCPP 2.0.1 K09): asks it with a GetChargingProfilesRequest (a
 * new requestId, `filter` as criteria) or takes an earlier requestId, waits (at most `waitMs`) for the
 * ReportChargingProfilesRequests its actor stores, and compares them with the profiles the CSMS installed.
 */
export async function stationReport(
  deps: SmartChargingServiceDeps,
  stationId: string,
  filter: ReportFilter,
  options: ReportOptions,
  context: CallContext,
): Promise<api.StationChargingProfilesReport> {
  requireOcppVersion(stationId, await findStationOcppVersion(deps.db, stationId), ['ocpp2.0.1']);
  let requestId = options.requestId;
  let answer: V201.GetChargingProfilesResponse | undefined;
  if (requestId === undefined) {
    requestId = await unusedRequestId(deps.db, stationId);
    answer = await abortable(
      callStation<V201.GetChargingProfilesResponse>(
        deps.stations,
        stationId,
        'GetChargingProfiles',
        toGetChargingProfiles(requestId, filter),
      ),
      context.signal,
    );
  }
  // A station without matching profiles answers NoProfiles and reports nothing (K09 error handling).
  const report: ChargingProfilesReport =
    answer?.status === 'NoProfiles'
      ? { complete: true, profiles: [] }
      : await abortable(
          waitForReport(deps.db, stationId, requestId, options.waitMs, context.signal),
          context.signal,
        );
  const stored = await listStoredProfiles(deps.db, stationId, {}, undefined, STORED_LIMIT);
  deps.logger.debug(
    { stationId, requestId, complete: report.complete, reported: report.profiles.length },
    'charging profiles report read',
  );
  return {
    requestId,
    status: statusOf(answer),
    statusInfo: statusInfoOf(answer?.statusInfo),
    ...reconcileReport(report, stored, filter),
  };
}

/**
 * The GetChargingProfilesRequest for `filter`. K09.FR.03 requires a criterion besides the EVSE: profile ids, or
 * one or more of purpose, stack level and charging limit sources; without any it asks for every charging limit
 * source, which matches every profile.
 */
export function toGetChargingProfiles(
  requestId: number,
  filter: ReportFilter,
): V201.GetChargingProfilesRequest {
  const criterion: V201.ChargingProfileCriterionType = {
    ...(filter.purpose !== undefined ? { chargingProfilePurpose: filter.purpose } : {}),
    ...(filter.stackLevel !== undefined ? { stackLevel: filter.stackLevel } : {}),
    ...(filter.profileIds !== undefined ? { chargingProfileId: [...filter.profileIds] } : {}),
    ...(filter.limitSources !== undefined ? { chargingLimitSource: [...filter.limitSources] } : {}),
  };
  return {
    requestId,
    ...(filter.evseId !== undefined ? { evseId: filter.evseId } : {}),
    chargingProfile:
      Object.keys(criterion).length > 0 ? criterion : { chargingLimitSource: [...ALL_LIMIT_SOURCES] },
  };
}

function statusOf(answer: V201.GetChargingProfilesResponse | undefined): api.GetChargingProfilesStatus {
  if (answer === undefined) return G.GET_CHARGING_PROFILES_STATUS_UNSPECIFIED;
  return answer.status === 'Accepted'
    ? G.GET_CHARGING_PROFILES_STATUS_ACCEPTED
    : G.GET_CHARGING_PROFILES_STATUS_NO_PROFILES;
}

/** A requestId this station has reported nothing for, so that an old report is not read as the new one. */
async function unusedRequestId(db: Kysely<Database>, stationId: string): Promise<number> {
  for (;;) {
    const requestId = randomInt(1, INT32_MAX);
    if (!(await hasChargingProfilesReport(db, stationId, requestId))) return requestId;
  }
}

/**
 * What the station reported for `requestId` once its last part arrived, or when `waitMs` passed (or the call
 * was cancelled) with what arrived by then. The station's actor stores the parts, in whichever process it runs:
 * the store is polled.
 */
function waitForReport(
  db: Kysely<Database>,
  stationId: string,
  requestId: number,
  waitMs: number,
  signal: AbortSignal,
): Promise<ChargingProfilesReport> {
  return pollUntil(
    () => findChargingProfilesReport(db, stationId, requestId),
    (report) => report.complete,
    waitMs,
    signal,
  );
}
