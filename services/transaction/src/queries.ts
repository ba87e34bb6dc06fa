import {
  findTransactionRow,
  listMeterValueRows,
  listTransactionEventRows,
  listTransactionRows,
  meterValueStats,
  transactionEventCount,
  type TransactionRow,
} from '@csms/db';
import {
  ApiErrors,
  RequestViolations,
  transactionV1,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
  ROW_ID_KEY,
} from '@csms/grpc';
import type { TransactionServiceDeps } from './deps.js';
import { toApiMeterValue, toApiTransaction } from './transaction-view.js';

const { TransactionState } = transactionV1;
type Deps = Pick<TransactionServiceDeps, 'db'>;

/** Internal ids are bigserial values: decimal digits. */
const INTERNAL_ID = /^\d{1,19}$/;
/** Generous bound for id token and transaction id filters (OCPP ones are at most 36 characters). */
const MAX_ID_LENGTH = 255;

/** ListTransactions: newest first, keyed by internal id. */
export async function listTransactions(
  deps: Deps,
  request: transactionV1.ListTransactionsRequest,
): Promise<transactionV1.ListTransactionsResponse> {
  const v = new RequestViolations();
  const pageSize = pageSizeOf(request.pageSize);
  const after = decodePageToken(request.pageToken, ROW_ID_KEY);
  const state = stateOf(request.state);
  v.check(state !== undefined, 'state', 'must be ACTIVE, ENDED or unspecified');
  optionalStationId(v, request.stationId);
  checkLength(v, 'id_token', request.idToken);
  if (request.startedAfter && request.startedBefore)
    v.check(
      request.startedAfter.getTime() < request.startedBefore.getTime(),
      'started_before',
      'must be later than started_after',
    );
  v.throwIfAny('invalid ListTransactions request');

  const rows = await listTransactionRows(deps.db, {
    ...(request.stationId !== '' ? { stationId: request.stationId } : {}),
    ...(state !== undefined && state !== 'any' ? { state } : {}),
    ...(request.idToken !== '' ? { idToken: request.idToken } : {}),
    ...(request.startedAfter ? { startedAfter: request.startedAfter } : {}),
    ...(request.startedBefore ? { startedBefore: request.startedBefore } : {}),
    ...(after !== undefined ? { beforeId: after } : {}),
    limit: pageSize + 1,
  });
  const page = rows.slice(0, pageSize);
  return {
    transactions: page.map(toApiTransaction),
    nextPageToken: rows.length > pageSize ? encodePageToken(page[page.length - 1]!.id) : '',
  };
}

/** GetTransaction: the row plus aggregates over its meter values and events. */
export async function getTransaction(
  deps: Deps,
  request: transactionV1.GetTransactionRequest,
): Promise<transactionV1.GetTransactionResponse> {
  const row = await findTransaction(deps, request);
  const meter = await meterValueStats(deps.db, row.id);
  // transaction_events holds 2.0.1 events only.
  const eventCount =
    row.ocpp_version === 'ocpp2.0.1'
      ? await transactionEventCount(deps.db, row.station_id, row.transaction_id)
      : 0;
  const transaction = toApiTransaction(row);
  return {
    transaction,
    summary: {
      ...(transaction.energyWh !== undefined ? { energyWh: transaction.energyWh } : {}),
      meterValueCount: meter.count,
      lastMeterValueTime: meter.last,
      eventCount,
    },
  };
}

/** ListMeterValues: of a transaction or a station, optionally in a time range, in receipt order. */
export async function listMeterValues(
  deps: Deps,
  request: transactionV1.ListMeterValuesRequest,
): Promise<transactionV1.ListMeterValuesResponse> {
  const v = new RequestViolations();
  const pageSize = pageSizeOf(request.pageSize);
  const after = decodePageToken(request.pageToken, ROW_ID_KEY);
  if (request.transactionId === '' && request.stationId === '') {
    v.add('transaction_id', 'give a transaction (internal id) or a station_id');
    v.add('station_id', 'give a station_id or a transaction (internal id)');
  }
  if (request.transactionId !== '')
    v.check(
      INTERNAL_ID.test(request.transactionId),
      'transaction_id',
      'must be an internal transaction id (digits)',
    );
  optionalStationId(v, request.stationId);
  if (request.startTime && request.endTime)
    v.check(
      request.startTime.getTime() < request.endTime.getTime(),
      'end_time',
      'must be later than start_time',
    );
  v.throwIfAny('invalid ListMeterValues request');

  if (request.transactionId !== '' && !(await findTransactionRow(deps.db, { id: request.transactionId })))
    throw ApiErrors.notFound('transaction', request.transactionId);
  const rows = await listMeterValueRows(deps.db, {
    ...(request.transactionId !== '' ? { transactionRef: request.transactionId } : {}),
    ...(request.stationId !== '' ? { stationId: request.stationId } : {}),
    ...(request.startTime ? { from: request.startTime } : {}),
    ...(request.endTime ? { to: request.endTime } : {}),
    ...(after !== undefined ? { afterId: after } : {}),
    limit: pageSize + 1,
  });
  const page = rows.slice(0, pageSize);
  return {
    meterValues: page.map(toApiMeterValue),
    nextPageToken: rows.length > pageSize ? encodePageToken(page[page.length - 1]!.id) : '',
  };
}

/** ListTransactionEvents: the 2.0.1 events of one transaction in seqNo order. */
export async function listTransactionEvents(
  deps: Deps,
  request: transactionV1.ListTransactionEventsRequest,
): Promise<transactionV1.ListTransactionEventsResponse> {
  const pageSize = pageSizeOf(request.pageSize);
  const after = decodePageToken(request.pageToken, ROW_ID_KEY);
  const tx = await findTransaction(deps, request);
  const rows =
    tx.ocpp_version === 'ocpp2.0.1'
      ? await listTransactionEventRows(deps.db, {
          stationId: tx.station_id,
          transactionId: tx.transaction_id,
          ...(after !== undefined ? { afterSeqNo: Number(after) } : {}),
          limit: pageSize + 1,
        })
      : [];
  const page = rows.slice(0, pageSize);
  return {
    events: page.map((e) => ({
      stationId: e.station_id,
      transactionId: e.transaction_id,
      seqNo: e.seq_no,
      eventType: e.event_type,
      triggerReason: e.trigger_reason,
      time: e.timestamp,
      offline: e.offline,
      payload: isObject(e.payload) ? e.payload : undefined,
      receiveTime: e.received_at,
    })),
    nextPageToken: rows.length > pageSize ? encodePageToken(page[page.length - 1]!.seq_no) : '',
  };
}

/** Resolves `id`, or `station_id` + `transaction_id`; INVALID_ARGUMENT / NOT_FOUND otherwise. */
async function findTransaction(
  deps: Deps,
  ref: { readonly id: string; readonly stationId: string; readonly transactionId: string },
): Promise<TransactionRow> {
  const v = new RequestViolations();
  if (ref.id !== '') {
    v.check(INTERNAL_ID.test(ref.id), 'id', 'must be an internal transaction id (digits)');
    if (ref.stationId !== '' || ref.transactionId !== '')
      v.add('id', 'give either id or station_id + transaction_id, not both');
  } else {
    if (ref.stationId === '') v.add('station_id', 'required when id is empty');
    else v.stationId('station_id', ref.stationId);
    if (ref.transactionId === '') v.add('transaction_id', 'required when id is empty');
    checkLength(v, 'transaction_id', ref.transactionId);
  }
  v.throwIfAny('name the transaction');
  const row = await findTransactionRow(
    deps.db,
    ref.id !== '' ? { id: ref.id } : { stationId: ref.stationId, transactionId: ref.transactionId },
  );
  if (!row)
    throw ApiErrors.notFound('transaction', ref.id !== '' ? ref.id : `${ref.stationId}/${ref.transactionId}`);
  return row;
}

function stateOf(state: transactionV1.TransactionState): 'active' | 'ended' | 'any' | undefined {
  switch (state) {
    case TransactionState.TRANSACTION_STATE_UNSPECIFIED:
      return 'any';
    case TransactionState.TRANSACTION_STATE_ACTIVE:
      return 'active';
    case TransactionState.TRANSACTION_STATE_ENDED:
      return 'ended';
    case TransactionState.UNRECOGNIZED:
    default:
      return undefined;
  }
}

/** A station id filter: empty (any station) or a valid station id (the rule of `@csms/ocpp`). */
function optionalStationId(v: RequestViolations, stationId: string): void {
  if (stationId !== '') v.stationId('station_id', stationId);
}

function checkLength(v: RequestViolations, field: string, value: string): void {
  v.check(value.length <= MAX_ID_LENGTH, field, `must be at most ${MAX_ID_LENGTH} characters`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
