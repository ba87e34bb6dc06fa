import {
  meterValuesOfTransactions,
  transactionEventKeys,
  transactionsOfStations,
  type Database,
  type Kysely,
} from '@csms/db';
import type { LedgerTransaction } from './ledger.js';

export interface VerifyLedgerOptions {
  /**
   * Also flag what the database has beyond the ledger: transactions of the ledger's stations that the
   * ledger does not know, and meter values the stations never saw acknowledged. Only right for runs where
   * nothing was left unacknowledged (no kills, every message answered); a chaos run may legitimately
   * have them (the CSMS stored a message whose answer was lost).
   */
  readonly exact?: boolean;
}

/** The outcome of {@link verifyLedger}. */
export interface LedgerVerification {
  readonly ok: boolean;
  /** Ledger transactions with something acknowledged, i.e. checked against the database. */
  readonly transactions: number;
  /** Acknowledged meter values checked. */
  readonly meterValues: number;
  readonly problemCount: number;
  /** The first 100 problems, one sentence each. */
  readonly problems: readonly string[];
}

const CHUNK = 500;
const MAX_PROBLEMS = 100;

/**
 * Checks the CSMS database against what the stations saw acknowledged (the chaos-test invariant):
 * - every transaction with an acknowledged message is stored, exactly once (1.6: no second row for the same
 *   StartTransaction, i.e. a retry was recognised);
 * - an acknowledged start has its meterStart and timestamp, an acknowledged stop its meterStop, end time
 *   and state `ended`;
 * - every acknowledged meter value is in `meter_values` for that transaction, and none is stored twice;
 * - 2.0.1: every acknowledged TransactionEvent's seqNo is in `transaction_events`.
 * Reads only; works on PostgreSQL and PGlite.
 */
export async function verifyLedger(
  db: Kysely<Database>,
  ledger: readonly LedgerTransaction[],
  options: VerifyLedgerOptions = {},
): Promise<LedgerVerification> {
  const problems = new Problems();
  const checked = ledger.filter(isAcknowledged);
  const rows = await storedTransactions(db, [...new Set(ledger.map((t) => t.stationId))]);
  const byKey = new Map(rows.map((r) => [txKey(r.station_id, r.transaction_id), r]));
  const rowOf = new Map<LedgerTransaction, TransactionRow>();
  for (const tx of checked) {
    const row = byKey.get(txKey(tx.stationId, tx.transactionId ?? ''));
    if (row === undefined)
      problems.add(`${tx.stationId} transaction ${tx.transactionId ?? '?'} (${tx.localId}) is not stored`);
    else rowOf.set(tx, row);
  }
  const stored: Stored = {
    metersByRef: await storedMeterCounts(
      db,
      [...rowOf.values()].map((row) => String(row.id)),
    ),
    seqNos: await storedSeqNos(db, [
      ...new Set(checked.filter((t) => t.version === 'ocpp2.0.1').map((t) => t.stationId)),
    ]),
  };
  let meterValues = 0;
  for (const [tx, row] of rowOf) meterValues += checkTransaction(tx, row, stored, options, problems);
  checkDuplicateStarts(rows, problems);
  if (options.exact === true) checkUnacknowledged(rows, checked, problems);
  return {
    ok: problems.count === 0,
    transactions: checked.length,
    meterValues,
    problemCount: problems.count,
    problems: problems.first,
  };
}

type TransactionRow = Awaited<ReturnType<typeof transactionsOfStations>>[number];

/** What else the checks compare a transaction with, read in bulk. */
interface Stored {
  /** Per transactions.id: how many times each meter value (time = Wh) is stored. */
  readonly metersByRef: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Per station + transaction id: the stored 2.0.1 TransactionEvent seqNos. */
  readonly seqNos: ReadonlyMap<string, ReadonlySet<number>>;
}

/** Counts every problem and keeps the first {@link MAX_PROBLEMS}. */
class Problems {
  count = 0;
  readonly first: string[] = [];

  add(text: string): void {
    this.count++;
    if (this.first.length < MAX_PROBLEMS) this.first.push(text);
  }
}

function txKey(stationId: string, transactionId: string): string {
  return `${stationId}\u0000${transactionId}`;
}

async function storedTransactions(
  db: Kysely<Database>,
  stationIds: readonly string[],
): Promise<TransactionRow[]> {
  const rows: TransactionRow[] = [];
  for (const ids of chunks(stationIds)) rows.push(...(await transactionsOfStations(db, ids)));
  return rows;
}

async function storedMeterCounts(
  db: Kysely<Database>,
  refs: readonly string[],
): Promise<Stored['metersByRef']> {
  const metersByRef = new Map<string, Map<string, number>>();
  for (const ids of chunks(refs)) {
    for (const m of await meterValuesOfTransactions(db, ids)) {
      const ref = String(m.transaction_ref);
      let counts = metersByRef.get(ref);
      if (counts === undefined) metersByRef.set(ref, (counts = new Map<string, number>()));
      const key = meterKey(new Date(m.timestamp).getTime(), registerValue(m.sampled_values));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return metersByRef;
}

async function storedSeqNos(db: Kysely<Database>, stationIds: readonly string[]): Promise<Stored['seqNos']> {
  const seqNos = new Map<string, Set<number>>();
  for (const ids of chunks(stationIds)) {
    for (const e of await transactionEventKeys(db, ids)) {
      const key = txKey(e.station_id, e.transaction_id);
      let set = seqNos.get(key);
      if (set === undefined) seqNos.set(key, (set = new Set<number>()));
      set.add(e.seq_no);
    }
  }
  return seqNos;
}

/** Checks one acknowledged, stored transaction; returns how many acknowledged meter values it checked. */
function checkTransaction(
  tx: LedgerTransaction,
  row: TransactionRow,
  stored: Stored,
  options: VerifyLedgerOptions,
  problems: Problems,
): number {
  const name = `${tx.stationId} transaction ${tx.transactionId ?? '?'}`;
  if (tx.startAcknowledged) {
    if (Number(row.meter_start) !== tx.meterStart) {
      problems.add(`${name}: meter_start ${String(row.meter_start)}, acknowledged ${tx.meterStart}`);
    }
    if (row.started_at === null || new Date(row.started_at).getTime() !== Date.parse(tx.startedAt)) {
      problems.add(`${name}: started_at ${String(row.started_at)}, acknowledged ${tx.startedAt}`);
    }
  }
  if (tx.stopAcknowledged) {
    if (row.state !== 'ended') problems.add(`${name}: state ${row.state} after an acknowledged stop`);
    if (tx.meterStop !== undefined && Number(row.meter_stop) !== tx.meterStop) {
      problems.add(`${name}: meter_stop ${String(row.meter_stop)}, acknowledged ${tx.meterStop}`);
    }
    if (
      tx.stoppedAt !== undefined &&
      (row.ended_at === null || new Date(row.ended_at).getTime() !== Date.parse(tx.stoppedAt))
    ) {
      problems.add(`${name}: ended_at ${String(row.ended_at)}, acknowledged ${tx.stoppedAt}`);
    }
  }
  checkMeterValues(name, tx, stored.metersByRef.get(String(row.id)) ?? new Map(), options, problems);
  if (tx.version === 'ocpp2.0.1') {
    const seqNos = stored.seqNos.get(txKey(tx.stationId, tx.transactionId ?? '')) ?? new Set<number>();
    for (const mv of tx.meterValues) {
      if (mv.seqNo !== undefined && !seqNos.has(mv.seqNo))
        problems.add(`${name}: seqNo ${mv.seqNo} not stored`);
    }
  }
  return tx.meterValues.length;
}

/** Every acknowledged meter value stored once; with `exact`, nothing stored that was not acknowledged. */
function checkMeterValues(
  name: string,
  tx: LedgerTransaction,
  counts: ReadonlyMap<string, number>,
  options: VerifyLedgerOptions,
  problems: Problems,
): void {
  const expected = new Set<string>();
  for (const mv of tx.meterValues) {
    const key = meterKey(Date.parse(mv.timestamp), mv.valueWh);
    expected.add(key);
    if ((counts.get(key) ?? 0) === 0)
      problems.add(`${name}: acknowledged meter value ${mv.timestamp} = ${mv.valueWh} Wh is not stored`);
  }
  for (const [key, n] of counts) {
    if (n > 1) problems.add(`${name}: meter value ${key} stored ${n} times`);
    else if (options.exact === true && !expected.has(key)) {
      problems.add(`${name}: meter value ${key} stored but never acknowledged`);
    }
  }
}

/** 1.6: a StartTransaction retry that was not recognised would be a second row with another id. */
function checkDuplicateStarts(rows: readonly TransactionRow[], problems: Problems): void {
  const starts = new Map<string, number>();
  for (const r of rows) {
    if (r.ocpp_version !== 'ocpp1.6' || r.started_at === null) continue;
    const key = `${r.station_id}\u0000${String(r.connector_id)}\u0000${new Date(r.started_at).getTime()}\u0000${String(r.meter_start)}`;
    starts.set(key, (starts.get(key) ?? 0) + 1);
  }
  for (const [key, n] of starts) {
    if (n > 1)
      problems.add(`the same StartTransaction is stored ${n} times (${key.replaceAll('\u0000', ' ')})`);
  }
}

/** `exact`: the stations' stored transactions the ledger never saw acknowledged. */
function checkUnacknowledged(
  rows: readonly TransactionRow[],
  checked: readonly LedgerTransaction[],
  problems: Problems,
): void {
  const known = new Set(checked.map((t) => txKey(t.stationId, t.transactionId ?? '')));
  for (const r of rows) {
    if (!known.has(txKey(r.station_id, r.transaction_id))) {
      problems.add(`${r.station_id} transaction ${r.transaction_id} is stored but was never acknowledged`);
    }
  }
}

/** A transaction the CSMS must know: 1.6 once its start was answered, 2.0.1 once any event was. */
function isAcknowledged(tx: LedgerTransaction): boolean {
  if (tx.version === 'ocpp1.6') return tx.startAcknowledged && tx.transactionId !== undefined;
  return tx.startAcknowledged || tx.stopAcknowledged || tx.meterValues.length > 0;
}

function meterKey(timeMs: number, valueWh: number | undefined): string {
  return `${new Date(timeMs).toISOString()}=${String(valueWh)}`;
}

/** The Energy.Active.Import.Register reading of a stored sampledValue array (1.6 strings, 2.0.1 numbers). */
function registerValue(sampled: unknown): number | undefined {
  if (!Array.isArray(sampled)) return undefined;
  for (const sv of sampled as unknown[]) {
    if (typeof sv !== 'object' || sv === null) continue;
    const { measurand, value } = sv as { measurand?: unknown; value?: unknown };
    if (measurand !== undefined && measurand !== 'Energy.Active.Import.Register') continue;
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}
