import type { CompiledQuery } from 'kysely';
import pg from 'pg';
import type { StatementNames } from '../prepared-statements.js';

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

// pg's row parser and value serialiser (exported by `pg`, not typed by @types/pg).
interface PgResult extends BatchResult {
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): Record<string, unknown>;
  addRow(row: Record<string, unknown>): void;
  addCommandComplete(message: unknown): void;
}
interface PgExtras {
  Result: new (rowMode: undefined, types: { getTypeParser: unknown }) => PgResult;
  utils: { prepareValue: (value: unknown) => unknown };
}
const { Result, utils } = pg as unknown as PgExtras;

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
  readonly #results: PgResult[];
  readonly #done: (outcome: BatchOutcome) => void;
  /** Names whose Parse was sent, in order: each ParseComplete confirms the first. */
  readonly #parsing: BatchStatement[] = [];
  #connection: PgConnection | undefined;
  #current = 0;
  #settled = false;

  constructor(
    statements: readonly BatchStatement[],
    types: { getTypeParser: unknown },
    done: (outcome: BatchOutcome) => void,
  ) {
    this.#statements = statements;
    this.#results = statements.map(() => new Result(undefined, types));
    this.#done = done;
  }

  /** Called by pg when the connection is free: writes the whole pipeline at once. */
  submit(connection: PgConnection): Error | undefined {
    this.#connection = connection;
    connection.on('parseComplete', this.#onParseComplete);
    connection.stream.cork?.();
    try {
      for (const statement of this.#statements) this.#send(connection, statement);
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return undefined;
  }

  #send(connection: PgConnection, statement: BatchStatement): void {
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
    connection.describe({ type: 'P', name: '' });
    connection.execute({ portal: '', rows: 0 });
  }

  // pg's client marks a named statement parsed only for its own queries: do it for this batch's.
  readonly #onParseComplete = (): void => {
    const statement = this.#parsing.shift();
    if (statement?.name === undefined || this.#connection === undefined) return;
    this.#connection.parsedStatements[statement.name] = statement.sql;
    delete this.#connection.submittedNamedStatements[statement.name];
  };

  handleRowDescription(message: { fields: unknown[] }): void {
    this.#results[this.#current]?.addFields(message.fields);
  }

  handleDataRow(message: { fields: unknown[] }): void {
    const result = this.#results[this.#current];
    result?.addRow(result.parseRow(message.fields));
  }

  handleCommandComplete(message: unknown): void {
    this.#results[this.#current]?.addCommandComplete(message);
    this.#current++;
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

/** Sends `queries` on `client` as one {@link PipelinedBatch} (behind the client's other queries); how it ended. */
export function runPipeline(
  client: pg.ClientBase,
  queries: readonly CompiledQuery[],
  names: StatementNames | undefined,
): Promise<BatchOutcome> {
  const statements = queries.map((q) => batchStatement(q, names));
  return new Promise((resolve) => {
    void client.query(new PipelinedBatch(statements, client, resolve) as never);
  });
}
