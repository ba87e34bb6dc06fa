import pg from 'pg';
import { table } from './text-table.js';

/**
 * `--pg-statements`: what PostgreSQL executed for a configuration over the steady phase's CPU window, per answered
 * CALL, from pg_stat_statements (loaded into the run's private server at its start) and pg_stat_database: which
 * statements, how often, their execution time, and the commits. It says where PostgreSQL's CPU per CALL goes (the
 * CPU table measures it, this names it). The window is reset when it opens; nothing else uses the server meanwhile
 * (one configuration runs at a time).
 */

/** Marks the window's own queries (and a test's probes), which it leaves out of what it reports. */
export const OWN = '/* csms bench pg-statements window */';
/** The statements listed, by total execution time. */
const TOP = 12;
/** A statement's text in the report (the JSON keeps the whole text). */
export const QUERY_PREVIEW = 110;

export interface PgStatementRow {
  readonly calls: number;
  /** Executions per answered CALL. */
  readonly perCall: number;
  /** Execution time per answered CALL, µs (pg_stat_statements total_exec_time: planning not included). */
  readonly execMicrosPerCall: number;
  /** Mean execution time of one execution, µs. */
  readonly meanMicros: number;
  readonly rows: number;
  /** WAL bytes one execution wrote, mean (pg_stat_statements wal_bytes: full-page images included). */
  readonly walBytesEach: number;
  readonly query: string;
}

/**
 * What the window's statements did to one table, per answered CALL (pg_stat_user_tables). An update that is not
 * HOT (heap-only tuple) writes a new entry into every index of the table; a HOT one writes none.
 */
export interface PgTableWrites {
  readonly table: string;
  readonly insertsPerCall: number;
  readonly updatesPerCall: number;
  /** Of the updates, the share that were HOT (0-1); null without updates. */
  readonly hotShare: number | null;
  readonly deletesPerCall: number;
}

/** The server's WAL per answered CALL (pg_stat_wal: the whole server, which runs only this database). */
export interface PgWal {
  readonly recordsPerCall: number;
  readonly bytesPerCall: number;
  /** Full-page images per CALL: the first change of a page after a checkpoint writes the whole page. */
  readonly fullPageImagesPerCall: number;
  /** WAL flushes (fsync / fdatasync) per CALL. */
  readonly syncsPerCall: number;
}

export interface PgStatementsResult {
  readonly database: string;
  /** CALLs answered in the window. */
  readonly answered: number;
  /** Statement executions per answered CALL (BEGIN and COMMIT included). */
  readonly statementsPerCall: number;
  /** Transactions committed per answered CALL (a statement outside a transaction commits alone). */
  readonly commitsPerCall: number;
  /** Execution time of every statement per answered CALL, µs. */
  readonly execMicrosPerCall: number;
  /** The statements with the most execution time. */
  readonly top: readonly PgStatementRow[];
  /** The tables written in the window, most rows written first. */
  readonly tables: readonly PgTableWrites[];
  readonly wal: PgWal;
}

interface StatementStats {
  calls: string;
  total_exec_time: number;
  rows: string;
  wal_bytes: string;
  query: string;
}

interface TableCounters {
  ins: number;
  upd: number;
  hot: number;
  del: number;
}

interface WalCounters {
  records: number;
  bytes: number;
  fpi: number;
  syncs: number;
}

/** The cumulative counters the window subtracts: commits, per-table writes, WAL. */
interface Counters {
  commits: number;
  tables: Map<string, TableCounters>;
  wal: WalCounters;
}

/** A window over one database's statement statistics: {@link open} resets them, {@link close} reads them. */
export class PgStatementsWindow {
  readonly #url: string;
  #atOpen: Counters | undefined;

  constructor(url: string) {
    this.#url = url;
  }

  async open(): Promise<void> {
    await this.#with(async (client) => {
      await client.query('create extension if not exists pg_stat_statements');
      await client.query('select pg_stat_statements_reset()');
      this.#atOpen = await counters(client);
    });
  }

  async close(answered: number): Promise<PgStatementsResult> {
    return this.#with(async (client) => {
      const now = await counters(client);
      const before = this.#atOpen ?? { commits: 0, tables: new Map(), wal: ZERO_WAL };
      const committed = now.commits - before.commits;
      const { rows } = await client.query<StatementStats>(
        `select calls, total_exec_time, rows, wal_bytes, query from pg_stat_statements
          where dbid = (select oid from pg_database where datname = current_database())
            and query not like '%pg_stat_statements%' and query not like '%${OWN}%'
          order by total_exec_time desc ${OWN}`,
      );
      const per = (n: number): number => (answered > 0 ? n / answered : 0);
      const calls = rows.reduce((sum, r) => sum + Number(r.calls), 0);
      const execMs = rows.reduce((sum, r) => sum + r.total_exec_time, 0);
      return {
        database: client.database ?? '',
        answered,
        statementsPerCall: round(per(calls), 3),
        commitsPerCall: round(per(committed), 3),
        execMicrosPerCall: round(per(execMs * 1000), 1),
        top: rows.slice(0, TOP).map((r) => ({
          calls: Number(r.calls),
          perCall: round(per(Number(r.calls)), 3),
          execMicrosPerCall: round(per(r.total_exec_time * 1000), 1),
          meanMicros: round((r.total_exec_time * 1000) / Math.max(1, Number(r.calls)), 1),
          rows: Number(r.rows),
          walBytesEach: round(Number(r.wal_bytes) / Math.max(1, Number(r.calls)), 0),
          query: r.query.replace(/\s+/g, ' ').trim(),
        })),
        tables: tableWrites(before.tables, now.tables, per),
        wal: {
          recordsPerCall: round(per(now.wal.records - before.wal.records), 2),
          bytesPerCall: round(per(now.wal.bytes - before.wal.bytes), 0),
          fullPageImagesPerCall: round(per(now.wal.fpi - before.wal.fpi), 3),
          syncsPerCall: round(per(now.wal.syncs - before.wal.syncs), 3),
        },
      };
    });
  }

  async #with<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: this.#url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }
}

const ZERO_WAL: WalCounters = { records: 0, bytes: 0, fpi: 0, syncs: 0 };

/**
 * The cumulative counters, read in one statement. Busy backends flush their table and database counters at most
 * once a second (PostgreSQL 15's shared-memory statistics), so they may lag the window by about that.
 */
async function counters(client: pg.Client): Promise<Counters> {
  const { rows } = await client.query<{
    commits: string;
    tables: { t: string; ins: string; upd: string; hot: string; del: string }[] | null;
    wal: { wal_records: string; wal_fpi: string; wal_bytes: string; wal_sync: string };
  }>(
    `select (select xact_commit from pg_stat_database where datname = current_database()) as commits,
            (select json_agg(json_build_object('t', relname, 'ins', n_tup_ins, 'upd', n_tup_upd,
                                               'hot', n_tup_hot_upd, 'del', n_tup_del))
               from pg_stat_user_tables) as tables,
            (select row_to_json(w) from pg_stat_wal w) as wal ${OWN}`,
  );
  const row = rows[0];
  const tables = new Map<string, TableCounters>();
  for (const t of row?.tables ?? [])
    tables.set(t.t, { ins: Number(t.ins), upd: Number(t.upd), hot: Number(t.hot), del: Number(t.del) });
  return {
    commits: Number(row?.commits ?? 0),
    tables,
    wal: row
      ? {
          records: Number(row.wal.wal_records),
          bytes: Number(row.wal.wal_bytes),
          fpi: Number(row.wal.wal_fpi),
          syncs: Number(row.wal.wal_sync),
        }
      : ZERO_WAL,
  };
}

function tableWrites(
  before: ReadonlyMap<string, TableCounters>,
  now: ReadonlyMap<string, TableCounters>,
  per: (n: number) => number,
): PgTableWrites[] {
  const written: (PgTableWrites & { rows: number })[] = [];
  for (const [table, n] of now) {
    const b = before.get(table) ?? { ins: 0, upd: 0, hot: 0, del: 0 };
    const ins = n.ins - b.ins;
    const upd = n.upd - b.upd;
    const del = n.del - b.del;
    if (ins + upd + del === 0) continue;
    written.push({
      table,
      rows: ins + upd + del,
      insertsPerCall: round(per(ins), 3),
      updatesPerCall: round(per(upd), 3),
      hotShare: upd > 0 ? round((n.hot - b.hot) / upd, 3) : null,
      deletesPerCall: round(per(del), 3),
    });
  }
  return written.sort((a, b) => b.rows - a.rows).map(({ rows: _rows, ...t }) => t);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The report's table: "PostgreSQL statements per answered CALL (steady window)". */
export function formatPgStatements(result: PgStatementsResult): string[] {
  const rows = result.top.map((r) => [
    r.query.length > QUERY_PREVIEW ? `${r.query.slice(0, QUERY_PREVIEW - 1)}…` : r.query,
    String(r.calls),
    r.perCall.toFixed(3),
    r.execMicrosPerCall.toFixed(1),
    r.meanMicros.toFixed(1),
    String(r.rows),
    String(r.walBytesEach),
  ]);
  const wal = result.wal;
  return [
    `-- PostgreSQL statements per answered CALL (steady window, database ${result.database}, pg_stat_statements): ` +
      `${result.statementsPerCall} statements, ${result.commitsPerCall} commits and ` +
      `${result.execMicrosPerCall} µs of execution per CALL (${result.answered} CALLs answered); ` +
      `the ${result.top.length} with the most execution time:`,
    ...table(['statement', 'calls', 'per CALL', 'exec µs/CALL', 'µs each', 'rows', 'WAL B each'], rows),
    `-- rows written per answered CALL (pg_stat_user_tables; an update that is not HOT writes every index of its ` +
      `table) and WAL: ${wal.recordsPerCall} records, ${wal.bytesPerCall} bytes, ` +
      `${wal.fullPageImagesPerCall} full-page images and ${wal.syncsPerCall} flushes per CALL`,
    ...table(
      ['table', 'inserts', 'updates', 'HOT', 'deletes'],
      result.tables.map((t) => [
        t.table,
        t.insertsPerCall.toFixed(3),
        t.updatesPerCall.toFixed(3),
        t.hotShare === null ? '-' : `${Math.round(t.hotShare * 100)}%`,
        t.deletesPerCall.toFixed(3),
      ]),
    ),
  ];
}
