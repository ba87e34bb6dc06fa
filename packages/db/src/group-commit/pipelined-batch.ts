import type { CompiledQuery } from 'kysely';
import pg from 'pg';
import type { StatementNames } from '../prepared-statements.js';
import { isCachedPlanChange } from '../statement-names.js';
import { endPipelineSpan, startPipelineSpan } from './pipeline-span.js';

/**
 * Several statements sent to PostgreSQL as one pipeline: Parse (first use on the connection), Bind,
 * Describe and Execute for each, then a single Sync, all in one socket write. PostgreSQL runs the
 * statements before a Sync in one implicit transaction and commits it at the Sync, so the batch costs one
 * write, one round trip and one commit (one WAL flush) however many statements it carries; if any
 * statement fails, PostgreSQL skips the rest and rolls the whole batch back at the Sync (protocol docs,
 * "Pipelining" and "Extended Query").
 *
 * This is a `pg` "submittable" (the extension point pg-cursor and pg-query-stream use): `client.query(batch)`
 * queues it behind the connection's other queries and hands it the server's messages until ReadyForQuery.
 *
 * A named statement's result columns are fixed while it stays prepared on its connection (PostgreSQL refuses
 * to run it once its tables' columns change: "cached plan must not change result type", and the text is then
 * renamed, see statement-names.ts). So each connection keeps, per statement name, the columns and value
 * parsers of the first RowDescription it got (a {@link RowPlan}), and later executions skip the Describe:
 * no RowDescription to send, parse and turn into parsers again for every statement (pg's `addFields`, ~2% of
 * the embedded process's CPU in the benchmark's profile).
 */

/** One statement of a batch: SQL with `$n` placeholders, its values, and its prepared-statement name. */
export interface BatchStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  /** Named prepared statement (parsed once per connection), or undefined for the unnamed statement. */
  readonly name: string | undefined;
}

/** A statement's outcome: pg's result shape (rows as objects, the command tag's row count). */
export interface BatchResult {
  readonly command: string | null;
  readonly rowCount: number | null;
  readonly rows: Record<string, unknown>[];
}

/** How a batch ended: every statement's result after the commit, or the error that rolled it back. */
export type BatchOutcome =
  | { readonly ok: true; readonly results: BatchResult[] }
  /** `failedAt`: the statement the server refused (the ones before it ran, then were rolled back). */
  | { readonly ok: false; readonly error: unknown; readonly failedAt: number };

// pg's result (its command tag parser) and value serialiser (exported by `pg`, not typed by @types/pg).
interface PgResult extends BatchResult {
  addRow(row: Record<string, unknown>): void;
  addCommandComplete(message: unknown): void;
}
interface PgExtras {
  Result: new (rowMode: undefined, types: TypeParsers) => PgResult;
  utils: { prepareValue: (value: unknown) => unknown };
}
const { Result, utils } = pg as unknown as PgExtras;

/** The client's type parsers (`pg.Client#getTypeParser`: the client's overrides, then pg-types). */
export interface TypeParsers {
  getTypeParser(oid: number, format: 'text'): (value: string) => unknown;
}

/** A statement's result columns: their names and text parsers, in order. */
interface RowPlan {
  readonly names: readonly string[];
  readonly parsers: readonly ((value: string) => unknown)[];
}

/** A statement without result rows (NoData): nothing to describe. */
const NO_ROWS: RowPlan = { names: [], parsers: [] };

/** Per connection (pg's Connection object), the row plans of its prepared statements by name. */
const rowPlans = new WeakMap<object, Map<string, RowPlan>>();

function rowPlansOf(connection: object): Map<string, RowPlan> {
  let plans = rowPlans.get(connection);
  if (plans === undefined) rowPlans.set(connection, (plans = new Map<string, RowPlan>()));
  return plans;
}

// The parts of pg's Connection a submittable drives (pg/lib/connection.js).
interface PgConnection {
  readonly stream: { cork?: () => void; uncork?: () => void };
  readonly parsedStatements: Record<string, string>;
  readonly submittedNamedStatements: Record<string, string>;
  parse(config: { text: string; name: string; types: unknown[] }): void;
  bind(config: {
    portal: string;
    statement: string;
    values: unknown[];
    valueMapper: (value: unknown) => unknown;
  }): void;
  describe(config: { type: 'P'; name: string }): void;
  execute(config: { portal: string; rows: number }): void;
  sync(): void;
  on(event: 'parseComplete', listener: () => void): void;
  off(event: 'parseComplete', listener: () => void): void;
}

export class PipelinedBatch {
  readonly #statements: readonly BatchStatement[];
  readonly #types: TypeParsers;
  readonly #results: PgResult[];
  /** Each statement's row plan: known (its Describe skipped), or undefined until its RowDescription. */
  readonly #plans: (RowPlan | undefined)[];
  readonly #done: (outcome: BatchOutcome) => void;
  /** Names whose Parse was sent, in order: each ParseComplete confirms the first. */
  readonly #parsing: BatchStatement[] = [];
  #connection: PgConnection | undefined;
  /** The connection's row plans (set by submit). */
  #rowPlans: Map<string, RowPlan> | undefined;
  #current = 0;
  #settled = false;

  constructor(
    statements: readonly BatchStatement[],
    types: TypeParsers,
    done: (outcome: BatchOutcome) => void,
  ) {
    this.#statements = statements;
    this.#types = types;
    this.#results = statements.map(() => new Result(undefined, types));
    this.#plans = statements.map(() => undefined);
    this.#done = done;
  }

  /** Called by pg when the connection is free: writes the whole pipeline at once. */
  submit(connection: PgConnection): Error | undefined {
    this.#connection = connection;
    connection.on('parseComplete', this.#onParseComplete);
    const plans = rowPlansOf(connection);
    this.#rowPlans = plans;
    connection.stream.cork?.();
    try {
      this.#statements.forEach((statement, i) => this.#send(connection, plans, statement, i));
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return undefined;
  }

  #send(connection: PgConnection, plans: Map<string, RowPlan>, statement: BatchStatement, i: number): void {
    const name = statement.name ?? '';
    const known =
      name === ''
        ? undefined
        : (connection.parsedStatements[name] ?? connection.submittedNamedStatements[name]);
    if (known === undefined) {
      connection.parse({ text: statement.sql, name, types: [] });
      if (name !== '') {
        connection.submittedNamedStatements[name] = statement.sql;
        this.#parsing.push(statement);
      }
    }
    connection.bind({
      portal: '',
      statement: name,
      values: [...statement.parameters],
      valueMapper: utils.prepareValue,
    });
    const plan = known === undefined ? undefined : plans.get(name);
    if (plan === undefined) connection.describe({ type: 'P', name: '' });
    else this.#plans[i] = plan;
    connection.execute({ portal: '', rows: 0 });
  }

  // pg's client marks a named statement parsed only for its own queries: do it for this batch's.
  readonly #onParseComplete = (): void => {
    const statement = this.#parsing.shift();
    if (statement?.name === undefined || this.#connection === undefined) return;
    this.#connection.parsedStatements[statement.name] = statement.sql;
    delete this.#connection.submittedNamedStatements[statement.name];
  };

  handleRowDescription(message: { fields: readonly { name: string; dataTypeID: number }[] }): void {
    const plan: RowPlan = {
      names: message.fields.map((f) => f.name),
      // Results come as text (Bind asks for no binary column).
      parsers: message.fields.map((f) => this.#types.getTypeParser(f.dataTypeID, 'text')),
    };
    this.#plans[this.#current] = plan;
    this.#remember(plan);
  }

  handleDataRow(message: { fields: readonly (string | null)[] }): void {
    const plan = this.#plans[this.#current];
    if (plan === undefined) return;
    const row: Record<string, unknown> = {};
    const { names, parsers } = plan;
    for (let i = 0; i < names.length; i++) {
      const raw = message.fields[i];
      row[names[i] as string] =
        raw === null || raw === undefined ? null : (parsers[i] as (v: string) => unknown)(raw);
    }
    this.#results[this.#current]?.addRow(row);
  }

  handleCommandComplete(message: unknown): void {
    // A described statement without a RowDescription returns no rows (its Describe answered NoData).
    if (this.#plans[this.#current] === undefined) this.#remember(NO_ROWS);
    this.#results[this.#current]?.addCommandComplete(message);
    this.#current++;
  }

  /** Keeps the current statement's row plan for its name on this connection. */
  #remember(plan: RowPlan): void {
    const name = this.#statements[this.#current]?.name;
    if (name !== undefined) this.#rowPlans?.set(name, plan);
  }

  handleEmptyQuery(): void {
    this.#current++;
  }

  handlePortalSuspended(): void {
    // Never asked for (rows: 0 reads every row at once).
  }

  handleCopyInResponse(): void {
    // A COPY has no place in a batch; the server's error ends it.
  }

  handleCopyData(): void {
    // As above.
  }

  /** The server refused a statement (the rest are skipped and rolled back) or the connection failed. */
  handleError(error: unknown): void {
    this.#finish({ ok: false, error, failedAt: this.#current });
  }

  /** After the Sync: the implicit transaction committed. */
  handleReadyForQuery(): void {
    this.#finish({ ok: true, results: this.#results });
  }

  #finish(outcome: BatchOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    const connection = this.#connection;
    if (connection !== undefined) {
      connection.off('parseComplete', this.#onParseComplete);
      // Parses the server skipped after an error were never prepared: forget them.
      for (const s of this.#parsing)
        if (s.name !== undefined) delete connection.submittedNamedStatements[s.name];
      this.#parsing.length = 0;
    }
    this.#done(outcome);
  }
}

/** A compiled query as a statement of a batch; like prepared-statements.ts, only texts with parameters are named. */
export function batchStatement(query: CompiledQuery, names: StatementNames | undefined): BatchStatement {
  return {
    sql: query.sql,
    parameters: query.parameters,
    name: query.parameters.length > 0 ? names?.nameOf(query.sql) : undefined,
  };
}

/**
 * Sends `queries` on `client` as one {@link PipelinedBatch} (behind the client's other queries); how it ended.
 * `traced`: under a recorded span, the pipeline gets a `pg.pipeline` span (pipeline-span.ts): a transaction's
 * pipelines are; a group-commit batch is not (it carries many callers' statements, not its first caller's).
 */
export function runPipeline(
  client: pg.ClientBase,
  queries: readonly CompiledQuery[],
  names: StatementNames | undefined,
  traced = true,
): Promise<BatchOutcome> {
  const statements = queries.map((q) => batchStatement(q, names));
  const span = traced
    ? startPipelineSpan(
        (client as { database?: string }).database,
        statements.map((s) => s.sql),
      )
    : undefined;
  return new Promise<BatchOutcome>((resolve) => {
    void client.query(new PipelinedBatch(statements, client as unknown as TypeParsers, resolve) as never);
  }).then((outcome) => {
    // The refused statement's table changed under its prepared form: its next use prepares it anew.
    const refused = outcome.ok ? undefined : statements[outcome.failedAt];
    if (refused?.name !== undefined && !outcome.ok && isCachedPlanChange(outcome.error))
      names?.rename(refused.sql);
    if (span !== undefined) endPipelineSpan(span, outcome.ok ? undefined : outcome.error);
    return outcome;
  });
}
