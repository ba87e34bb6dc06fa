import type { LocalListChange } from '@csms/db';
import { RequestViolations, authV1 } from '@csms/grpc';
import type { OcppVersion } from './station-lookup.js';
import { LOCAL_LIST_STATUSES, localListStatusOf } from './statuses.js';
import {
  checkIdToken,
  checkIdTokenType,
  checkTime,
  ID_TOKEN_TYPES,
  V16_ID_TAG_MAX_LENGTH,
} from './validation.js';

const { UpdateType } = authV1;

/**
 * The most entries one SendLocalList may carry when the station's own limit (1.6 SendLocalListMaxLength,
 * 2.0.1 LocalAuthListCtrlr.ItemsPerMessage, D01.FR.11) is not known: stations answer Failed above theirs, and
 * this bound keeps a request within what common stations and the OCPP message size allow.
 */
export const MAX_LOCAL_LIST_ENTRIES = 1000;

/**
 * The most entries of one update split over several messages: 10 messages of the largest size, well within
 * the gRPC request size (4 MiB) and the database's parameters per statement.
 */
export const MAX_SPLIT_LOCAL_LIST_ENTRIES = 10_000;

/**
 * `max_entries_per_message`: 0 (by the station's limit) or 1 to {@link MAX_LOCAL_LIST_ENTRIES}; the total is at
 * most {@link MAX_SPLIT_LOCAL_LIST_ENTRIES}. Returns it as given.
 */
export function checkPerMessage(perMessage: number, total: number): number {
  const v = new RequestViolations();
  if (!Number.isInteger(perMessage) || perMessage < 0 || perMessage > MAX_LOCAL_LIST_ENTRIES)
    v.add('max_entries_per_message', `must be 0 (the station's limit) or 1 to ${MAX_LOCAL_LIST_ENTRIES}`);
  else if (total > MAX_SPLIT_LOCAL_LIST_ENTRIES)
    v.add('entries', `must have at most ${MAX_SPLIT_LOCAL_LIST_ENTRIES} entries (got ${total})`);
  v.throwIfAny('invalid SendLocalList request');
  return perMessage;
}

/** Whether the update is FULL (else DIFFERENTIAL); INVALID_ARGUMENT for any other type. */
export function checkUpdateType(updateType: authV1.UpdateType): boolean {
  if (updateType === UpdateType.UPDATE_TYPE_FULL) return true;
  if (updateType === UpdateType.UPDATE_TYPE_DIFFERENTIAL) return false;
  const v = new RequestViolations();
  v.add('update_type', 'must be FULL or DIFFERENTIAL');
  v.throwIfAny('invalid SendLocalList request');
  return false;
}

/** Validates the entries for the station's version (1.6 CiString20 idTag/parentIdTag; 2.0.1 type). */
export function checkEntries(
  entries: readonly authV1.LocalListEntry[],
  full: boolean,
  version: OcppVersion,
): LocalListChange[] {
  const v = new RequestViolations();
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
