import { ClosedConnectionError, DrainingConnectionError, headers as natsHeaders } from '@nats-io/nats-core';
import type { Msg, MsgHdrs, NatsConnection, Subscription as NatsSubscription } from '@nats-io/nats-core';
import type {
  Bus,
  BusHandler,
  BusMessage,
  Headers,
  PublishOptions,
  RequestOptions,
  SubscribeOptions,
  Subscription,
} from '../bus.js';
import { BusClosedError, RemoteHandlerError } from '../errors.js';
import { ReplyInbox } from './reply-inbox.js';

/**
 * Reply header marking a failed request: the responder's handler threw. Its value is the error message
 * on one line (header values cannot hold CR/LF) for people watching the wire; the reply body carries
 * the full message as a JSON string, which is what the requester reports.
 */
export const ERROR_HEADER = 'Csms-Error';

/**
 * Header marking a payload that is JavaScript `undefined`. JSON has no `undefined`, so such a payload
 * travels as JSON `null` with this header, and the receiver turns it back into `undefined`: a handler
 * that returns nothing yields `undefined` to the requester and one that returns `null` yields `null`,
 * exactly as with `MemoryBus`.
 */
export const UNDEFINED_HEADER = 'Csms-Undefined';

/** Longest error message put into {@link ERROR_HEADER} (the body has it in full). */
const MAX_ERROR_HEADER_LENGTH = 1_024;

const encoder = new TextEncoder();
const NULL_BODY = encoder.encode('null');

/** Options of {@link NatsBus}. */
export interface NatsBusOptions {
  /** Receives errors thrown by handlers of plain publications (see {@link NatsBus.onHandlerError}). */
  readonly onHandlerError?: (error: unknown, subject: string) => void;
  /**
   * How long {@link NatsBus.close} may take gracefully (running handlers finishing so their replies
   * still go out, pending messages flushed) before it closes the connection anyway. Default 10 s.
   */
  readonly closeTimeoutMs?: number;
}

interface Encoded {
  readonly body: Uint8Array;
  readonly headers: MsgHdrs | undefined;
}

/**
 * {@link Bus} over a NATS connection (core NATS: at-most-once, like the in-memory bus). Behaves like
 * `MemoryBus` from the caller's view: JSON payloads, string headers, wildcard subjects, queue groups,
 * request/reply with immediate no-responders.
 *
 * Handlers of one subscription run concurrently: messages are not serialised per subscription,
 * because the worker's actors serialise per station themselves and one slow station must not hold up
 * the others. A handler that throws never takes the process down: for a request its message goes back
 * to the requester as a {@link RemoteHandlerError}, otherwise it goes to {@link onHandlerError}.
 *
 * The bus owns the connection: {@link close} drains and closes it.
 */
export class NatsBus implements Bus {
  readonly #nc: NatsConnection;
  readonly #closeTimeoutMs: number;
  readonly #subscriptions = new Set<NatsSubscription>();
  readonly #inFlight = new Set<Promise<void>>();
  /**
   * What this process sends (publications, requests, replies), queued until the end of the event loop's current
   * I/O phase and then handed to the client in one synchronous run, which the client writes to its socket in
   * one write. The client flushes at the end of each microtask checkpoint, and Node runs one after every
   * socket's callback: without the queue, every station message read in a phase costs its own write to NATS
   * (and a wake-up of nats-server). Order is kept (one queue per connection, as NATS keeps it).
   */
  #outbox: (() => void)[] = [];
  #outboxScheduled = false;
  /** Where the replies to this process's requests arrive (see {@link ReplyInbox}: not the client's request()). */
  readonly #inbox: ReplyInbox;
  #closing: Promise<void> | undefined;

  /**
   * Called with errors thrown by handlers of plain publications (nobody else would see them), with
   * undecodable messages and with subscription errors reported by the server (e.g. permissions).
   */
  onHandlerError: (error: unknown, subject: string) => void;

  /**
   * @param nc a connection, normally from `connectNats` (which checks the server's features); the bus
   *   takes ownership of it.
   */
  constructor(nc: NatsConnection, options: NatsBusOptions = {}) {
    this.#nc = nc;
    this.#inbox = new ReplyInbox(nc);
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.onHandlerError = options.onHandlerError ?? (() => {});
  }

  /** The underlying connection, for status events and JetStream/KV clients sharing it. */
  get connection(): NatsConnection {
    return this.#nc;
  }

  /** Requests waiting for their reply (for tests). */
  get pendingRequestCount(): number {
    return this.#inbox.pendingCount;
  }

  /** Number of live subscriptions (for tests and metrics). */
  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  publish(subject: string, data: unknown, options?: PublishOptions): Promise<void> {
    let encoded: Encoded;
    try {
      this.#assertOpen();
      encoded = encode(data, options?.headers);
    } catch (error) {
      return Promise.reject(this.#mapError(error));
    }
    const { body, headers } = encoded;
    return new Promise((resolve, reject) =>
      this.#send(() => {
        try {
          this.#nc.publish(subject, body, headers ? { headers } : undefined);
          resolve();
        } catch (error) {
          reject(this.#mapError(error));
        }
      }),
    );
  }

  async request<R>(subject: string, data: unknown, options: RequestOptions): Promise<R> {
    let reply: Msg;
    try {
      this.#assertOpen();
      const { body, headers } = encode(data, options.headers);
      reply = await new Promise<Msg>((resolve, reject) => {
        const replySubject = this.#inbox.register(subject, options.timeoutMs, { resolve, reject });
        this.#send(() => {
          try {
            this.#nc.publish(subject, body, { reply: replySubject, ...(headers ? { headers } : {}) });
          } catch (error) {
            this.#inbox.fail(replySubject, this.#mapError(error));
          }
        });
      });
    } catch (error) {
      throw this.#mapError(error);
    }
    if (reply.headers?.has(ERROR_HEADER)) {
      throw new RemoteHandlerError(subject, remoteErrorMessage(reply));
    }
    return decode(reply) as R;
  }

  subscribe<T = unknown, R = unknown>(
    subject: string,
    handler: BusHandler<T, R>,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    let sub: NatsSubscription;
    try {
      this.#assertOpen();
      sub = this.#nc.subscribe(subject, {
        ...(options?.queue !== undefined ? { queue: options.queue } : {}),
        // A callback, not an async iterator: the client calls it synchronously per message and we start
        // the handler without awaiting it, so messages are handled concurrently.
        callback: (error, msg) => {
          if (error) this.#reportError(error, subject);
          else this.#dispatch(msg, handler as BusHandler<unknown, unknown>);
        },
      });
    } catch (error) {
      return Promise.reject(this.#mapError(error));
    }
    this.#subscriptions.add(sub);
    void sub.closed.then(() => this.#subscriptions.delete(sub));
    const subscription: Subscription = {
      subject,
      unsubscribe: async () => {
        if (sub.isClosed() || this.#nc.isClosed()) return;
        // drain = UNSUB + flush: once the server has acknowledged it, a request from any connection
        // sees no responders; messages that already reached this client are still handled (as the
        // in-memory bus does with deliveries it has already scheduled).
        await sub.drain().catch((error: unknown) => {
          if (!isClosedError(error) && !sub.isClosed()) throw error;
        });
        this.#subscriptions.delete(sub);
      },
    };
    // Flush so that the server knows the subscription when this resolves: a request sent right after,
    // from any connection, must find it.
    return this.#nc.flush().then(
      () => subscription,
      (error: unknown) => Promise.reject(this.#mapError(error)),
    );
  }

  /**
   * Stops receiving (drains every subscription), waits for running handlers to finish so their replies
   * go out, then drains and closes the connection; after `closeTimeoutMs` it closes the connection
   * without waiting any longer. Idempotent. Afterwards every operation rejects with
   * {@link BusClosedError}.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#nc.isClosed()) return;
    const graceful = this.#drain();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.#closeTimeoutMs);
    });
    try {
      if ((await Promise.race([graceful, deadline])) === 'late') {
        // A hung handler, or NATS unreachable (a flush would wait for the reconnect): give up on the
        // graceful path, so that a shutting-down process is not held hostage.
        graceful.catch(() => {});
        this.#flushOutbox();
        await this.#nc.close().catch(() => {});
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** The graceful close: stop receiving, let running handlers reply, flush what is left and close. */
  async #drain(): Promise<'done'> {
    await Promise.allSettled([...this.#subscriptions].map((sub) => sub.drain()));
    await Promise.allSettled([...this.#inFlight]);
    // The running handlers' replies and what else is queued go out before the connection drains.
    this.#flushOutbox();
    if (this.#nc.isClosed()) return 'done';
    await this.#nc.drain().catch(async (error: unknown) => {
      // Already draining (someone else drains the connection): wait for it to close instead.
      if (error instanceof DrainingConnectionError) await this.#nc.closed();
      else if (!isClosedError(error)) throw error;
    });
    return 'done';
  }

  /** Queues `op` (a call into the client that sends) for the end of the current I/O phase; see {@link #outbox}. */
  #send(op: () => void): void {
    this.#outbox.push(op);
    if (this.#outboxScheduled) return;
    this.#outboxScheduled = true;
    setImmediate(() => this.#flushOutbox());
  }

  /** Hands every queued operation to the client, in order; each settles its own caller. */
  #flushOutbox(): void {
    this.#outboxScheduled = false;
    const ops = this.#outbox;
    if (ops.length === 0) return;
    this.#outbox = [];
    for (const op of ops) op();
  }

  #assertOpen(): void {
    if (this.#closing !== undefined || this.#nc.isClosed()) throw new BusClosedError();
  }

  /** Runs a handler for one message, detached from the client's dispatch loop, and tracks it for close(). */
  #dispatch(msg: Msg, handler: BusHandler<unknown, unknown>): void {
    const expectsReply = msg.reply !== undefined && msg.reply !== '';
    const run = async (): Promise<void> => {
      let message: BusMessage;
      try {
        message = { subject: msg.subject, data: decode(msg), headers: toHeaders(msg.headers), expectsReply };
      } catch (error) {
        // A foreign publisher sent something that is not JSON: tell the requester, or report it.
        const reason = new Error(`undecodable payload: ${errorMessage(error)}`, { cause: error });
        if (expectsReply) this.#respondError(msg, reason);
        else this.#reportError(reason, msg.subject);
        return;
      }
      let result: unknown;
      try {
        result = await handler(message);
      } catch (error) {
        if (expectsReply) this.#respondError(msg, error);
        else this.#reportError(error, msg.subject);
        return;
      }
      if (!expectsReply) return;
      let reply: Encoded;
      try {
        reply = encode(result, undefined);
      } catch (error) {
        // The handler's result cannot be serialised (cycle, BigInt): that is the handler's failure.
        this.#respondError(msg, error);
        return;
      }
      this.#respond(msg, reply);
    };
    const task = run().catch((error: unknown) => this.#reportError(error, msg.subject));
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
  }

  #respondError(msg: Msg, error: unknown): void {
    const message = errorMessage(error);
    const headers = natsHeaders();
    headers.set(ERROR_HEADER, toHeaderValue(message));
    this.#respond(msg, { body: encoder.encode(JSON.stringify(message)), headers });
  }

  #respond(msg: Msg, reply: Encoded): void {
    this.#send(() => {
      try {
        // respond() returns false only without a reply subject, which the callers have ruled out.
        msg.respond(reply.body, reply.headers ? { headers: reply.headers } : undefined);
      } catch (error) {
        // Typically the connection closed while the handler ran; the requester will time out.
        this.#reportError(error, msg.subject);
      }
    });
  }

  #reportError(error: unknown, subject: string): void {
    try {
      this.onHandlerError(error, subject);
    } catch {
      // The error callback itself failed; nothing sensible is left to do, but never crash the process.
    }
  }

  /** Translates the client's errors into the bus's own, so callers need not know the transport. */
  #mapError(error: unknown): Error {
    if (isClosedError(error)) return new BusClosedError();
    return error instanceof Error ? error : new Error(String(error));
  }
}

function isClosedError(error: unknown): boolean {
  return error instanceof ClosedConnectionError || error instanceof DrainingConnectionError;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Header values must be one line of limited length; the body keeps the exact message. */
function toHeaderValue(message: string): string {
  const line = message.replace(/[\r\n]+/g, ' ').trim() || 'error';
  return line.length > MAX_ERROR_HEADER_LENGTH ? `${line.slice(0, MAX_ERROR_HEADER_LENGTH)}…` : line;
}

function remoteErrorMessage(reply: Msg): string {
  try {
    const body: unknown = reply.json();
    if (typeof body === 'string') return body;
  } catch {
    // Not from a NatsBus responder: fall back to the header.
  }
  return reply.headers?.get(ERROR_HEADER) ?? 'remote handler failed';
}

function encode(data: unknown, headers: Headers | undefined): Encoded {
  let out: MsgHdrs | undefined;
  if (headers) {
    for (const [key, value] of Object.entries(headers)) {
      out ??= natsHeaders();
      out.set(key, value);
    }
  }
  if (data === undefined) {
    out ??= natsHeaders();
    out.set(UNDEFINED_HEADER, 'true');
    return { body: NULL_BODY, headers: out };
  }
  const json = JSON.stringify(data);
  // JSON.stringify returns undefined for functions and symbols: not payloads (see Bus).
  if (typeof json !== 'string') throw new TypeError(`not a JSON-serialisable payload: ${typeof data}`);
  return { body: encoder.encode(json), headers: out };
}

function decode(msg: Msg): unknown {
  if (msg.headers?.has(UNDEFINED_HEADER)) return undefined;
  // An empty body (e.g. from the nats CLI) carries no value.
  if (msg.data.length === 0) return undefined;
  return msg.json();
}

/** The application headers of a message: the first value of each key, without the bus's own markers. */
function toHeaders(headers: MsgHdrs | undefined): Headers {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const key of headers.keys()) {
    if (key === UNDEFINED_HEADER || key === ERROR_HEADER) continue;
    out[key] = headers.get(key);
  }
  return out;
}
