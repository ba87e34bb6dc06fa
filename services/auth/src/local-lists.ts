import type { LocalAuthListEntryRow } from '@csms/db';
import { ApiErrors, authV1, resultOf, type CallContext, abortable } from '@csms/grpc';
import type { AuthServiceDeps } from './deps.js';
import { KeyedLock } from './keyed-lock.js';
import { sendLocalListPayload } from './local-list-payload.js';
import {
  commitListUpdate,
  storedListEntries,
  storedListVersion,
  type LocalListChange,
} from './local-list-store.js';
import { existingStation, versionOf, type OcppVersion } from './station-lookup.js';
import { LOCAL_LIST_STATUSES, localListStatusOf, toApiStatus } from './statuses.js';
import {
  checkIdToken,
  checkIdTokenType,
  checkTime,
  ID_TOKEN_TYPES,
  V16_ID_TAG_MAX_LENGTH,
  Violations,
} from './validation.js';

const { LocalListStatus, UpdateType } = authV1;

/**
 * The most entries one SendLocalList may carry. Stations announce their own limit (1.6
 * SendLocalListMaxLength, 2.0.1 ItemsPerMessageSendLocalList, D01.FR.11) and answer Failed above it;
 * this bound keeps a request within what common stations and the OCPP message size allow.
 */
export const MAX_LOCAL_LIST_ENTRIES = 1000;

/** Local authorization lists: send (full / differential) with version tracking, read, compare versions. */
export function localListHandlers(deps: Pick<AuthServiceDeps, 'db' | 'stations' | 'logger'>) {
  const lock = new KeyedLock();
  return {
    async sendLocalList(
      request: authV1.SendLocalListRequest,
      context: CallContext,
    ): Promise<authV1.SendLocalListResponse> {
      const full = checkUpdateType(request.updateType);
      const station = await existingStation(deps.db, request.stationId);
      const version = versionOf(station);
      const entries = checkEntries(request.entries, full, version);
      return lock.run(station.id, async () => {
        const stored = await storedListVersion(deps.db, station.id);
        // D01.FR.18: versions start at 1 (0 means "no list"); differential: the version after the update.
        const sentVersion = stored.version + 1;
        const action = 'SendLocalList';
        const outcome = await abortable(
          deps.stations.call(station.id, action, sendLocalListPayload(version, sentVersion, full, entries)),
          context.signal,
        );
        const answer = resultOf(station.id, action, outcome);
        const status = localListAnswerOf(answer.status);
        const reasonCode = reasonCodeOf(answer);
        if (status !== LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED) {
          deps.logger.info(
            { stationId: station.id, status: answer.status, sentVersion },
            'local list refused',
          );
          return {
            status,
            sentVersion,
            version: stored.version,
            // D01.FR.03 / 1.6 §5.15: after a failed differential update the CSMS should send the full list.
            fullUpdateRequired:
              status === LocalListStatus.LOCAL_LIST_STATUS_VERSION_MISMATCH ||
              (status === LocalListStatus.LOCAL_LIST_STATUS_FAILED && !full),
            reasonCode,
          };
        }
        const committed = await commitListUpdate(deps.db, {
          stationId: station.id,
          fromVersion: stored.version,
          toVersion: sentVersion,
          full,
          entries,
        });
        if (!committed)
          throw ApiErrors.failedPrecondition(
            'LOCAL_LIST_CHANGED',
            `the local list of station ${station.id} changed while version ${sentVersion} was sent; send a FULL list`,
            { stationId: station.id, sentVersion: String(sentVersion) },
          );
        return { status, sentVersion, version: sentVersion, fullUpdateRequired: false, reasonCode };
      });
    },

    async getLocalList(request: authV1.GetLocalListRequest): Promise<authV1.GetLocalListResponse> {
      const station = await existingStation(deps.db, request.stationId);
      const stored = await storedListVersion(deps.db, station.id);
      const rows = await storedListEntries(deps.db, station.id);
      return { version: stored.version, entries: rows.map(toEntry), updateTime: stored.updatedAt };
    },

    async getLocalListVersion(
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
    },
  };
}

function checkUpdateType(updateType: authV1.UpdateType): boolean {
  if (updateType === UpdateType.UPDATE_TYPE_FULL) return true;
  if (updateType === UpdateType.UPDATE_TYPE_DIFFERENTIAL) return false;
  const v = new Violations();
  v.add('update_type', 'must be FULL or DIFFERENTIAL');
  v.throwIfAny('invalid SendLocalList request');
  return false;
}

/** Validates the entries for the station's version (1.6 CiString20 idTag/parentIdTag; 2.0.1 type). */
function checkEntries(
  entries: readonly authV1.LocalListEntry[],
  full: boolean,
  version: OcppVersion,
): LocalListChange[] {
  const v = new Violations();
  if (entries.length > MAX_LOCAL_LIST_ENTRIES)
    v.add('entries', `must have at most ${MAX_LOCAL_LIST_ENTRIES} entries (got ${entries.length})`);
  v.throwIfAny('invalid SendLocalList request');
  const maxLength = version === 'ocpp1.6' ? V16_ID_TAG_MAX_LENGTH : undefined;
  const seen = new Set<string>();
  const changes = entries.map((e, i): LocalListChange => {
    const at = `entries[${i}]`;
    checkIdToken(v, `${at}.id_token`, e.idToken, maxLength);
    // D01.FR.06: the tokens of a list are unique.
    if (seen.has(e.idToken)) v.add(`${at}.id_token`, 'is listed twice');
    seen.add(e.idToken);
    if (version === 'ocpp2.0.1') {
      if (e.type === '')
        v.add(`${at}.type`, `is required for an OCPP 2.0.1 station (${ID_TOKEN_TYPES.join(', ')})`);
      else checkIdTokenType(v, `${at}.type`, e.type);
    } else if (e.type !== '') checkIdTokenType(v, `${at}.type`, e.type);
    let status: LocalListChange['status'];
    if (e.status === authV1.AuthorizationStatus.AUTHORIZATION_STATUS_UNSPECIFIED) {
      // 1.6 TC_043_4 / 2.0.1 D01.FR.15: every entry of a full list has its idTagInfo/idTokenInfo.
      if (full)
        v.add(`${at}.status`, 'is required in a FULL list (no status removes a token: DIFFERENTIAL only)');
    } else {
      status = localListStatusOf(e.status);
      if (status === undefined) v.add(`${at}.status`, `must be ${LOCAL_LIST_STATUSES} or unspecified`);
    }
    checkTime(v, `${at}.expire_time`, e.expireTime);
    if (e.groupId !== '') checkIdToken(v, `${at}.group_id`, e.groupId, maxLength);
    if (status === undefined && (e.expireTime !== undefined || e.groupId !== ''))
      v.add(at, 'an entry without status (a removal) takes no expire_time or group_id');
    return {
      idToken: e.idToken,
      type: version === 'ocpp2.0.1' ? e.type : e.type || null,
      status,
      expiresAt: e.expireTime ?? null,
      groupId: e.groupId || null,
    };
  });
  v.throwIfAny('invalid SendLocalList request');
  return changes;
}

function localListAnswerOf(status: unknown): authV1.LocalListStatus {
  switch (status) {
    case 'Accepted':
      return LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED;
    case 'NotSupported':
      return LocalListStatus.LOCAL_LIST_STATUS_NOT_SUPPORTED;
    case 'VersionMismatch':
      return LocalListStatus.LOCAL_LIST_STATUS_VERSION_MISMATCH;
    default:
      // The answer was validated against the schema by the actor: only Failed is left.
      return LocalListStatus.LOCAL_LIST_STATUS_FAILED;
  }
}

function reasonCodeOf(answer: Record<string, unknown>): string {
  const info = answer.statusInfo as { reasonCode?: unknown } | undefined;
  return typeof info?.reasonCode === 'string' ? info.reasonCode : '';
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
