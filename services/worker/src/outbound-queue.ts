import { Mailbox, MailboxFullError } from '@csms/actor';
import type { CsmsMetrics } from '@csms/telemetry';

/**
 * The queue of one station's CSMS-initiated CALLs: one outstanding at a time (OCPP-J allows one CALL in
 * each direction), the rest waiting in order, bounded by `commandQueueLimit`. Live commands are refused
 * when it is full; queued-command delivery waits for room instead.
 */
export class OutboundQueue {
  readonly #mailbox: Mailbox;
  readonly #metrics: CsmsMetrics;

  constructor(limit: number, metrics: CsmsMetrics) {
    this.#mailbox = new Mailbox(limit);
    this.#metrics = metrics;
  }

  /** CALLs waiting or running. */
  get length(): number {
    return this.#mailbox.length;
  }

  /**
   * Runs `task` in its turn, counting the CALL as queued until then (metrics). Throws
   * `MailboxFullError` when the queue is full.
   */
  async post<T>(action: string, task: () => Promise<T>): Promise<T> {
    const queued = this.#metrics.csmsCallsQueued;
    let waiting = true;
    const stopWaiting = (): void => {
      if (!waiting) return;
      waiting = false;
      queued.add(-1, { action });
    };
    queued.add(1, { action });
    try {
      return await this.#mailbox.post(() => {
        stopWaiting();
        return task();
      });
    } finally {
      stopWaiting();
    }
  }

  /** Like {@link post}, but waits for room when the queue is full (queued commands never give up). */
  async postWhenRoom<T>(action: string, task: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await this.post(action, task);
      } catch (error) {
        if (!(error instanceof MailboxFullError)) throw error;
        await this.#mailbox.drain();
      }
    }
  }
}
