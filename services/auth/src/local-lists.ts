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

/**
 * The most entries of one update split over several messages (`max_entries_per_message`): 10 messages of the
 * largest size, well within the gRPC request size (4 MiB) and the database's parameters per statement.
 */
export const MAX_SPLIT_LOCAL_LIST_ENTRIES = 10_000;

/** Local authorization lists: send (full / differential) with version tracking, read, compare versions. */
export function localListHandlers(deps: Pick<AuthServiceDeps, 'db' | 'stations' | 'logger'>) {
  const lock = new KeyedLock();
  return {
    async sendLocalList(
      request: authV1.SendLocalListRequest,
      context: CallContext,
    ): Promise<authV1.SendLocalListResponse> {
      const full = checkUpdateType(request.updateType);
      const perMessage = checkPerMessage(request.maxEntriesPerMessage, request.entries.length);
      const station = await existingStation(deps.db, request.stationId);
      const version = versionOf(station);
      const entries = checkEntries(request.entries, full, version);
      // D01.FR.11: the station takes at most so many entries per message. An empty FULL list is one message.
      const parts: LocalListChange[][] = [];
      for (let i = 0; i === 0 || i < entries.length; i += perMessage)
        parts.push(entries.slice(i, i + perMessage));
      return lock.run(station.id, async () => {
        const stored = await storedListVersion(deps.db, station.id);
        let storedVersion = stored.version;
        let reasonCode = '';
        for (const [index, part] of parts.entries()) {
          // Only the first message replaces the list; the rest add to it (and a FULL list has no removals).
          const partFull = full && index === 0;
          // D01.FR.18: versions start at 1 (0 means "no list"); D01.FR.19: each update above the last.
          const sentVersion = storedVersion + 1;
          const action = 'SendLocalList';
          const outcome = await abortable(
            deps.stations.call(
              station.id,
              action,
              sendLocalListPayload(version, sentVersion, partFull, part),
            ),
            context.signal,
          );
          const answer = resultOf(station.id, action, outcome);
          const status = localListAnswerOf(answer.status);
          reasonCode = reasonCodeOf(answer);
          if (status !== LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED) {
            deps.logger.info(
              {
                stationId: station.id,
                status: answer.status,
                sentVersion,
                message: index + 1,
                of: parts.length,
              },
              'local list refused',
            );
            return {
              status,
              sentVersion,
              version: storedVersion,
              // D01.FR.03 / 1.6 §5.15: after a failed differential update the CSMS should send the full list; a
              // FULL list cut short leaves the station with part of it.
              fullUpdateRequired:
                status === LocalListStatus.LOCAL_LIST_STATUS_VERSION_MISMATCH ||
                (status === LocalListStatus.LOCAL_LIST_STATUS_FAILED && !partFull) ||
                (full && index > 0),
              reasonCode,
              messagesAccepted: index,
            };
          }
          const committed = await commitListUpdate(deps.db, {
            stationId: station.id,
            fromVersion: storedVersion,
            toVersion: sentVersion,
            full: partFull,
            entries: part,
          });
          if (!committed)
            throw ApiErrors.failedPrecondition(
              'LOCAL_LIST_CHANGED',
              `the local list of station ${station.id} changed while version ${sentVersion} was sent; send a FULL list`,
              { stationId: station.id, sentVersion: String(sentVersion) },
            );
          storedVersion = sentVersion;
        }
        return {
          status: LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED,
          sentVersion: storedVersion,
          version: storedVersion,
          fullUpdateRequired: false,
          reasonCode,
          messagesAccepted: parts.length,
        };
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

/** Entries per message: all (0) or 1 to {@link MAX_LOCAL_LIST_ENTRIES}; bounds the total accordingly. */
function checkPerMessage(perMessage: number, total: number): number {
  const v = new Violations();
  if (perMessage < 0 || perMessage > MAX_LOCAL_LIST_ENTRIES)
    v.add('max_entries_per_message', `must be 0 (one message) or 1 to ${MAX_LOCAL_LIST_ENTRIES}`);
  else if (perMessage === 0 && total > MAX_LOCAL_LIST_ENTRIES)
    v.add(
      'entries',
      `must have at most ${MAX_LOCAL_LIST_ENTRIES} entries in one message (got ${total}): set max_entries_per_message to split them`,
    );
  else if (total > MAX_SPLIT_LOCAL_LIST_ENTRIES)
    v.add('entries', `must have at most ${MAX_SPLIT_LOCAL_LIST_ENTRIES} entries (got ${total})`);
  v.throwIfAny('invalid SendLocalList request');
  return perMessage === 0 ? Math.max(total, 1) : perMessage;
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
