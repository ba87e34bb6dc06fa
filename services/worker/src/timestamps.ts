import { CallErrorResponse } from './handler.js';

/**
 * Parses an OCPP dateTime. The edge has schema-validated the format already; a value that still is
 * not a date (e.g. month 13) is refused with TypeConstraintViolation rather than stored as garbage.
 */
export function parseTimestamp(value: string, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new CallErrorResponse('TypeConstraintViolation', `${field} is not a valid dateTime`, { field });
  }
  return date;
}
