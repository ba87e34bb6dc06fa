import { partitionOf } from '@csms/bus';
import {
  checkPartitionFence,
  recordMeterValues,
  recordStartTransaction16,
  recordStopTransaction16,
  recordTransactionEvent201,
  type Database,
  type Kysely,
  type MeterValueSet,
  type TransactionEvent201,
} from '@csms/db';
import { ApiErrors, transactionV1, type FieldViolation } from '@csms/grpc';
import type { TransactionServiceDeps } from './deps.js';

const { TransactionState } = transactionV1;
type Deps = Pick<TransactionServiceDeps, 'db'>;

/** The gRPC error reason of a record call whose fence epoch is stale (a newer owner holds the partition). */
export const FENCED = 'FENCED';

const INT32_MAX = 2_147_483_647;

/**
 * The internal record RPCs the workers call in the distributed topology. Each runs in its own database
 * transaction that first checks the caller's fence (the same check as the worker's PartitionFence,
 * `checkPartitionFence`): with a stale epoch it answers FAILED_PRECONDITION reason FENCED and writes
 * nothing; else the appended rows carry the epoch (owner_epoch). The workers validated the OCPP
 * messages; the checks here keep a malformed request from becoming a crash or garbage rows.
 */
export function recordHandlers(deps: Deps) {
  return {
    async recordStartTransaction16(
      request: transactionV1.RecordStartTransaction16Request,
    ): Promise<transactionV1.RecordStartTransaction16Response> {
      const v: FieldViolation[] = [];
      checkStation(v, request.stationId);
      checkInt(v, 'connector_id', request.connectorId, 1, INT32_MAX);
      if (request.idTag === '' || request.idTag.length > 36)
        v.push({ field: 'id_tag', description: 'must be 1 to 36 characters' });
      checkTimestamp(v, 'timestamp', request.timestamp);
      checkInt(v, 'meter_start', request.meterStart, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (request.reservationId !== undefined)
        checkInt(v, 'reservation_id', request.reservationId, -INT32_MAX - 1, INT32_MAX);
      throwIfAny(v, 'RecordStartTransaction16');
      const r = await fenced(deps.db, request.stationId, request.fence, (trx) =>
        recordStartTransaction16(trx, {
          stationId: request.stationId,
          connectorId: request.connectorId,
          idTag: request.idTag,
          timestamp: request.timestamp,
          meterStart: request.meterStart,
          reservationId: request.reservationId ?? null,
        }),
      );
      return {
        created: r.created,
        transactionId: r.transactionId,
        supersededTransactionIds: [...r.superseded],
      };
    },

    async recordStopTransaction16(
      request: transactionV1.RecordStopTransaction16Request,
    ): Promise<transactionV1.RecordStopTransaction16Response> {
      const v: FieldViolation[] = [];
      checkStation(v, request.stationId);
      checkInt(v, 'transaction_id', request.transactionId, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      checkInt(v, 'meter_stop', request.meterStop, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      checkTimestamp(v, 'timestamp', request.timestamp);
      if (request.reason === '')
        v.push({ field: 'reason', description: 'required (Local when none was sent)' });
      const transactionData = meterValuesOf(v, 'transaction_data', request.transactionData);
      throwIfAny(v, 'RecordStopTransaction16');
      const r = await fenced(deps.db, request.stationId, request.fence, (trx) =>
        recordStopTransaction16(trx, {
          stationId: request.stationId,
          transactionId: request.transactionId,
          meterStop: request.meterStop,
          timestamp: request.timestamp,
          reason: request.reason,
          ...(request.idTag !== undefined ? { idTag: request.idTag } : {}),
          transactionData,
        }),
      );
      if (r.kind === 'unknown') return { known: false, ended: false, conflicting: false, storedReason: '' };
      return {
        known: true,
        ended: r.ended,
        conflicting: r.conflicting,
        ...(r.connectorId !== null ? { connectorId: r.connectorId } : {}),
        ...(r.meterStart !== null ? { meterStart: r.meterStart } : {}),
        ...(r.stored?.meterStop != null ? { storedMeterStop: r.stored.meterStop } : {}),
        storedReason: r.stored?.reason ?? '',
      };
    },

    async recordTransactionEvent201(
      request: transactionV1.RecordTransactionEvent201Request,
    ): Promise<transactionV1.RecordTransactionEvent201Response> {
      const v: FieldViolation[] = [];
      checkStation(v, request.stationId);
      const event = transactionEventOf(v, request.event);
      throwIfAny(v, 'RecordTransactionEvent201');
      const r = await fenced(deps.db, request.stationId, request.fence, (trx) =>
        recordTransactionEvent201(trx, request.stationId, event!),
      );
      if (!r.applied)
        return {
          applied: false,
          created: false,
          state: TransactionState.TRANSACTION_STATE_UNSPECIFIED,
          chargingState: '',
        };
      return {
        applied: true,
        created: r.applied.created,
        state:
          r.applied.state === 'active'
            ? TransactionState.TRANSACTION_STATE_ACTIVE
            : TransactionState.TRANSACTION_STATE_ENDED,
        chargingState: r.applied.chargingState ?? '',
      };
    },

    async recordMeterValues(
      request: transactionV1.RecordMeterValuesRequest,
    ): Promise<transactionV1.RecordMeterValuesResponse> {
      const v: FieldViolation[] = [];
      checkStation(v, request.stationId);
      if (request.v16TransactionId !== undefined)
        checkInt(
          v,
          'v16_transaction_id',
          request.v16TransactionId,
          Number.MIN_SAFE_INTEGER,
          Number.MAX_SAFE_INTEGER,
        );
      if (request.evseId !== undefined) checkInt(v, 'evse_id', request.evseId, 0, INT32_MAX);
      if (request.connectorId !== undefined) checkInt(v, 'connector_id', request.connectorId, 0, INT32_MAX);
      if (request.source === '') v.push({ field: 'source', description: 'required (e.g. MeterValues)' });
      const meterValues = meterValuesOf(v, 'meter_values', request.meterValues);
      throwIfAny(v, 'RecordMeterValues');
      const r = await fenced(deps.db, request.stationId, request.fence, (trx) =>
        recordMeterValues(trx, {
          stationId: request.stationId,
          ...(request.v16TransactionId !== undefined ? { v16TransactionId: request.v16TransactionId } : {}),
          evseId: request.evseId ?? null,
          connectorId: request.connectorId ?? null,
          source: request.source,
          meterValues,
        }),
      );
      return {
        ...(r.transactionFound !== undefined ? { transactionFound: r.transactionFound } : {}),
        stored: r.stored,
      };
    },
  };
}

/**
 * Runs `fn` in one database transaction, after the fence check when a fence is given (ARCHITECTURE
 * invariant 2: a fenced-out worker cannot write through this service either).
 */
async function fenced<T>(
  db: Kysely<Database>,
  stationId: string,
  fence: transactionV1.Fence | undefined,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (fence) {
    const v: FieldViolation[] = [];
    if (fence.partition !== partitionOf(stationId))
      v.push({
        field: 'fence.partition',
        description: `station ${stationId} is in partition ${partitionOf(stationId)}`,
      });
    if (!/^\d{1,19}$/.test(fence.epoch))
      v.push({ field: 'fence.epoch', description: 'must be a non-negative decimal integer' });
    throwIfAny(v, 'fence');
  }
  try {
    return await db.transaction().execute(async (trx) => {
      if (fence && !(await checkPartitionFence(trx, fence.partition, fence.epoch)))
        throw ApiErrors.failedPrecondition(
          FENCED,
          `partition ${fence.partition} is owned by a newer epoch than ${fence.epoch}`,
          { partition: String(fence.partition), epoch: fence.epoch },
        );
      return await fn(trx);
    });
  } catch (error) {
    // Rows reference stations(id): a station that is not registered has no transactions.
    if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION)
      throw ApiErrors.notFound('station', stationId);
    throw error;
  }
}

/** PostgreSQL SQLSTATE foreign_key_violation. */
const FOREIGN_KEY_VIOLATION = '23503';

function checkStation(v: FieldViolation[], stationId: string): void {
  if (stationId === '' || stationId.length > 255)
    v.push({ field: 'station_id', description: 'must be 1 to 255 characters' });
}

function checkInt(v: FieldViolation[], field: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max)
    v.push({ field, description: `must be an integer from ${min} to ${max}` });
}

function checkTimestamp(v: FieldViolation[], field: string, value: string): void {
  if (value === '' || Number.isNaN(new Date(value).getTime()))
    v.push({ field, description: 'must be an RFC 3339 date-time' });
}

function meterValuesOf(
  v: FieldViolation[],
  field: string,
  values: readonly Record<string, unknown>[],
): MeterValueSet[] {
  const out: MeterValueSet[] = [];
  values.forEach((entry, i) => {
    const mv: Record<string, unknown> = typeof entry === 'object' && entry !== null ? entry : {};
    const timestamp = mv.timestamp;
    const sampled = mv.sampledValue;
    if (typeof timestamp !== 'string' || Number.isNaN(new Date(timestamp).getTime()))
      v.push({ field: `${field}[${i}].timestamp`, description: 'must be an RFC 3339 date-time' });
    else if (!Array.isArray(sampled) || sampled.length === 0)
      v.push({ field: `${field}[${i}].sampledValue`, description: 'must be a non-empty array' });
    else out.push({ timestamp, sampledValue: sampled as unknown[] });
  });
  return out;
}

/** The TransactionEventRequest's fields the recording relies on, checked. */
function transactionEventOf(
  v: FieldViolation[],
  event: Record<string, unknown> | undefined,
): TransactionEvent201 | undefined {
  if (!event) {
    v.push({ field: 'event', description: 'required: the TransactionEventRequest as JSON' });
    return undefined;
  }
  const before = v.length;
  const info = event.transactionInfo as Record<string, unknown> | undefined;
  if (
    typeof info !== 'object' ||
    info === null ||
    typeof info.transactionId !== 'string' ||
    info.transactionId === ''
  )
    v.push({ field: 'event.transactionInfo.transactionId', description: 'required string' });
  for (const f of ['eventType', 'triggerReason'] as const)
    if (typeof event[f] !== 'string' || event[f] === '')
      v.push({ field: `event.${f}`, description: 'required string' });
  if (typeof event.timestamp !== 'string' || Number.isNaN(new Date(event.timestamp).getTime()))
    v.push({ field: 'event.timestamp', description: 'must be an RFC 3339 date-time' });
  if (
    typeof event.seqNo !== 'number' ||
    !Number.isSafeInteger(event.seqNo) ||
    event.seqNo < 0 ||
    event.seqNo > INT32_MAX
  )
    v.push({ field: 'event.seqNo', description: `must be an integer from 0 to ${INT32_MAX}` });
  if (event.meterValue !== undefined) {
    if (!Array.isArray(event.meterValue))
      v.push({ field: 'event.meterValue', description: 'must be an array' });
    else meterValuesOf(v, 'event.meterValue', event.meterValue as Record<string, unknown>[]);
  }
  return v.length === before ? (event as unknown as TransactionEvent201) : undefined;
}

function throwIfAny(v: readonly FieldViolation[], what: string): void {
  if (v.length > 0) throw ApiErrors.invalidArgument(`invalid ${what} request`, v);
}
