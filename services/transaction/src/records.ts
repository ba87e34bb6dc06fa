import { partitionOf } from '@csms/bus';
import {
  checkPartitionFence,
  recordMeterValues,
  recordStartTransaction16,
  recordStopTransaction16,
  recordTransactionEvent201,
  type Database,
  type Kysely,
} from '@csms/db';
import { ApiErrors, RequestViolations, transactionV1 } from '@csms/grpc';
import { INT32_MAX } from '@csms/ocpp';
import type { TransactionServiceDeps } from './deps.js';
import { checkInt, checkTimestamp, meterValuesOf, transactionEventOf } from './record-checks.js';

const { TransactionState } = transactionV1;
type Deps = Pick<TransactionServiceDeps, 'db'>;

/** The gRPC error reason of a record call whose fence epoch is stale (a newer owner holds the partition). */
export const FENCED = 'FENCED';

/**
 * The internal record RPCs the workers call in the distributed topology. Each runs in its own database
 * transaction that first checks the caller's fence (the same check as the worker's PartitionFence,
 * `checkPartitionFence`): with a stale epoch it answers FAILED_PRECONDITION reason FENCED and writes
 * nothing; else the appended rows carry the epoch (owner_epoch). The workers validated the OCPP
 * messages; the checks here keep a malformed request from becoming a crash or garbage rows.
 */
export function recordHandlers(deps: Deps) {
  return {
    recordStartTransaction16: (request: transactionV1.RecordStartTransaction16Request) =>
      recordStart16(deps, request),
    recordStopTransaction16: (request: transactionV1.RecordStopTransaction16Request) =>
      recordStop16(deps, request),
    recordTransactionEvent201: (request: transactionV1.RecordTransactionEvent201Request) =>
      recordEvent201(deps, request),
    recordMeterValues: (request: transactionV1.RecordMeterValuesRequest) => recordMeters(deps, request),
  };
}

/** OCPP 1.6 StartTransaction: the transaction id (the same one for a retry, see recordStartTransaction16). */
async function recordStart16(
  deps: Deps,
  request: transactionV1.RecordStartTransaction16Request,
): Promise<transactionV1.RecordStartTransaction16Response> {
  const v = new RequestViolations();
  v.stationId('station_id', request.stationId);
  checkInt(v, 'connector_id', request.connectorId, 1, INT32_MAX);
  if (request.idTag === '' || request.idTag.length > 36) v.add('id_tag', 'must be 1 to 36 characters');
  checkTimestamp(v, 'timestamp', request.timestamp);
  checkInt(v, 'meter_start', request.meterStart, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (request.reservationId !== undefined)
    checkInt(v, 'reservation_id', request.reservationId, -INT32_MAX - 1, INT32_MAX);
  v.throwIfAny('invalid RecordStartTransaction16 request');
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
}

/** OCPP 1.6 StopTransaction: ends the transaction (a retry finds it ended and changes nothing). */
async function recordStop16(
  deps: Deps,
  request: transactionV1.RecordStopTransaction16Request,
): Promise<transactionV1.RecordStopTransaction16Response> {
  const v = new RequestViolations();
  v.stationId('station_id', request.stationId);
  checkInt(v, 'transaction_id', request.transactionId, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  checkInt(v, 'meter_stop', request.meterStop, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  checkTimestamp(v, 'timestamp', request.timestamp);
  if (request.reason === '') v.add('reason', 'required (Local when none was sent)');
  const transactionData = meterValuesOf(v, 'transaction_data', request.transactionData);
  v.throwIfAny('invalid RecordStopTransaction16 request');
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
}

/** OCPP 2.0.1 TransactionEvent: applied once per (transactionId, seqNo). */
async function recordEvent201(
  deps: Deps,
  request: transactionV1.RecordTransactionEvent201Request,
): Promise<transactionV1.RecordTransactionEvent201Response> {
  const v = new RequestViolations();
  v.stationId('station_id', request.stationId);
  const event = transactionEventOf(v, request.event);
  v.throwIfAny('invalid RecordTransactionEvent201 request');
  const r = await fenced(deps.db, request.stationId, request.fence, (trx) =>
    recordTransactionEvent201(trx, request.stationId, event!),
  );
  if (!r.applied)
    return {
      applied: false,
      created: false,
      state: TransactionState.TRANSACTION_STATE_UNSPECIFIED,
      chargingState: '',
      supersededTransactionIds: [],
    };
  return {
    applied: true,
    created: r.applied.created,
    state:
      r.applied.state === 'active'
        ? TransactionState.TRANSACTION_STATE_ACTIVE
        : TransactionState.TRANSACTION_STATE_ENDED,
    chargingState: r.applied.chargingState ?? '',
    supersededTransactionIds: [...r.applied.superseded],
  };
}

/** Meter values of either version (stored once per content hash). */
async function recordMeters(
  deps: Deps,
  request: transactionV1.RecordMeterValuesRequest,
): Promise<transactionV1.RecordMeterValuesResponse> {
  const v = new RequestViolations();
  v.stationId('station_id', request.stationId);
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
  if (request.source === '') v.add('source', 'required (e.g. MeterValues)');
  const meterValues = meterValuesOf(v, 'meter_values', request.meterValues);
  v.throwIfAny('invalid RecordMeterValues request');
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
    const v = new RequestViolations();
    if (fence.partition !== partitionOf(stationId))
      v.add('fence.partition', `station ${stationId} is in partition ${partitionOf(stationId)}`);
    if (!/^\d{1,19}$/.test(fence.epoch)) v.add('fence.epoch', 'must be a non-negative decimal integer');
    v.throwIfAny('invalid fence request');
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
