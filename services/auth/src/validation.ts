import type { RequestViolations } from '@csms/grpc';

/** 2.0.1 IdTokenType.idToken is identifierString(36); 1.6 idTag is CiString20Type (§7.28). */
export const ID_TOKEN_MAX_LENGTH = 36;
export const V16_ID_TAG_MAX_LENGTH = 20;

/** 2.0.1 IdTokenEnumType. */
export const ID_TOKEN_TYPES: readonly string[] = [
  'Central',
  'eMAID',
  'ISO14443',
  'ISO15693',
  'KeyCode',
  'Local',
  'MacAddress',
  'NoAuthorization',
];

/** An id token value: 1 to 36 printable characters without surrounding spaces. */
export function checkIdToken(
  v: RequestViolations,
  field: string,
  value: string,
  maxLength = ID_TOKEN_MAX_LENGTH,
): void {
  if (value.length === 0) v.add(field, 'must not be empty');
  else if (value.length > maxLength) v.add(field, `must be at most ${maxLength} characters`);
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f\u007f]/.test(value) || value.trim() !== value)
    v.add(field, 'must not contain control characters or leading/trailing spaces');
}

/** An optional 2.0.1 IdTokenEnumType ("" = not given). */
export function checkIdTokenType(v: RequestViolations, field: string, value: string): void {
  if (value !== '' && !ID_TOKEN_TYPES.includes(value))
    v.add(field, `must be one of ${ID_TOKEN_TYPES.join(', ')} (2.0.1 IdTokenEnumType) or empty`);
}

/** A timestamp OCPP can carry (RFC 3339, years 1970-9999). */
export function checkTime(v: RequestViolations, field: string, value: Date | undefined): void {
  if (value === undefined) return;
  const t = value.getTime();
  if (!Number.isFinite(t) || t < 0 || value.getUTCFullYear() > 9999)
    v.add(field, 'must be a valid time between 1970 and 9999');
}
