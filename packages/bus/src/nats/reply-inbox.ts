import { createInbox } from '@nats-io/nats-core';
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
 */
export class ReplyInbox {
  readonly #nc: NatsConnection;
  #prefix: string | undefined;
  readonly #pending = new Map<string, Pending>();
  #seq = 0;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
  }

  /** Requests waiting for a reply (for tests). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Registers a request and returns its reply subject; `settled` gets the reply or the failure (a timeout after
   * `timeoutMs`, at least 1 ms; no responders; the bus closing). Throws what subscribing throws (connection closed).
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
    if (pending === undefined) return;
    this.#settle(token, pending);
    pending.reject(error);
  }

  /** Fails every waiting request with {@link BusClosedError} (the bus closed; their replies cannot come). */
  close(): void {
    for (const [token, pending] of this.#pending) {
      this.#settle(token, pending);
      pending.reject(new BusClosedError());
    }
  }

  #open(): string {
    if (this.#prefix !== undefined) return this.#prefix;
    const prefix = createInbox();
    this.#nc.subscribe(`${prefix}.*`, {
      callback: (error, msg) => {
        // A subscription error (e.g. a permission on _INBOX) ends the subscription: nothing can be answered.
        if (error) this.close();
        else this.#reply(prefix, msg);
      },
    });
    this.#prefix = prefix;
    return prefix;
  }

  #reply(prefix: string, msg: Msg): void {
    const token = msg.subject.slice(prefix.length + 1);
    const pending = this.#pending.get(token);
    if (pending === undefined) return; // late: its request timed out
    this.#settle(token, pending);
    // The server's no-responders status: an empty message whose status line says 503.
    if (msg.data.length === 0 && msg.headers?.code === 503)
      pending.reject(new NoRespondersError(pending.subject));
    else pending.resolve(msg);
  }

  #settle(token: string, pending: Pending): void {
    clearTimeout(pending.timer);
    this.#pending.delete(token);
  }
}
