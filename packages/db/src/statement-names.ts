/**
 * Names of prepared statements: one per distinct SQL text of this process, used by the PostgreSQL pools
 * (prepared-statements.ts) and by PGlite (pglite/prepared-pglite.ts).
 */

/** Distinct SQL texts named per process; beyond it a text runs unnamed (a bound on server memory). */
export const MAX_PREPARED_STATEMENTS = 2_000;

/**
 * The names of this process's SQL texts. Shared by every connection of every pool (a name is local to a
 * connection, so the same text may carry the same name everywhere).
 */
export class StatementNames {
  readonly #names = new Map<string, string>();
  #next = 1;

  constructor(readonly limit = MAX_PREPARED_STATEMENTS) {}

  /** The name for `text`, or undefined once `limit` texts are named. */
  nameOf(text: string): string | undefined {
    const known = this.#names.get(text);
    if (known !== undefined || this.#names.size >= this.limit) return known;
    const name = `csms_${this.#next++}`;
    this.#names.set(text, name);
    return name;
  }

  /**
   * A new name for `text` after PostgreSQL refused its prepared form (the table's columns changed): the
   * old name stays prepared on its connections, unused.
   */
  rename(text: string): string {
    const name = `csms_${this.#next++}`;
    this.#names.set(text, name);
    return name;
  }

  get size(): number {
    return this.#names.size;
  }
}

/** SQLSTATE 0A000 with this text: the table changed under a prepared `select *` (a migration ran). */
const CACHED_PLAN_CHANGED = 'cached plan must not change result type';

/** PostgreSQL refused a prepared statement because its table's columns changed since it was prepared. */
export function isCachedPlanChange(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === '0A000' &&
    error.message.includes(CACHED_PLAN_CHANGED)
  );
}
