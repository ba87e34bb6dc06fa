// Cutting a request's list into messages within a station's limits.

/** A station's limits for one request (undefined: not known, not bounded). */
export interface MessageLimits {
  /** Entries per message (2.0.1 ItemsPerMessage, 1.6 GetConfigurationMaxKeys / SendLocalListMaxLength). */
  readonly items?: number;
  /** Bytes per message (2.0.1 BytesPerMessage). */
  readonly bytes?: number;
  /** Entries of the whole local authorization list (1.6 LocalAuthListMaxLength). */
  readonly listEntries?: number;
}

/** The longest message id of OCPP-J (a UUID): the frame size is counted with it. */
const MESSAGE_ID = 'x'.repeat(36);

/**
 * The bytes of the CALL frame `[2,"<id>","<action>",<payload>]` (UTF-8). The station's BytesPerMessage
 * bounds the message it receives, so the frame is counted, not only the payload.
 */
export function frameBytes(action: string, payload: unknown): number {
  return Buffer.byteLength(JSON.stringify([2, MESSAGE_ID, action, payload]), 'utf8');
}

/**
 * Splits `items` into consecutive parts, in order, each of at most `limits.items` entries and, with
 * `size`, at most `limits.bytes` bytes: `size.base` is the frame with an empty list, `size.of(item)` an
 * entry's JSON bytes (a part of n entries is base + their bytes + n - 1 commas). An entry too large on
 * its own still goes, alone (it cannot be cut further). Always at least one part (empty for no items).
 */
export function splitItems<T>(
  items: readonly T[],
  limits: Pick<MessageLimits, 'items' | 'bytes'>,
  size?: { readonly base: number; of(item: T): number },
): T[][] {
  const maxItems = limits.items ?? Number.POSITIVE_INFINITY;
  const sized = size !== undefined && limits.bytes !== undefined ? size : undefined;
  const maxBytes = limits.bytes ?? Number.POSITIVE_INFINITY;
  const parts: T[][] = [];
  let current: T[] = [];
  let bytes = sized?.base ?? 0;
  for (const item of items) {
    const itemBytes = sized?.of(item) ?? 0;
    if (current.length > 0 && (current.length + 1 > maxItems || bytes + itemBytes + 1 > maxBytes)) {
      parts.push(current);
      current = [];
      bytes = sized?.base ?? 0;
    }
    bytes += current.length === 0 ? itemBytes : itemBytes + 1;
    current.push(item);
  }
  parts.push(current);
  return parts;
}

/** The JSON bytes of a value (UTF-8). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * The CALLERRORs a station MAY answer a request too large for it with (2.0.1 B06.FR.16/17, B08.FR.17/18,
 * N06.FR.06/07; 1.6 spells two of them differently). A CALLERROR means the station did not act on the request:
 * it may be sent again, cut smaller.
 */
const TOO_LARGE: ReadonlySet<string> = new Set([
  'OccurrenceConstraintViolation',
  'OccurenceConstraintViolation',
  'FormatViolation',
  'FormationViolation',
]);

/** Whether a station's answer refuses the request as too large (see {@link TOO_LARGE}). */
export function refusedAsTooLarge(outcome: { readonly status: string; readonly code?: string }): boolean {
  return outcome.status === 'call-error' && outcome.code !== undefined && TOO_LARGE.has(outcome.code);
}

/** A list as two consecutive halves, the first the larger (for a list of at least two entries). */
export function halvesOf<T>(items: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(items.length / 2);
  return [items.slice(0, middle), items.slice(middle)];
}
