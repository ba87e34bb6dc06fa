import pg from 'pg';
import { table } from './text-table.js';

/**
 * `--pg-statements`: what PostgreSQL executed for a configuration over the steady phase's CPU window, per answered
 * CALL, from pg_stat_statements (loaded into the run's private server at its start) and pg_stat_database: which
 * statements, how often, their execution time, and the commits. It says where PostgreSQL's CPU per CALL goes (the
 * CPU table measures it, this names it). The window is reset when it opens; nothing else uses the server meanwhile
 * (one configuration runs at a time).
 */

/** Marks the window's own queries, which it leaves out of what it reports. */
const OWN = '/* csms bench pg-statements window */';
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
  readonly query: string;
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
}

interface StatementStats {
  calls: string;
  total_exec_time: number;
  rows: string;
  query: string;
}

/** A window over one database's statement statistics: {@link open} resets them, {@link close} reads them. */
export class PgStatementsWindow {
  readonly #url: string;
  #commitsAtOpen = 0;

  constructor(url: string) {
    this.#url = url;
  }

  async open(): Promise<void> {
    await this.#with(async (client) => {
      await client.query('create extension if not exists pg_stat_statements');
      await client.query('select pg_stat_statements_reset()');
      this.#commitsAtOpen = await commits(client);
    });
  }

  async close(answered: number): Promise<PgStatementsResult> {
    return this.#with(async (client) => {
      const committed = (await commits(client)) - this.#commitsAtOpen;
      const { rows } = await client.query<StatementStats>(
        `select calls, total_exec_time, rows, query from pg_stat_statements
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
          query: r.query.replace(/\s+/g, ' ').trim(),
        })),
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

async function commits(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ xact_commit: string }>(
    `select xact_commit from pg_stat_database where datname = current_database() ${OWN}`,
  );
  return Number(rows[0]?.xact_commit ?? 0);
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
  ]);
  return [
    `-- PostgreSQL statements per answered CALL (steady window, database ${result.database}, pg_stat_statements): ` +
      `${result.statementsPerCall} statements, ${result.commitsPerCall} commits and ` +
      `${result.execMicrosPerCall} µs of execution per CALL (${result.answered} CALLs answered); ` +
      `the ${result.top.length} with the most execution time:`,
    ...table(['statement', 'calls', 'per CALL', 'exec µs/CALL', 'µs each', 'rows'], rows),
  ];
}
