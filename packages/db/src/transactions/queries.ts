import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { MeterValueRow, TransactionEventRow, TransactionRow } from './schema.js';

/** Reads of recorded transactions, meter values and 2.0.1 events (the transaction API, audits). */

export interface TransactionFilter {
  readonly stationId?: string;
  readonly state?: 'active' | 'ended';
  readonly idToken?: string;
  /** started_at >= startedAfter. */
  readonly startedAfter?: Date;
  /** started_at < startedBefore. */
  readonly startedBefore?: Date;
  /** Only ids below this internal id (the page continues with older transactions). */
  readonly beforeId?: string;
  readonly limit: number;
}

/** Transactions matching `filter`, newest (highest internal id) first. */
export function listTransactionRows(
  db: Kysely<Database>,
  filter: TransactionFilter,
): Promise<TransactionRow[]> {
  let q = db.selectFrom('transactions').selectAll();
  if (filter.stationId !== undefined) q = q.where('station_id', '=', filter.stationId);
  if (filter.state !== undefined) q = q.where('state', '=', filter.state);
  if (filter.idToken !== undefined) q = q.where('id_token', '=', filter.idToken);
  if (filter.startedAfter) q = q.where('started_at', '>=', filter.startedAfter);
  if (filter.startedBefore) q = q.where('started_at', '<', filter.startedBefore);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  return q.orderBy('id', 'desc').limit(filter.limit).execute();
}

/** A transaction by internal id, or by (station, OCPP transaction id). */
export function findTransactionRow(
  db: Kysely<Database>,
  ref: { readonly id: string } | { readonly stationId: string; readonly transactionId: string },
): Promise<TransactionRow | undefined> {
  const q = db.selectFrom('transactions').selectAll();
  return 'id' in ref
    ? q.where('id', '=', ref.id).executeTakeFirst()
    : q
        .where('station_id', '=', ref.stationId)
        .where('transaction_id', '=', ref.transactionId)
        .executeTakeFirst();
}

/** How many meter values a transaction has and the time of the latest. */
export async function meterValueStats(
  db: Kysely<Database>,
  transactionRef: string,
): Promise<{ count: number; last: Date | undefined }> {
  const meter = await db
    .selectFrom('meter_values')
    .select([sql<string>`count(*)`.as('count'), sql<Date | null>`max(timestamp)`.as('last')])
    .where('transaction_ref', '=', transactionRef)
    .executeTakeFirstOrThrow();
  return { count: Number(meter.count), last: meter.last === null ? undefined : new Date(meter.last) };
}

/** How many 2.0.1 TransactionEvents are stored for the station's transaction. */
export async function transactionEventCount(
  db: Kysely<Database>,
  stationId: string,
  transactionId: string,
): Promise<number> {
  const events = await db
    .selectFrom('transaction_events')
    .select(sql<string>`count(*)`.as('count'))
    .where('station_id', '=', stationId)
    .where('transaction_id', '=', transactionId)
    .executeTakeFirstOrThrow();
  return Number(events.count);
}

export interface MeterValueFilter {
  /** transactions.id. */
  readonly transactionRef?: string;
  readonly stationId?: string;
  /** timestamp >= from. */
  readonly from?: Date;
  /** timestamp < to. */
  readonly to?: Date;
  /** Only rows after this id (exclusive). */
  readonly afterId?: string;
  readonly limit: number;
}

/** Meter values matching `filter` in receipt (id) order. */
export function listMeterValueRows(db: Kysely<Database>, filter: MeterValueFilter): Promise<MeterValueRow[]> {
  let q = db.selectFrom('meter_values').selectAll();
  if (filter.transactionRef !== undefined) q = q.where('transaction_ref', '=', filter.transactionRef);
  if (filter.stationId !== undefined) q = q.where('station_id', '=', filter.stationId);
  if (filter.from) q = q.where('timestamp', '>=', filter.from);
  if (filter.to) q = q.where('timestamp', '<', filter.to);
  if (filter.afterId !== undefined) q = q.where('id', '>', filter.afterId);
  return q.orderBy('id', 'asc').limit(filter.limit).execute();
}

/** The station's 2.0.1 events of one transaction in seqNo order, after `afterSeqNo` (exclusive). */
export function listTransactionEventRows(
  db: Kysely<Database>,
  query: {
    readonly stationId: string;
    readonly transactionId: string;
    readonly afterSeqNo?: number;
    readonly limit: number;
  },
): Promise<TransactionEventRow[]> {
  let q = db
    .selectFrom('transaction_events')
    .selectAll()
    .where('station_id', '=', query.stationId)
    .where('transaction_id', '=', query.transactionId);
  if (query.afterSeqNo !== undefined) q = q.where('seq_no', '>', query.afterSeqNo);
  return q.orderBy('seq_no').limit(query.limit).execute();
}
