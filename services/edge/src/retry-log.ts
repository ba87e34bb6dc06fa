import type { Logger } from './logger.js';

/** How often at most the edge writes each kind of per-CALL failure line, by default. */
export const DEFAULT_RETRY_LOG_INTERVAL_MS = 10_000;

type Kind = 'retry' | 'failure';

interface Window {
  /** Lines not written in this interval (the first one was). */
  suppressed: number;
  /** Events in this interval by failure (`timeout`, `no-responders`, `remote-error`, ...). */
  readonly byFailure: Record<string, number>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Rate-limited logging of the edge's station-CALL retries and failures, shared by the connections of one
 * edge. Under overload every CALL may be retried or fail, and one line each (tens of thousands per
 * minute at 10,000 stations) costs CPU where there is none to spare and buries everything else. So per
 * kind, the first event of an interval is logged as before, with its station's fields; the others are
 * only counted, and when the interval ends one summary line (on the edge's logger) gives the counts by
 * failure. Metrics (`csms_station_call_retries_total`, response times) still count every event.
 */
export class RetryLog {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #windows = new Map<Kind, Window>();

  constructor(log: Logger, intervalMs: number = DEFAULT_RETRY_LOG_INTERVAL_MS) {
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  /** A CALL is sent to the actor again after a failed attempt (`log`: the connection's logger). */
  retrying(log: Logger, fields: { messageId: string; action: string; failure: string }): void {
    if (this.#count('retry', fields.failure)) log.warn(fields, 'retrying CALL');
  }

  /** A CALL could not be processed and is answered InternalError (`log`: the connection's logger). */
  notProcessed(log: Logger, fields: { messageId: string; action: string; failure: string } & object): void {
    if (this.#count('failure', fields.failure)) log.error(fields, 'CALL not processed');
  }

  /** Writes the pending summaries now and stops the timers (the edge stops). */
  flush(): void {
    for (const kind of [...this.#windows.keys()]) this.#summarise(kind);
  }

  /** Counts an event; true when it is the first of its interval (to be logged in full). */
  #count(kind: Kind, failure: string): boolean {
    const window = this.#windows.get(kind);
    if (window === undefined) {
      const fresh: Window = { suppressed: 0, byFailure: { [failure]: 1 }, timer: undefined };
      fresh.timer = setTimeout(() => this.#summarise(kind), this.#intervalMs);
      fresh.timer.unref();
      this.#windows.set(kind, fresh);
      return true;
    }
    window.suppressed++;
    window.byFailure[failure] = (window.byFailure[failure] ?? 0) + 1;
    return false;
  }

  #summarise(kind: Kind): void {
    const window = this.#windows.get(kind);
    if (window === undefined) return;
    clearTimeout(window.timer);
    this.#windows.delete(kind);
    if (window.suppressed === 0) return;
    const fields = {
      intervalMs: this.#intervalMs,
      total: window.suppressed + 1,
      suppressed: window.suppressed,
      byFailure: window.byFailure,
    };
    if (kind === 'retry') this.#log.warn(fields, 'station CALLs retried (summary of the interval)');
    else this.#log.error(fields, 'station CALLs not processed (summary of the interval)');
  }
}
