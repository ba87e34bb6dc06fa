import { findStation, listStoredProfiles, type Database, type Kysely } from '@csms/db';
import {
  ApiErrors,
  INT32_KEY,
  RequestViolations,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
  requireStationId,
  smartChargingV1 as api,
  type CallContext,
} from '@csms/grpc';
import type { SmartChargingServiceDeps } from './deps.js';
import { ocpp, type LimitSource, type Purpose } from './ocpp-enums.js';
import type { ReportFilter } from './reconcile-report.js';
import { stationReport } from './station-report.js';
import { toStoredProfile } from './stored-profile.js';

const { ChargingProfilesView: View } = api;
const VIEWS: readonly api.ChargingProfilesView[] = [
  View.CHARGING_PROFILES_VIEW_UNSPECIFIED,
  View.CHARGING_PROFILES_VIEW_CSMS,
  View.CHARGING_PROFILES_VIEW_STATION,
];

/** At most this many charging_profile_ids (a station keeps ChargingProfileEntries.maxLimit profiles). */
const MAX_PROFILE_IDS = 1000;

/** How long the station's view waits for a report by default, and at most (report_wait_seconds). */
const DEFAULT_REPORT_WAIT_SECONDS = 30;
const MAX_REPORT_WAIT_SECONDS = 120;

/**
 * GetChargingProfiles, in the view asked for: the profiles the CSMS installed (stored, filtered, by profile id,
 * paged), or what the station reports it has installed (OCPP 2.0.1 K09, see station-report.ts), never mixed.
 */
export async function getChargingProfiles(
  deps: SmartChargingServiceDeps,
  request: api.GetChargingProfilesRequest,
  context: CallContext,
): Promise<api.GetChargingProfilesResponse> {
  requireStationId(request.stationId);
  const filter = checkRequest(request);
  if (request.view !== View.CHARGING_PROFILES_VIEW_STATION)
    return installedProfiles(deps.db, request, filter);
  const waitSeconds = request.reportWaitSeconds ?? DEFAULT_REPORT_WAIT_SECONDS;
  const report = await stationReport(
    deps,
    request.stationId,
    filter,
    { requestId: request.requestId, waitMs: waitSeconds * 1000 },
    context,
  );
  return { profiles: [], nextPageToken: '', stationReport: report };
}

/** The filter of a valid request, or INVALID_ARGUMENT with every violation. */
function checkRequest(request: api.GetChargingProfilesRequest): ReportFilter {
  const v = new RequestViolations();
  if (request.evseId !== undefined) v.check(request.evseId >= 0, 'evse_id', 'must be >= 0');
  if (request.stackLevel !== undefined) v.check(request.stackLevel >= 0, 'stack_level', 'must be >= 0');
  const purpose = ocpp.purpose(request.purpose);
  if (
    purpose === undefined &&
    request.purpose !== api.ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_UNSPECIFIED
  )
    v.add('purpose', 'unknown value');
  v.check(VIEWS.includes(request.view), 'view', 'unknown value');
  const criteria = checkCriteria(v, request, purpose);
  const station = request.view === View.CHARGING_PROFILES_VIEW_STATION;
  if (station) {
    v.check(request.pageSize === 0, 'page_size', 'only with the CSMS view');
    v.check(request.pageToken === '', 'page_token', 'only with the CSMS view');
    const wait = request.reportWaitSeconds;
    if (wait !== undefined)
      v.check(
        Number.isInteger(wait) && wait >= 0 && wait <= MAX_REPORT_WAIT_SECONDS,
        'report_wait_seconds',
        `must be between 0 and ${MAX_REPORT_WAIT_SECONDS}`,
      );
  } else {
    if (request.requestId !== undefined) v.add('request_id', 'only with CHARGING_PROFILES_VIEW_STATION');
    if (request.reportWaitSeconds !== undefined)
      v.add('report_wait_seconds', 'only with CHARGING_PROFILES_VIEW_STATION');
  }
  v.throwIfAny('invalid GetChargingProfiles request');
  return {
    ...(request.evseId !== undefined ? { evseId: request.evseId } : {}),
    ...(purpose !== undefined ? { purpose } : {}),
    ...(request.stackLevel !== undefined ? { stackLevel: request.stackLevel } : {}),
    ...criteria,
  };
}

/** The profile id and charging limit source criteria (OCPP 2.0.1 ChargingProfileCriterionType), checked. */
function checkCriteria(
  v: RequestViolations,
  request: api.GetChargingProfilesRequest,
  purpose: Purpose | undefined,
): Pick<ReportFilter, 'profileIds' | 'limitSources'> {
  const ids = request.chargingProfileIds;
  if (ids.length > 0) {
    v.check(ids.length <= MAX_PROFILE_IDS, 'charging_profile_ids', `at most ${MAX_PROFILE_IDS}`);
    v.check(new Set(ids).size === ids.length, 'charging_profile_ids', 'each id at most once');
    // K09.FR.03: either a list of chargingProfileIds or the other criteria.
    const others = purpose !== undefined || request.stackLevel !== undefined;
    if (others || request.chargingLimitSources.length > 0)
      v.add('charging_profile_ids', 'not with purpose, stack_level or charging_limit_sources (K09.FR.03)');
  }
  const sources = request.chargingLimitSources.map((source) => ocpp.limitSource(source));
  if (sources.some((source) => source === undefined))
    v.add('charging_limit_sources', 'unknown or unspecified value');
  else if (new Set(sources).size !== sources.length)
    v.add('charging_limit_sources', 'each source at most once');
  return {
    ...(ids.length > 0 ? { profileIds: ids } : {}),
    ...(sources.length > 0 ? { limitSources: sources as LimitSource[] } : {}),
  };
}

/** The CSMS's view: the stored (accepted) profiles of a station, filtered, by profile id, a page at a time. */
async function installedProfiles(
  db: Kysely<Database>,
  request: api.GetChargingProfilesRequest,
  filter: ReportFilter,
): Promise<api.GetChargingProfilesResponse> {
  const pageSize = pageSizeOf(request.pageSize);
  const afterKey = decodePageToken(request.pageToken, INT32_KEY);
  const after = afterKey === undefined ? undefined : Number(afterKey);
  if (!(await findStation(db, request.stationId))) throw ApiErrors.notFound('station', request.stationId);
  // The CSMS installs its profiles as the CSO: a source filter without CSO matches none of them.
  const rows =
    filter.limitSources && !filter.limitSources.includes('CSO')
      ? []
      : await listStoredProfiles(db, request.stationId, filter, after, pageSize + 1);
  const page = rows.slice(0, pageSize);
  return {
    profiles: page.map(toStoredProfile),
    nextPageToken: rows.length > pageSize ? encodePageToken(page[page.length - 1]!.profile_id) : '',
  };
}
