/**
 * The one rule of what a station identity is. The edge applies it to the identity in the upgrade URL, every
 * gRPC service to the station ids of its requests (through `RequestViolations.stationId` of `@csms/grpc`).
 *
 * OCPP 2.0.1: "The Charging Station identity datatype is identifierString ... The maximum length of the Charging
 * Station identity is: 48" (part 4 §3.1.1). identifierString (part 2 §2.1.4 "Primitive Datatypes") is
 * `a-z A-Z 0-9 * - _ = : + | @ .`; the colon is excluded because the identity is the Basic-auth user-id
 * (part 4 §3.1.1, A00.FR.204 / A00.FR.303; RFC 7617 §2). The space is added because OCPP-J 1.6 §3.1.1 and 2.0.1
 * part 4 §3.1.1 both use "RDAM 123" (sent as `RDAM%20123`) as their example identity.
 *
 * OCPP 1.6: OCPP-J 1.6 defines no length or character set of its own for the chargeBoxIdentity in the URL. The
 * same rule applies to both versions because it is exactly what the edge has always accepted on the wire for
 * either version: no station that connects today is refused, and no API accepts an id no station can have.
 */

/** "The maximum length of the Charging Station identity is: 48" (2.0.1 part 4 §3.1.1). */
export const MAX_STATION_ID_LENGTH = 48;

/** Characters allowed in a station identity (see the module comment). */
export const STATION_ID_PATTERN = /^[A-Za-z0-9*\-_=+|@. ]+$/;

/** The allowed characters, spelt for people. */
export const STATION_ID_CHARACTERS = 'A-Z a-z 0-9 * - _ = + | @ . and space';

/** What is wrong with a station identity. */
export type StationIdFault = 'empty' | 'too-long' | 'characters';

/** Which part of the rule `id` breaks, or undefined when it is a valid station identity. */
export function stationIdFault(
  id: string,
  maxLength: number = MAX_STATION_ID_LENGTH,
): StationIdFault | undefined {
  if (id.length === 0) return 'empty';
  if (id.length > maxLength) return 'too-long';
  if (!STATION_ID_PATTERN.test(id)) return 'characters';
  return undefined;
}

/** Why `id` cannot be a station identity (a field-violation description), or undefined when it can. */
export function stationIdProblem(id: string, maxLength: number = MAX_STATION_ID_LENGTH): string | undefined {
  switch (stationIdFault(id, maxLength)) {
    case 'empty':
      return 'must not be empty';
    case 'too-long':
      return `must be at most ${maxLength} characters`;
    case 'characters':
      return `may contain only ${STATION_ID_CHARACTERS}`;
    case undefined:
      return undefined;
  }
}

/** Whether `id` is a valid station identity. */
export function isValidStationId(id: string, maxLength: number = MAX_STATION_ID_LENGTH): boolean {
  return stationIdFault(id, maxLength) === undefined;
}
