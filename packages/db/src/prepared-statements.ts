import pg from 'pg';
import { isCachedPlanChange, type StatementNames } from './statement-names.js';

export { MAX_PREPARED_STATEMENTS, StatementNames } from './statement-names.js';

/**
 * Named prepared statements for every parameterised query Kysely sends through `pg`.
 *
 * `pg` runs a query with parameters as an unnamed statement: Parse, Bind, Describe, Execute, Sync on
 * every call, so PostgreSQL parses and plans the same SQL text again for each of the few statements of
 * every station CALL. Giving each distinct SQL text a name makes `pg` send Parse once per connection
 * (it remembers what it prepared) and lets PostgreSQL reuse the parse tree and, after five executions, a
 * generic plan. Kysely compiles a query shape to the same text with `$n` placeholders every time, so the
 * number of distinct texts is small and fixed by the code (see BENCHMARKS.md for what it saves).
 *
 * Queries without parameters keep `pg`'s simple protocol (one message; migrations send several
 * statements in one text, which the extended protocol refuses).
 */

interface NamedQuery {
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
}

/**
 * A `pg.Client` class whose parameterised text queries run as named prepared statements. When PostgreSQL
 * refuses a prepared statement because its table changed (a migration by a newer release while this
 * process runs), the error is passed on (inside a transaction nothing else could be done: the
 * transaction is aborted) and the text gets a new name, so its next execution prepares it again.
 */
export function preparingClient(names: StatementNames): typeof pg.Client {
  class PreparingClient extends pg.Client {
    // pg's `query` has many overloads; only the promise form (text, values) that Kysely uses is named.
    override query(...args: unknown[]): never {
      // `(super.query)(...)` keeps `this` (a parenthesised member call); the cast only picks an overload.
      const superQuery = (...a: unknown[]): never => (super.query as (...b: unknown[]) => never)(...a);
      const [text, values] = args;
      if (args.length !== 2 || typeof text !== 'string' || !Array.isArray(values) || values.length === 0)
        return superQuery(...args);
      const name = names.nameOf(text);
      if (name === undefined) return superQuery(...args);
      const named: NamedQuery = { name, text, values };
      const result = superQuery(named) as Promise<unknown>;
      return result.catch((error: unknown) => {
        if (isCachedPlanChange(error)) names.rename(text);
        throw error;
      }) as never;
    }
  }
  return PreparingClient;
}
