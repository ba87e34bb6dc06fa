import { storedListEntries, storedListVersion, type LocalAuthListEntryRow } from '@csms/db';
import { abortable, resultOf, type authV1, type CallContext } from '@csms/grpc';
import { StationLimits } from '@csms/station-limits';
import type { AuthServiceDeps } from './deps.js';
import { KeyedLock } from './keyed-lock.js';
import { sendLocalList } from './send-local-list.js';
import { existingStation, versionOf } from './station-lookup.js';
import { toApiStatus } from './statuses.js';

type Deps = Pick<AuthServiceDeps, 'db' | 'stations' | 'logger'>;

/** Local authorization lists: send (full / differential) with version tracking, read, compare versions. */
export function localListHandlers(deps: Deps) {
  // One update of a station's list at a time in this process (see KeyedLock).
  const lock = new KeyedLock();
  // The stations' SendLocalList limits (D01.FR.11), learned once per station.
  const sendDeps = { ...deps, limits: new StationLimits(deps) };
  return {
    sendLocalList: (request: authV1.SendLocalListRequest, context: CallContext) =>
      sendLocalList(sendDeps, lock, request, context),
    getLocalList: (request: authV1.GetLocalListRequest) => getLocalList(deps, request),
    getLocalListVersion: (request: authV1.GetLocalListVersionRequest, context: CallContext) =>
      getLocalListVersion(deps, request, context),
  };
}

/** GetLocalList: the list as the CSMS stored it (what the station accepted). */
async function getLocalList(
  deps: Deps,
  request: authV1.GetLocalListRequest,
): Promise<authV1.GetLocalListResponse> {
  const station = await existingStation(deps.db, request.stationId);
  const stored = await storedListVersion(deps.db, station.id);
  const rows = await storedListEntries(deps.db, station.id);
  return { version: stored.version, entries: rows.map(toEntry), updateTime: stored.updatedAt };
}

/** GetLocalListVersion: asks the station for its list version and compares it with the stored one. */
async function getLocalListVersion(
  deps: Deps,
  request: authV1.GetLocalListVersionRequest,
  context: CallContext,
): Promise<authV1.GetLocalListVersionResponse> {
  const station = await existingStation(deps.db, request.stationId);
  const version = versionOf(station);
  const action = 'GetLocalListVersion';
  const outcome = await abortable(deps.stations.call(station.id, action, {}), context.signal);
  const answer = resultOf(station.id, action, outcome);
  const stationVersion = Number(version === 'ocpp1.6' ? answer.listVersion : answer.versionNumber);
  const stored = await storedListVersion(deps.db, station.id);
  return { stationVersion, storedVersion: stored.version, inSync: stationVersion === stored.version };
}

function toEntry(row: LocalAuthListEntryRow): authV1.LocalListEntry {
  return {
    idToken: row.id_token,
    type: row.type ?? '',
    status: toApiStatus(row.status),
    expireTime: row.expires_at ?? undefined,
    groupId: row.group_id ?? '',
  };
}
