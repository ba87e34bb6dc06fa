/** "The maximum length of the Charging Station identity is: 48" (2.0.1 part 4 §3.1.1). */
export const MAX_STATION_ID_LENGTH = 48;

/**
 * Characters allowed in a station identity: 2.0.1 identifierString (part 2 §2.1.4) minus ':' (part 4
 * §3.1.1, A00.FR.204: the identity is the Basic-auth user-id), plus the space ("RDAM 123" is the example
 * identity of OCPP-J 1.6 §3.1.1 and 2.0.1 part 4 §3.1.1). The edge applies the same rule at the upgrade.
 */
export const STATION_ID_PATTERN = /^[A-Za-z0-9*\-_=+|@. ]+$/;

/** Why `id` cannot be a station identity, or undefined when it can. */
export function stationIdProblem(id: string, maxLength: number = MAX_STATION_ID_LENGTH): string | undefined {
  if (id.length === 0) return 'must not be empty';
  if (id.length > maxLength) return `must be at most ${maxLength} characters`;
  if (!STATION_ID_PATTERN.test(id)) return 'may contain only A-Z a-z 0-9 * - _ = + | @ . and space';
  return undefined;
}
