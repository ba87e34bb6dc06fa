import type { Database, Kysely } from '@csms/db';
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
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (text: string): void => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };

  const checked = ledger.filter(isAcknowledged);
  const stationIds = [...new Set(ledger.map((t) => t.stationId))];

  const rows = [];
  for (const ids of chunks(stationIds)) {
    rows.push(
      ...(await db
        .selectFrom('transactions')
        .select([
          'id',
          'station_id',
          'transaction_id',
          'ocpp_version',
          'state',
          'connector_id',
          'started_at',
          'ended_at',
          'meter_start',
          'meter_stop',
        ])
        .where('station_id', 'in', ids)
        .execute()),
    );
  }
  const byKey = new Map(rows.map((r) => [`${r.station_id}\u0000${r.transaction_id}`, r]));

  const refs: string[] = [];
  const rowOf = new Map<LedgerTransaction, (typeof rows)[number]>();
  for (const tx of checked) {
    const row = byKey.get(`${tx.stationId}\u0000${tx.transactionId ?? ''}`);
    if (row === undefined) {
      problem(`${tx.stationId} transaction ${tx.transactionId ?? '?'} (${tx.localId}) is not stored`);
      continue;
    }
    rowOf.set(tx, row);
    refs.push(String(row.id));
  }

  const meterRows: { transaction_ref: string | null; timestamp: Date; sampled_values: unknown[] }[] = [];
  for (const ids of chunks(refs)) {
    meterRows.push(
      ...(await db
        .selectFrom('meter_values')
        .select(['transaction_ref', 'timestamp', 'sampled_values'])
        .where('transaction_ref', 'in', ids)
        .execute()),
    );
  }
  const metersByRef = new Map<string, Map<string, number>>();
  for (const m of meterRows) {
    const ref = String(m.transaction_ref);
    let counts = metersByRef.get(ref);
    if (counts === undefined) metersByRef.set(ref, (counts = new Map<string, number>()));
    const key = meterKey(new Date(m.timestamp).getTime(), registerValue(m.sampled_values));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }

  const v201Stations = [...new Set(checked.filter((t) => t.version === 'ocpp2.0.1').map((t) => t.stationId))];
  const seqNos = new Map<string, Set<number>>();
  for (const ids of chunks(v201Stations)) {
    const events = await db
      .selectFrom('transaction_events')
      .select(['station_id', 'transaction_id', 'seq_no'])
      .where('station_id', 'in', ids)
      .execute();
    for (const e of events) {
      const key = `${e.station_id}\u0000${e.transaction_id}`;
      let set = seqNos.get(key);
      if (set === undefined) seqNos.set(key, (set = new Set<number>()));
      set.add(e.seq_no);
    }
  }

  let meterValues = 0;
  for (const tx of checked) {
    const row = rowOf.get(tx);
    if (row === undefined) continue;
    const name = `${tx.stationId} transaction ${tx.transactionId ?? '?'}`;
    if (tx.startAcknowledged) {
      if (Number(row.meter_start) !== tx.meterStart) {
        problem(`${name}: meter_start ${String(row.meter_start)}, acknowledged ${tx.meterStart}`);
      }
      if (row.started_at === null || new Date(row.started_at).getTime() !== Date.parse(tx.startedAt)) {
        problem(`${name}: started_at ${String(row.started_at)}, acknowledged ${tx.startedAt}`);
      }
    }
    if (tx.stopAcknowledged) {
      if (row.state !== 'ended') problem(`${name}: state ${row.state} after an acknowledged stop`);
      if (tx.meterStop !== undefined && Number(row.meter_stop) !== tx.meterStop) {
        problem(`${name}: meter_stop ${String(row.meter_stop)}, acknowledged ${tx.meterStop}`);
      }
      if (
        tx.stoppedAt !== undefined &&
        (row.ended_at === null || new Date(row.ended_at).getTime() !== Date.parse(tx.stoppedAt))
      ) {
        problem(`${name}: ended_at ${String(row.ended_at)}, acknowledged ${tx.stoppedAt}`);
      }
    }
    const counts = metersByRef.get(String(row.id)) ?? new Map<string, number>();
    const expected = new Set<string>();
    for (const mv of tx.meterValues) {
      meterValues++;
      const key = meterKey(Date.parse(mv.timestamp), mv.valueWh);
      expected.add(key);
      const n = counts.get(key) ?? 0;
      if (n === 0)
        problem(`${name}: acknowledged meter value ${mv.timestamp} = ${mv.valueWh} Wh is not stored`);
    }
    for (const [key, n] of counts) {
      if (n > 1) problem(`${name}: meter value ${key} stored ${n} times`);
      else if (options.exact === true && !expected.has(key)) {
        problem(`${name}: meter value ${key} stored but never acknowledged`);
      }
    }
    if (tx.version === 'ocpp2.0.1') {
      const stored = seqNos.get(`${tx.stationId}\u0000${tx.transactionId ?? ''}`) ?? new Set<number>();
      for (const mv of tx.meterValues) {
        if (mv.seqNo !== undefined && !stored.has(mv.seqNo)) problem(`${name}: seqNo ${mv.seqNo} not stored`);
      }
    }
  }

  // 1.6: a StartTransaction retry that was not recognised would be a second row with another id.
  const starts = new Map<string, number>();
  for (const r of rows) {
    if (r.ocpp_version !== 'ocpp1.6' || r.started_at === null) continue;
    const key = `${r.station_id}\u0000${String(r.connector_id)}\u0000${new Date(r.started_at).getTime()}\u0000${String(r.meter_start)}`;
    starts.set(key, (starts.get(key) ?? 0) + 1);
  }
  for (const [key, n] of starts) {
    if (n > 1) problem(`the same StartTransaction is stored ${n} times (${key.replaceAll('\u0000', ' ')})`);
  }

  if (options.exact === true) {
    const known = new Set(checked.map((t) => `${t.stationId}\u0000${t.transactionId ?? ''}`));
    for (const r of rows) {
      if (!known.has(`${r.station_id}\u0000${r.transaction_id}`)) {
        problem(`${r.station_id} transaction ${r.transaction_id} is stored but was never acknowledged`);
      }
    }
  }

  return { ok: problemCount === 0, transactions: checked.length, meterValues, problemCount, problems };
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
