import { pruneHistory, type Database, type Kysely } from '@csms/db';
import type { Logger } from '@csms/telemetry';

const DAY_MS = 86_400_000;

export interface HistoryRetentionOptions {
  /** Days the domains' history (notifications, events, report bookkeeping) is kept; 0: forever. */
  readonly historyDays: number;
  /** Days the security event log is kept; 0: forever. */
  readonly securityEventDays: number;
  /** Between sweeps, ms. */
  readonly intervalMs: number;
  /** Rows per delete statement. */
  readonly batch?: number;
  readonly now?: () => Date;
}

/**
 * The retention sweep of the api role: every `intervalMs` it deletes, in short batches, the history rows older than
 * their retention (see `pruneHistory` in @csms/db). Several api replicas may sweep at once: the deletes are idempotent
 * and each batch is one short statement. Failures are logged and tried again at the next sweep.
 */
export class HistoryRetention {
  readonly #db: Kysely<Database>;
  readonly #logger: Logger;
  readonly #options: HistoryRetentionOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(db: Kysely<Database>, logger: Logger, options: HistoryRetentionOptions) {
    this.#db = db;
    this.#logger = logger;
    this.#options = options;
  }

  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    if (this.#options.historyDays === 0 && this.#options.securityEventDays === 0) return;
    this.#timer = setInterval(() => void this.runOnce(), this.#options.intervalMs);
    this.#timer.unref();
    void this.runOnce();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One sweep (never two at once). */
  runOnce(): Promise<void> {
    this.#running ??= this.#sweep()
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'history retention sweep failed'))
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #sweep(): Promise<void> {
    const now = (this.#options.now ?? (() => new Date()))().getTime();
    const { historyDays, securityEventDays } = this.#options;
    const deleted = await pruneHistory(
      this.#db,
      {
        ...(historyDays > 0 ? { history: new Date(now - historyDays * DAY_MS) } : {}),
        ...(securityEventDays > 0 ? { securityEvents: new Date(now - securityEventDays * DAY_MS) } : {}),
      },
      this.#options.batch ?? 5_000,
      () => this.#stopped,
    );
    if (Object.keys(deleted).length > 0) this.#logger.info({ deleted }, 'history past its retention deleted');
  }
}
