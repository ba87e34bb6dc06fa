import { parse, protocol, type PGlite, type Results } from '@electric-sql/pglite';
import { isCachedPlanChange, StatementNames } from '../statement-names.js';

/**
 * A PGlite whose statements with parameters run as named prepared statements, as on PostgreSQL
 * (prepared-statements.ts). PGlite's own `query` sends Parse, Describe, Bind, Describe, Execute and Sync as six
 * calls into PostgreSQL, so it parses and plans the same text again for every statement of every CALL; here a
 * text is parsed once, and each execution is one call (Bind, Describe, Execute, Sync) that may reuse its plan
 * (BENCHMARKS.md, "PGlite: prepared statements"). Statements without parameters
 * (migrations' DDL, which may hold several statements; `begin`, `commit`) go through PGlite's `query` as before.
 *
 * It offers what kysely-pglite-dialect uses of a PGlite: `query(sql, params)` and `close()`.
 */
export class PreparedPglite {
  readonly #pglite: PGlite;
  readonly #names = new StatementNames();
  /** Texts prepared on this PGlite, with their parameters' type OIDs (from Describe). */
  readonly #prepared = new Map<string, { readonly name: string; readonly parameterTypes: number[] }>();

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  close(): Promise<void> {
    return this.#pglite.closed ? Promise.resolve() : this.#pglite.close();
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Results<Record<string, unknown>>> {
    if (params.length === 0) return this.#pglite.query(sql);
    const statement = this.#prepared.get(sql) ?? (await this.#prepare(sql));
    if (statement === undefined) return this.#pglite.query(sql, [...params]);
    const values = params.map((value, i) => this.#serialized(value, statement.parameterTypes[i]));
    const messages = await this.#run([
      serialize.bind({ statement: statement.name, values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ]).catch((error: unknown) => {
      if (isCachedPlanChange(error)) {
        // Prepared again under a new name at its next execution (the old one stays, unused).
        this.#prepared.delete(sql);
        this.#names.rename(sql);
      }
      throw error;
    });
    const [results] = parse.parseResults(messages, this.#pglite.parsers);
    return results ?? { rows: [], fields: [] };
  }

  /** Parses `sql` once under its name; undefined once the name limit is reached (it then runs unnamed). */
  async #prepare(sql: string) {
    const name = this.#names.nameOf(sql);
    if (name === undefined) return undefined;
    const messages = await this.#run([
      serialize.parse({ name, text: sql }),
      serialize.describe({ type: 'S', name }),
      serialize.sync(),
    ]);
    const statement = { name, parameterTypes: parse.parseDescribeStatementResults(messages) };
    this.#prepared.set(sql, statement);
    return statement;
  }

  /**
   * One call into PostgreSQL with every message up to its Sync (a refused message makes PostgreSQL skip to the
   * Sync, so the connection is ready for the next statement either way); the first error is thrown.
   */
  async #run(parts: readonly Uint8Array[]) {
    const { messages } = await this.#pglite.execProtocol(concat(parts), { throwOnError: false });
    const error = messages.find((m) => m instanceof protocol.messages.DatabaseError);
    if (error !== undefined) throw error;
    return messages;
  }

  /** A parameter as PGlite's `query` sends it: by its type's serializer, else as its text. */
  #serialized(value: unknown, type: number | undefined): string | null {
    if (value === null || value === undefined) return null;
    const serializer = type === undefined ? undefined : this.#pglite.serializers[type];
    // As PGlite: otherwise its text (the CSMS passes strings, numbers, booleans here; Dates, bytes and arrays have
    // serializers).
    return serializer ? serializer(value) : (value as { toString(): string }).toString();
  }
}

const { serialize } = protocol;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
