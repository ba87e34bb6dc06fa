import { createInbox, errors as natsErrors } from '@nats-io/nats-core';
import type { Msg, NatsConnection } from '@nats-io/nats-core';
import { BusClosedError, NoRespondersError, RequestTimeoutError } from '../errors.js';

/** A request waiting for its reply. */
interface Pending {
  readonly subject: string;
  readonly resolve: (reply: Msg) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The replies to one connection's requests: one wildcard subscription on an inbox of the connection's own
 * (`_INBOX.<nuid>.*`), each request's reply subject that inbox plus a token of its own, the waiting request
 * found by that token. It is what the client's `request()` does (its "mux" subscription), without the client's
 * per-request costs: nats.js 3.4 rejects every settled request's promise once more on its way out (`cancel()`),
 * building a `RequestError` with a stack trace for it each time, even with `noAsyncTraces`; in the edge's CPU
 * profile that constructor alone was 4% of the process's busy time (BENCHMARKS.md, twelfth session).
 *
 * Core NATS semantics are kept: a reply that comes after its request timed out is dropped; a request to a subject
 * nobody subscribes to gets the server's no-responders status (503, an empty message with a status header, sent
 * because the client announces `no_responders` and headers) and fails at once with {@link NoRespondersError}.
 * The SUB goes out before the first request's PUB on the same connection, so the server knows it in time.
 * Permission violations fail what they concern at once, as the client's request() does: a PUB the server refuses
 * (its `-ERR` names the subject) fails the oldest request to that subject; a refused inbox subscription fails every
 * waiting request, and the next request subscribes again.
 */
export class ReplyInbox {
  readonly #nc: NatsConnection;
  #prefix: string | undefined;
  readonly #pending = new Map<string, Pending>();
  #seq = 0;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
    // Requests still waiting when the connection closes (the bus's close(), or lost for good) cannot be answered.
    void nc.closed().then(() => this.#rejectAll(() => new BusClosedError()));
    // The status iterator ends when the connection closes; it does not throw, but a rejection must never go unhandled.
    this.#watchPublishPermissions().catch(() => {});
  }

  /** Requests waiting for a reply (for tests). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Registers a request and returns its reply subject; `settled` gets the reply or the failure (a timeout after
   * `timeoutMs`, at least 1 ms; no responders; the connection closing). Throws what subscribing throws (connection
   * closed).
   */
  register(subject: string, timeoutMs: number, settled: Omit<Pending, 'subject' | 'timer'>): string {
    const prefix = this.#open();
    const token = (++this.#seq).toString(36);
    const timer = setTimeout(
      () => {
        if (this.#pending.delete(token)) settled.reject(new RequestTimeoutError(subject, timeoutMs));
      },
      Math.max(1, timeoutMs),
    );
    this.#pending.set(token, { subject, timer, ...settled });
    return `${prefix}.${token}`;
  }

  /** Forgets a registered request whose PUB could not be sent; `error` is what its caller gets. */
  fail(replySubject: string, error: Error): void {
    const token = replySubject.slice(replySubject.lastIndexOf('.') + 1);
    const pending = this.#pending.get(token);
    if (pending !== undefined) this.#reject(token, pending, error);
  }

  #open(): string {
    if (this.#prefix !== undefined) return this.#prefix;
    const prefix = createInbox();
    this.#nc.subscribe(`${prefix}.*`, {
      callback: (error, msg) => {
        if (error) this.#subscriptionFailed(prefix, error);
        else this.#reply(prefix, msg);
      },
    });
    this.#prefix = prefix;
    return prefix;
  }

  /** The server ended the inbox subscription (a permission on `_INBOX`): nothing waiting can be answered. */
  #subscriptionFailed(prefix: string, error: Error): void {
    if (this.#prefix === prefix) this.#prefix = undefined;
    this.#rejectAll(() => new Error(`no replies can arrive: ${error.message}`, { cause: error }));
  }

  /** Fails the oldest request to a subject whose PUB the server refused (what the client's request() does). */
  async #watchPublishPermissions(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (status.type !== 'error') continue;
      const error = status.error;
      if (!(error instanceof natsErrors.PermissionViolationError) || error.operation !== 'publish') continue;
      for (const [token, pending] of this.#pending) {
        if (pending.subject !== error.subject) continue;
        this.#reject(token, pending, error);
        break;
      }
    }
  }

  #reply(prefix: string, msg: Msg): void {
    const token = msg.subject.slice(prefix.length + 1);
    const pending = this.#pending.get(token);
    if (pending === undefined) return; // late: its request timed out
    // The server's no-responders status: an empty message whose status line says 503.
    if (msg.data.length === 0 && msg.headers?.code === 503)
      this.#reject(token, pending, new NoRespondersError(pending.subject));
    else {
      this.#settle(token, pending);
      pending.resolve(msg);
    }
  }

  #rejectAll(error: () => Error): void {
    for (const [token, pending] of this.#pending) this.#reject(token, pending, error());
  }

  #reject(token: string, pending: Pending, error: Error): void {
    this.#settle(token, pending);
    pending.reject(error);
  }

  #settle(token: string, pending: Pending): void {
    clearTimeout(pending.timer);
    this.#pending.delete(token);
  }
}
