/**
 * Does a group-commit batch cost PostgreSQL less CPU when its single-row statements become one multi-row
 * statement? The question the eighth session left open (BENCHMARKS.md): 0.69 of the 2.04 statement executions
 * per CALL are single-row statements of the group-commit path, and merging them per kind and batch
 * (`insert … select … from unnest(…)`) was the proposed lever.
 *
 * The probe answers it for the most frequent of them, the 1.6 MeterValues insert (the shape of
 * `v16MeterValuesInsert`: one meter value set, its transaction looked up in the same statement), on a private
 * durable PostgreSQL with the CSMS schema: for each batch size it sends `rounds` batches through the CSMS's own
 * group-commit handle (`autocommitDb`, one pooled connection, prepared statements), once as one statement per
 * row and once as one statement per batch, and reads the server process's CPU (utime + stime of
 * `/proc/<pg_backend_pid>/stat`) around each. Loopback only; the rows are bounded by `rounds × size`.
 *
 * `npx tsx --conditions=source bench/multi-row-probe.ts [--sizes 3,10,30] [--rounds 1500] [--repeat 3]
 * [--without-foreign-keys]`: the last measures the same without meter_values' foreign keys (run it beside one with).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase, type Database } from '@csms/db';
import { startPostgres } from '@csms/test-servers';
import { clockTicksPerSecond, parseProcStat } from './cpu-usage.js';
import { table } from './text-table.js';

export interface ProbeOptions {
  /** Rows per batch, each measured on its own. */
  readonly sizes: readonly number[];
  /** Batches per measurement. */
  readonly rounds: number;
  /** Alternating measurements of both forms per size. */
  readonly repeat: number;
  /** Stations (each with one active 1.6 transaction) the rows are spread over. */
  readonly stations?: number;
  /**
   * Drop meter_values' two foreign keys (to stations and transactions) first: what their checks cost each insert (a
   * lookup and a KEY SHARE lock of the referenced rows). The CSMS keeps them; this only measures them.
   */
  readonly withoutForeignKeys?: boolean;
}

/** One batch size: the server's CPU per stored row of each form, the median of the repeats. */
export interface ProbeRow {
  readonly size: number;
  readonly singleMicrosPerRow: number;
  readonly mergedMicrosPerRow: number;
  readonly rowsStored: number;
}

/** The server process's CPU time (utime + stime), µs. */
function backendCpuMicros(pid: number): number {
  const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (stat === undefined) throw new Error(`/proc/${pid}/stat is not readable as proc(5) describes it`);
  return ((stat.utime + stat.stime) * 1e6) / clockTicksPerSecond();
}

const SAMPLED = JSON.stringify([
  { value: '1234.5', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
  { value: '7200', measurand: 'Power.Active.Import', unit: 'W' },
]);

interface Row {
  readonly stationId: string;
  readonly transactionId: string;
  readonly timestamp: string;
  readonly dedupeKey: string;
}

/** The 1.6 MeterValues insert as the CSMS sends it: one set, the transaction looked up in the statement. */
function single(db: Kysely<Database>, r: Row) {
  return sql`insert into meter_values (station_id, transaction_ref, evse_id, connector_id, source, timestamp,
      sampled_values, dedupe_key)
    select ${r.stationId}::text, (select t.id from transactions t where t.station_id = ${r.stationId}
      and t.ocpp_version = 'ocpp1.6' and t.transaction_id = ${r.transactionId}), 1, 1, 'MeterValues'::text,
      v.ts, v.sv::jsonb, v.dk
    from unnest(${[r.timestamp]}::timestamptz[], ${[SAMPLED]}::text[], ${[r.dedupeKey]}::text[]) as v(ts, sv, dk)
    on conflict (station_id, dedupe_key) do nothing
    returning transaction_ref`.execute(db);
}

/** The same rows of many stations in one statement (their places returned to split the result by). */
function merged(db: Kysely<Database>, rows: readonly Row[]) {
  return sql`insert into meter_values (station_id, transaction_ref, evse_id, connector_id, source, timestamp,
      sampled_values, dedupe_key)
    select v.st, (select t.id from transactions t where t.station_id = v.st and t.ocpp_version = 'ocpp1.6'
      and t.transaction_id = v.tx), 1, 1, 'MeterValues'::text, v.ts, v.sv::jsonb, v.dk
    from unnest(${rows.map((r) => r.stationId)}::text[], ${rows.map((r) => r.transactionId)}::text[],
      ${rows.map((r) => r.timestamp)}::timestamptz[], ${rows.map(() => SAMPLED)}::text[],
      ${rows.map((r) => r.dedupeKey)}::text[]) as v(st, tx, ts, sv, dk)
    on conflict (station_id, dedupe_key) do nothing
    returning station_id, dedupe_key, transaction_ref`.execute(db);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs the probe against `url` (a database it may fill); the rows of every batch size. */
export async function runMultiRowProbe(url: string, options: ProbeOptions): Promise<ProbeRow[]> {
  const stations = options.stations ?? 200;
  // One pooled connection: every batch goes to the one server process whose CPU is read.
  const handle = await openDatabase({ kind: 'postgres', url, poolSize: 1 });
  try {
    await migrateToLatest(handle.db);
    if (options.withoutForeignKeys)
      await sql`alter table meter_values drop constraint meter_values_station_id_fkey,
        drop constraint meter_values_transaction_ref_fkey`.execute(handle.db);
    for (let i = 0; i < stations; i++) {
      await sql`insert into stations (id, ocpp_version) values (${`PROBE${i}`}, 'ocpp1.6')`.execute(
        handle.db,
      );
      await sql`insert into transactions (station_id, ocpp_version, transaction_id, evse_id, connector_id, state,
          started_at, id_token)
        values (${`PROBE${i}`}, 'ocpp1.6', ${String(i)}, 1, 1, 'active', now(), 'TAG')`.execute(handle.db);
    }
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.autocommitDb);
    const pid = rows[0]!.pid;
    let serial = 0;
    const nextRows = (size: number): Row[] =>
      Array.from({ length: size }, () => {
        serial++;
        const timestamp = new Date(Date.UTC(2026, 0, 1) + serial * 1000).toISOString();
        return {
          stationId: `PROBE${serial % stations}`,
          transactionId: String(serial % stations),
          timestamp,
          dedupeKey: createHash('sha256').update(`${serial}\u0000${timestamp}`).digest('base64url'),
        };
      });
    const measure = async (size: number, form: 'single' | 'merged'): Promise<[number, number]> => {
      let stored = 0;
      const before = backendCpuMicros(pid);
      for (let round = 0; round < options.rounds; round++) {
        const batch = nextRows(size);
        // Queued in one tick, the single statements leave as one group-commit batch (one round trip, one commit).
        if (form === 'single') {
          const results = await Promise.all(batch.map((r) => single(handle.autocommitDb, r)));
          for (const r of results) stored += r.rows.length;
        } else {
          stored += (await merged(handle.autocommitDb, batch)).rows.length;
        }
      }
      return [(backendCpuMicros(pid) - before) / (options.rounds * size), stored];
    };
    const result: ProbeRow[] = [];
    for (const size of options.sizes) {
      await measure(size, 'single'); // warm-up: both statements prepared, their plans settled
      await measure(size, 'merged');
      const singles: number[] = [];
      const merges: number[] = [];
      let rowsStored = 0;
      for (let i = 0; i < options.repeat; i++) {
        const [s, storedS] = await measure(size, 'single');
        const [m, storedM] = await measure(size, 'merged');
        singles.push(s);
        merges.push(m);
        rowsStored += storedS + storedM;
      }
      result.push({
        size,
        singleMicrosPerRow: median(singles),
        mergedMicrosPerRow: median(merges),
        rowsStored,
      });
    }
    return result;
  } finally {
    await handle.close();
  }
}

export function formatProbe(rows: readonly ProbeRow[]): string[] {
  return table(
    ['rows per batch', 'one statement per row: µs/row', 'one statement per batch: µs/row', 'change'],
    rows.map((r) => [
      String(r.size),
      r.singleMicrosPerRow.toFixed(1),
      r.mergedMicrosPerRow.toFixed(1),
      `${(((r.mergedMicrosPerRow - r.singleMicrosPerRow) / r.singleMicrosPerRow) * 100).toFixed(0)}%`,
    ]),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '3,10,30' },
      rounds: { type: 'string', default: '1500' },
      repeat: { type: 'string', default: '3' },
      'without-foreign-keys': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const sizes = values.sizes.split(',').map(Number);
  const rounds = Number(values.rounds);
  const repeat = Number(values.repeat);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 100) || !(rounds >= 1 && rounds <= 10_000))
    throw new RangeError('--sizes: integers 1..100; --rounds: 1..10000');
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 9) throw new RangeError('--repeat: 1..9');
  // Durable like the benchmark's server: each batch's commit waits for its WAL flush.
  const server = await startPostgres({ durable: true });
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('create database probe');
    await admin.end();
    const rows = await runMultiRowProbe(server.url.replace(/\/postgres$/, '/probe'), {
      sizes,
      rounds,
      repeat,
      withoutForeignKeys: values['without-foreign-keys'],
    });
    console.log(
      `PostgreSQL server CPU per stored 1.6 meter value row (utime + stime of its backend; median of ${repeat}; ${rounds} batches per measurement)` +
        (values['without-foreign-keys'] ? ', meter_values without its foreign keys' : ''),
    );
    for (const line of formatProbe(rows)) console.log(line);
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
