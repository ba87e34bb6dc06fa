/** A bigserial id as text: 1 to 19 digits, no leading zero, at most 2^63 - 1. */
export function isRowId(value: string): boolean {
  return /^[1-9][0-9]{0,18}$/.test(value) && BigInt(value) <= 9_223_372_036_854_775_807n;
}
