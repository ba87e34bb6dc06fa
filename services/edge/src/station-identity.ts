/** Default maximum identity length: "The maximum length of the Charging Station identity is: 48" (2.0.1 part 4 §3.1.1). */
export const DEFAULT_MAX_STATION_ID_LENGTH = 48;

/**
 * Characters allowed in a station identity.
 *
 * OCPP-2.0.1 part 4 §3.1.1: "The Charging Station identity datatype is identifierString ... Additionally the colon
 * ':' character might not be used, because the unique identifier is also used for the basic authentication
 * username" (also A00.FR.204 / A00.FR.303). identifierString (2.0.1 part 2 §2.1.4 "Primitive Datatypes") is
 * `a-z A-Z 0-9 * - _ = : + | @ .`. So: that set minus ':', plus the space, because both OCPP-J 1.6 §3.1.1 and
 * 2.0.1 part 4 §3.1.1 use "RDAM 123" (sent as `RDAM%20123`) as their example identity. OCPP 1.6 defines no
 * character set of its own; the same rule applies to both versions.
 *
 * Everything else is refused, in particular control characters, '/', '%', '?', '#', non-ASCII letters and ':'
 * (RFC 7617 §2: a Basic user-id cannot contain a colon).
 */
const IDENTITY_PATTERN = /^[A-Za-z0-9*\-_=+|@. ]+$/;

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
  maxLength: number = DEFAULT_MAX_STATION_ID_LENGTH,
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
  if (stationId.length > maxLength) return { ok: false, reason: `station identity longer than ${maxLength}` };
  if (!IDENTITY_PATTERN.test(stationId)) {
    return {
      ok: false,
      reason: 'station identity contains characters outside A-Z a-z 0-9 * - _ = + | @ . and space',
    };
  }
  return { ok: true, stationId };
}

/** Whether `stationId` is an identity the edge accepts (same rule as {@link parseStationIdentity}). */
export function isValidStationIdentity(
  stationId: string,
  maxLength: number = DEFAULT_MAX_STATION_ID_LENGTH,
): boolean {
  return stationId.length <= maxLength && IDENTITY_PATTERN.test(stationId);
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
