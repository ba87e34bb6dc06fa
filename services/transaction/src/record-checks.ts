import type { MeterValueSet, TransactionEvent201 } from '@csms/db';
import type { RequestViolations } from '@csms/grpc';
import { INT32_MAX } from '@csms/ocpp';

// The checks of the record RPCs' OCPP-derived fields. The workers validated the OCPP messages against the
// schemas already; these keep a malformed internal request from becoming a crash or garbage rows.

/** An integer field within [min, max]. */
export function checkInt(v: RequestViolations, field: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max)
    v.add(field, `must be an integer from ${min} to ${max}`);
}

/** An OCPP dateTime carried as a string. */
export function checkTimestamp(v: RequestViolations, field: string, value: string): void {
  if (value === '' || Number.isNaN(new Date(value).getTime())) v.add(field, 'must be an RFC 3339 date-time');
}

/** The MeterValue objects of `values` that have a timestamp and sampled values (each other one a violation). */
export function meterValuesOf(
  v: RequestViolations,
  field: string,
  values: readonly Record<string, unknown>[],
): MeterValueSet[] {
  const out: MeterValueSet[] = [];
  values.forEach((entry, i) => {
    const mv: Record<string, unknown> = typeof entry === 'object' && entry !== null ? entry : {};
    const timestamp = mv.timestamp;
    const sampled = mv.sampledValue;
    if (typeof timestamp !== 'string' || Number.isNaN(new Date(timestamp).getTime()))
      v.add(`${field}[${i}].timestamp`, 'must be an RFC 3339 date-time');
    else if (!Array.isArray(sampled) || sampled.length === 0)
      v.add(`${field}[${i}].sampledValue`, 'must be a non-empty array');
    else out.push({ timestamp, sampledValue: sampled as unknown[] });
  });
  return out;
}

/** The TransactionEventRequest's fields the recording relies on, checked. */
export function transactionEventOf(
  v: RequestViolations,
  event: Record<string, unknown> | undefined,
): TransactionEvent201 | undefined {
  if (!event) {
    v.add('event', 'required: the TransactionEventRequest as JSON');
    return undefined;
  }
  const before = v.list.length;
  const info = event.transactionInfo as Record<string, unknown> | undefined;
  if (
    typeof info !== 'object' ||
    info === null ||
    typeof info.transactionId !== 'string' ||
    info.transactionId === ''
  )
    v.add('event.transactionInfo.transactionId', 'required string');
  for (const f of ['eventType', 'triggerReason'] as const)
    if (typeof event[f] !== 'string' || event[f] === '') v.add(`event.${f}`, 'required string');
  if (typeof event.timestamp !== 'string' || Number.isNaN(new Date(event.timestamp).getTime()))
    v.add('event.timestamp', 'must be an RFC 3339 date-time');
  if (
    typeof event.seqNo !== 'number' ||
    !Number.isSafeInteger(event.seqNo) ||
    event.seqNo < 0 ||
    event.seqNo > INT32_MAX
  )
    v.add('event.seqNo', `must be an integer from 0 to ${INT32_MAX}`);
  if (event.meterValue !== undefined) {
    if (!Array.isArray(event.meterValue)) v.add('event.meterValue', 'must be an array');
    else meterValuesOf(v, 'event.meterValue', event.meterValue as Record<string, unknown>[]);
  }
  return v.list.length === before ? (event as unknown as TransactionEvent201) : undefined;
}
