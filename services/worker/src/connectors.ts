import { CallErrorResponse } from './handler.js';

/**
 * Refuses negative EVSE / connector ids, and ids above the configured limit, with
 * PropertyConstraintViolation: the schemas allow any integer, and one row per claimed connector would
 * let a station grow the database at will.
 */
export function checkConnectorIds(maxId: number, ids: Readonly<Record<string, number | undefined>>): void {
  for (const [name, value] of Object.entries(ids)) {
    // Ids are numbered from 0 (the whole station) upwards (2.0.1 Part 1 §7; 1.6 connector 0).
    if (value !== undefined && value < 0) {
      throw new CallErrorResponse('PropertyConstraintViolation', `${name} ${value} must not be negative`, {
        field: name,
      });
    }
    if (value !== undefined && value > maxId) {
      throw new CallErrorResponse(
        'PropertyConstraintViolation',
        `${name} ${value} exceeds this CSMS's limit of ${maxId}`,
        {
          field: name,
          limit: maxId,
        },
      );
    }
  }
}
