/** `{ [key]: ISO 8601 }` for a date, `{}` without one (OCPP omits absent optional fields). */
export function optionalDate<K extends string>(key: K, date: Date | undefined): Partial<Record<K, string>> {
  return date === undefined ? {} : ({ [key]: date.toISOString() } as Record<K, string>);
}

/** The date of an OCPP date-time, if any. */
export function dateOf(iso: string | undefined): Date | undefined {
  return iso === undefined ? undefined : new Date(iso);
}
