import type { LocalListChange } from '@csms/db';
import { ApiErrors, RequestViolations } from '@csms/grpc';
import { INT32_MAX } from '@csms/ocpp';
import { frameBytes, jsonBytes, splitItems, type MessageLimits } from '@csms/station-limits';
import { MAX_LOCAL_LIST_ENTRIES } from './local-list-checks.js';
import { authorizationData, sendLocalListPayload } from './local-list-payload.js';
import type { OcppVersion } from './station-lookup.js';

/** What decides how an update is cut into SendLocalList messages. */
export interface LocalListSplit {
  readonly stationId: string;
  readonly version: OcppVersion;
  readonly full: boolean;
  /** The operator's `max_entries_per_message`; 0 = the station's limit alone. */
  readonly perMessage: number;
  /** The station's learned limits (empty when not known). */
  readonly limits: MessageLimits;
}

/**
 * The messages of an update, in order. D01.FR.11 / 1.6 SendLocalListMaxLength: at most the station's entries
 * (and, 2.0.1, bytes) per message; the operator's `max_entries_per_message` may only lower that. An empty FULL
 * list is one message. Without any known limit the list goes in one message of at most
 * {@link MAX_LOCAL_LIST_ENTRIES} entries (INVALID_ARGUMENT above). A FULL list longer than the station's whole
 * list may be (1.6 LocalAuthListMaxLength) is FAILED_PRECONDITION LOCAL_LIST_TOO_LONG: it would answer Failed.
 */
export function localListParts(
  split: LocalListSplit,
  entries: readonly LocalListChange[],
): LocalListChange[][] {
  const { limits, perMessage, version } = split;
  if (split.full && limits.listEntries !== undefined && entries.length > limits.listEntries)
    throw ApiErrors.failedPrecondition(
      'LOCAL_LIST_TOO_LONG',
      `station ${split.stationId} holds at most ${limits.listEntries} local list entries (LocalAuthListMaxLength); ` +
        `the FULL list has ${entries.length}`,
      { stationId: split.stationId, maxEntries: String(limits.listEntries), entries: String(entries.length) },
    );
  const items = perMessage > 0 ? Math.min(perMessage, limits.items ?? perMessage) : limits.items;
  if (items === undefined && limits.bytes === undefined && entries.length > MAX_LOCAL_LIST_ENTRIES) {
    const v = new RequestViolations();
    v.add(
      'entries',
      `must have at most ${MAX_LOCAL_LIST_ENTRIES} entries in one message (got ${entries.length}): the station's ` +
        'limit is not known, set max_entries_per_message to split them',
    );
    v.throwIfAny('invalid SendLocalList request');
  }
  // Counted with the longest version number and update type, so that every message fits whatever it carries.
  const empty = { ...sendLocalListPayload(version, INT32_MAX, false, []), localAuthorizationList: [] };
  const size = {
    base: frameBytes('SendLocalList', empty),
    of: (e: LocalListChange) => jsonBytes(authorizationData(version, e)),
  };
  return splitItems(entries, { ...(items !== undefined ? { items } : {}), ...limitBytes(limits) }, size);
}

function limitBytes(limits: MessageLimits): Pick<MessageLimits, 'bytes'> {
  return limits.bytes !== undefined ? { bytes: limits.bytes } : {};
}
