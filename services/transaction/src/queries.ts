import { sql, type TransactionRow } from '@csms/db';
import {
  ApiErrors,
  transactionV1,
  type FieldViolation,
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
/** Generous bound for identifiers in filters (OCPP identities are at most 48 characters). */
const MAX_ID_LENGTH = 255;

/** ListTransactions: newest first, keyed by internal id. */
export async function listTransactions(
  deps: Deps,
  request: transactionV1.ListTransactionsRequest,
): Promise<transactionV1.ListTransactionsResponse> {
  const violations: FieldViolation[] = [];
  const pageSize = pageSizeOf(request.pageSize);
  const after = decodePageToken(request.pageToken, ROW_ID_KEY);
  const state = stateOf(request.state);
  if (state === undefined)
    violations.push({ field: 'state', description: 'must be ACTIVE, ENDED or unspecified' });
  checkLength(violations, 'station_id', request.stationId);
  checkLength(violations, 'id_token', request.idToken);
  if (
    request.startedAfter &&
    request.startedBefore &&
    request.startedAfter.getTime() >= request.startedBefore.getTime()
  )
    violations.push({ field: 'started_before', description: 'must be later than started_after' });
  if (violations.length > 0) throw ApiErrors.invalidArgument('invalid ListTransactions request', violations);

  let q = deps.db.selectFrom('transactions').selectAll();
  if (request.stationId !== '') q = q.where('station_id', '=', request.stationId);
  if (state !== undefined && state !== 'any') q = q.where('state', '=', state);
  if (request.idToken !== '') q = q.where('id_token', '=', request.idToken);
  if (request.startedAfter) q = q.where('started_at', '>=', request.startedAfter);
  if (request.startedBefore) q = q.where('started_at', '<', request.startedBefore);
  if (after !== undefined) q = q.where('id', '<', after);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(pageSize + 1)
    .execute();
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
  const meter = await deps.db
    .selectFrom('meter_values')
    .select([sql<string>`count(*)`.as('count'), sql<Date | null>`max(timestamp)`.as('last')])
    .where('transaction_ref', '=', row.id)
    .executeTakeFirstOrThrow();
  const events = await deps.db
    .selectFrom('transaction_events')
    .select(sql<string>`count(*)`.as('count'))
    .where('station_id', '=', row.station_id)
    .where('transaction_id', '=', row.transaction_id)
    .executeTakeFirstOrThrow();
  const last = meter.last === null ? undefined : new Date(meter.last);
  return {
    transaction: toApiTransaction(row),
    summary: {
      ...(row.meter_start !== null && row.meter_stop !== null
        ? { energyWh: row.meter_stop - row.meter_start }
        : {}),
      meterValueCount: Number(meter.count),
      lastMeterValueTime: last,
      // transaction_events holds 2.0.1 events only.
      eventCount: row.ocpp_version === 'ocpp2.0.1' ? Number(events.count) : 0,
    },
  };
}

/** ListMeterValues: of a transaction or a station, optionally in a time range, in receipt order. */
export async function listMeterValues(
  deps: Deps,
  request: transactionV1.ListMeterValuesRequest,
): Promise<transactionV1.ListMeterValuesResponse> {
  const violations: FieldViolation[] = [];
  const pageSize = pageSizeOf(request.pageSize);
  const after = decodePageToken(request.pageToken, ROW_ID_KEY);
  if (request.transactionId === '' && request.stationId === '')
    violations.push(
      { field: 'transaction_id', description: 'give a transaction (internal id) or a station_id' },
      { field: 'station_id', description: 'give a station_id or a transaction (internal id)' },
    );
  if (request.transactionId !== '' && !INTERNAL_ID.test(request.transactionId))
    violations.push({ field: 'transaction_id', description: 'must be an internal transaction id (digits)' });
  checkLength(violations, 'station_id', request.stationId);
  if (request.startTime && request.endTime && request.startTime.getTime() >= request.endTime.getTime())
    violations.push({ field: 'end_time', description: 'must be later than start_time' });
  if (violations.length > 0) throw ApiErrors.invalidArgument('invalid ListMeterValues request', violations);

  if (request.transactionId !== '') {
    const tx = await deps.db
      .selectFrom('transactions')
      .select('id')
      .where('id', '=', request.transactionId)
      .executeTakeFirst();
    if (!tx) throw ApiErrors.notFound('transaction', request.transactionId);
  }
  let q = deps.db.selectFrom('meter_values').selectAll();
  if (request.transactionId !== '') q = q.where('transaction_ref', '=', request.transactionId);
  if (request.stationId !== '') q = q.where('station_id', '=', request.stationId);
  if (request.startTime) q = q.where('timestamp', '>=', request.startTime);
  if (request.endTime) q = q.where('timestamp', '<', request.endTime);
  if (after !== undefined) q = q.where('id', '>', after);
  const rows = await q
    .orderBy('id', 'asc')
    .limit(pageSize + 1)
    .execute();
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
  let q = deps.db
    .selectFrom('transaction_events')
    .selectAll()
    .where('station_id', '=', tx.station_id)
    .where('transaction_id', '=', tx.transaction_id);
  if (after !== undefined) q = q.where('seq_no', '>', Number(after));
  const rows =
    tx.ocpp_version === 'ocpp2.0.1'
      ? await q
          .orderBy('seq_no')
          .limit(pageSize + 1)
          .execute()
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
  const violations: FieldViolation[] = [];
  if (ref.id !== '') {
    if (!INTERNAL_ID.test(ref.id))
      violations.push({ field: 'id', description: 'must be an internal transaction id (digits)' });
    if (ref.stationId !== '' || ref.transactionId !== '')
      violations.push({
        field: 'id',
        description: 'give either id or station_id + transaction_id, not both',
      });
  } else {
    if (ref.stationId === '')
      violations.push({ field: 'station_id', description: 'required when id is empty' });
    if (ref.transactionId === '')
      violations.push({ field: 'transaction_id', description: 'required when id is empty' });
    checkLength(violations, 'station_id', ref.stationId);
    checkLength(violations, 'transaction_id', ref.transactionId);
  }
  if (violations.length > 0) throw ApiErrors.invalidArgument('name the transaction', violations);
  const q = deps.db.selectFrom('transactions').selectAll();
  const row =
    ref.id !== ''
      ? await q.where('id', '=', ref.id).executeTakeFirst()
      : await q
          .where('station_id', '=', ref.stationId)
          .where('transaction_id', '=', ref.transactionId)
          .executeTakeFirst();
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

function checkLength(violations: FieldViolation[], field: string, value: string): void {
  if (value.length > MAX_ID_LENGTH)
    violations.push({ field, description: `must be at most ${MAX_ID_LENGTH} characters` });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
