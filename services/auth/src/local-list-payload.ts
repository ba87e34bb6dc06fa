import type { LocalListChange } from '@csms/db';
import type { OcppVersion } from './station-lookup.js';

/**
 * The SendLocalList request for a station's OCPP version. An entry without a status goes without
 * idTagInfo / idTokenInfo, which removes the token in a differential update (1.6 §7.1 AuthorizationData,
 * 2.0.1 D01.FR.17). An empty list is left out: 2.0.1 requires at least one item when present, and a Full
 * update without a list clears the station's list (D01.FR.04).
 */
export function sendLocalListPayload(
  version: OcppVersion,
  listVersion: number,
  full: boolean,
  entries: readonly LocalListChange[],
): Record<string, unknown> {
  const updateType = full ? 'Full' : 'Differential';
  const list = entries.map((e) => authorizationData(version, e));
  if (version === 'ocpp1.6')
    return { listVersion, updateType, ...(list.length > 0 ? { localAuthorizationList: list } : {}) };
  return {
    versionNumber: listVersion,
    updateType,
    ...(list.length > 0 ? { localAuthorizationList: list } : {}),
  };
}

/** One entry of `localAuthorizationList` (1.6 AuthorizationData, 2.0.1 AuthorizationDataType). */
export function authorizationData(version: OcppVersion, e: LocalListChange): Record<string, unknown> {
  if (version === 'ocpp1.6')
    return {
      idTag: e.idToken,
      ...(e.status !== undefined
        ? {
            idTagInfo: {
              status: e.status,
              ...(e.expiresAt ? { expiryDate: e.expiresAt.toISOString() } : {}),
              ...(e.groupId ? { parentIdTag: e.groupId } : {}),
            },
          }
        : {}),
    };
  return {
    idToken: { idToken: e.idToken, type: e.type ?? 'Central' },
    ...(e.status !== undefined
      ? {
          idTokenInfo: {
            status: e.status,
            ...(e.expiresAt ? { cacheExpiryDateTime: e.expiresAt.toISOString() } : {}),
            // The group's type is not known here; Central, as the station actors send it (C09).
            ...(e.groupId ? { groupIdToken: { idToken: e.groupId, type: 'Central' } } : {}),
          },
        }
      : {}),
  };
}
