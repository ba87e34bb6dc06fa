import { MAX_STATION_ID_LENGTH, STATION_ID_CHARACTERS, stationIdFault } from '@csms/ocpp';

// What a valid identity is (length 48, characters) is decided once, by `@csms/ocpp` (station-identity.ts); this
// module only takes the identity out of the upgrade's request path and words the refusal for the HTTP answer.

/** Result of {@link parseStationIdentity}: the identity, or why the request path carries no acceptable one. */
export type StationIdentityResult =
  { readonly ok: true; readonly stationId: string } | { readonly ok: false; readonly reason: string };

/**
 * Extracts the station identity from a request target: the last path segment, percent-decoded (OCPP-J 1.6
 * §3.1.1, OCPP-2.0.1 part 4 §3.1.1: the station appends '/' and its percent-encoded identity to the endpoint URL,
 * whatever path the endpoint has). The query string is ignored. Pure; never throws.
 *
 * @example
 * parseStationIdentity('/ocpp/RDAM%20123?x=1', 48) // { ok: true, stationId: 'RDAM 123' }
 * parseStationIdentity('/ocpp/', 48)               // { ok: false, reason: 'empty station identity' }
 */
export function parseStationIdentity(
  requestTarget: string,
  maxLength: number = MAX_STATION_ID_LENGTH,
): StationIdentityResult {
  const path = pathOf(requestTarget);
  const segment = path.slice(path.lastIndexOf('/') + 1);
  if (segment === '') return { ok: false, reason: 'empty station identity' };
  // Cheap bound before decoding: each identity character is at most one %XX triplet.
  if (segment.length > maxLength * 3)
    return { ok: false, reason: `station identity longer than ${maxLength}` };
  let stationId: string;
  try {
    stationId = decodeURIComponent(segment);
  } catch {
    return { ok: false, reason: 'invalid percent-encoding in station identity' };
  }
  switch (stationIdFault(stationId, maxLength)) {
    case 'empty':
      return { ok: false, reason: 'empty station identity' };
    case 'too-long':
      return { ok: false, reason: `station identity longer than ${maxLength}` };
    case 'characters':
      return { ok: false, reason: `station identity contains characters outside ${STATION_ID_CHARACTERS}` };
    case undefined:
      return { ok: true, stationId };
  }
}

/** The path of an origin-form (`/a/b?q`) or absolute-form (`http://h/a/b?q`) request target (RFC 9112 §3.2). */
function pathOf(requestTarget: string): string {
  let target = requestTarget;
  const query = target.search(/[?#]/);
  if (query >= 0) target = target.slice(0, query);
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(target);
  if (scheme) target = target.slice(scheme[0].length);
  return target;
}
