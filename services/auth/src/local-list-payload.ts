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
  if (version === 'ocpp1.6') {
    const list = entries.map((e) => ({
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
    }));
    return { listVersion, updateType, ...(list.length > 0 ? { localAuthorizationList: list } : {}) };
  }
  const list = entries.map((e) => ({
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
  }));
  return {
    versionNumber: listVersion,
    updateType,
    ...(list.length > 0 ? { localAuthorizationList: list } : {}),
  };
}
