import type {
  Bus,
  BusHandler,
  BusMessage,
  PublishOptions,
  RequestOptions,
  SubscribeOptions,
  Subscription,
} from './bus.js';
import { BusClosedError, NoRespondersError, RemoteHandlerError, RequestTimeoutError } from './errors.js';
import { subjectMatches } from './subjects.js';

interface Entry {
  readonly id: number;
  readonly pattern: string;
  readonly queue: string | undefined;
  readonly handler: BusHandler<unknown, unknown>;
  readonly literal: boolean;
}

/**
 * In-process {@link Bus} with NATS semantics: wildcard subjects, queue groups (one member per group
 * gets each message, round-robin), request/reply with immediate no-responders and timeouts. Handlers
 * run asynchronously (never inside the publisher's call stack), as they would over a network.
 */
export class MemoryBus implements Bus {
  readonly #literal = new Map<string, Entry[]>();
  /**
   * Wildcard subscriptions by the literal tokens before their first wildcard (`station.cmd.7.*` under
   * `station.cmd.7`): a message looks up the few prefixes of its subject instead of matching every pattern
   * (an embedded process subscribes one pattern per bus partition).
   */
  readonly #wildcard = new Map<string, Entry[]>();
  readonly #roundRobin = new Map<string, number>();
  /**
   * Who a subject reaches, computed once per subject and dropped when a subscription changes it: a station's
   * subjects recur with each of its messages, so most messages skip the matching (at most
   * {@link MAX_ROUTES} subjects, then it starts over).
   */
  readonly #routes = new Map<string, Route>();
  #nextId = 1;
  #closed = false;
  /** Called with errors thrown by handlers of plain publications (nobody else would see them). */
  onHandlerError: (error: unknown, subject: string) => void = () => {};

  publish(subject: string, data: unknown, options?: PublishOptions): Promise<void> {
    if (this.#closed) return Promise.reject(new BusClosedError());
    const message: BusMessage = { subject, data, headers: options?.headers ?? {}, expectsReply: false };
    for (const entry of this.#select(subject)) {
      queueMicrotask(() => {
        Promise.resolve()
          .then(() => entry.handler(message))
          .catch((error: unknown) => this.onHandlerError(error, subject));
      });
    }
    return Promise.resolve();
  }

  request<R>(subject: string, data: unknown, options: RequestOptions): Promise<R> {
    if (this.#closed) return Promise.reject(new BusClosedError());
    const [entry] = this.#select(subject, true);
    if (entry === undefined) return Promise.reject(new NoRespondersError(subject));
    const message: BusMessage = { subject, data, headers: options.headers ?? {}, expectsReply: true };
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new RequestTimeoutError(subject, options.timeoutMs)),
        options.timeoutMs,
      );
      queueMicrotask(() => {
        Promise.resolve()
          .then(() => entry.handler(message))
          .then(
            (reply) => {
              clearTimeout(timer);
              resolve(reply as R);
            },
            (error: unknown) => {
              clearTimeout(timer);
              reject(new RemoteHandlerError(subject, error instanceof Error ? error.message : String(error)));
            },
          );
      });
    });
  }

  subscribe<T = unknown, R = unknown>(
    subject: string,
    handler: BusHandler<T, R>,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    if (this.#closed) return Promise.reject(new BusClosedError());
    const literal = !subject.split('.').some((t) => t === '*' || t === '>');
    const entry: Entry = {
      id: this.#nextId++,
      pattern: subject,
      queue: options?.queue,
      handler: handler as BusHandler<unknown, unknown>,
      literal,
    };
    this.#forgetRoutes(entry);
    if (literal) {
      const list = this.#literal.get(subject);
      if (list) list.push(entry);
      else this.#literal.set(subject, [entry]);
    } else {
      const key = wildcardPrefix(subject);
      const list = this.#wildcard.get(key);
      if (list) list.push(entry);
      else this.#wildcard.set(key, [entry]);
    }
    return Promise.resolve({
      subject,
      unsubscribe: () => {
        this.#remove(entry);
        return Promise.resolve();
      },
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#literal.clear();
    this.#wildcard.clear();
    this.#routes.clear();
    return Promise.resolve();
  }

  /** Number of live subscriptions (for tests and metrics). */
  get subscriptionCount(): number {
    let n = 0;
    for (const list of this.#literal.values()) n += list.length;
    for (const list of this.#wildcard.values()) n += list.length;
    return n;
  }

  /**
   * Drops the cached routes a subscription changes: a literal one changes only its own subject's (a station's
   * connection subscribes and unsubscribes one each, so a reconnect storm keeps every other station's route), a
   * wildcard one (made at start-up) possibly any.
   */
  #forgetRoutes(entry: Entry): void {
    if (entry.literal) this.#routes.delete(entry.pattern);
    else this.#routes.clear();
  }

  #remove(entry: Entry): void {
    this.#forgetRoutes(entry);
    if (entry.literal) {
      const list = this.#literal.get(entry.pattern);
      if (!list) return;
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.#literal.delete(entry.pattern);
    } else {
      const key = wildcardPrefix(entry.pattern);
      const list = this.#wildcard.get(key);
      if (!list) return;
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.#wildcard.delete(key);
    }
  }

  /** The wildcard subscriptions matching `subject`, in the order they were made. */
  #wildcardsOf(subject: string): Entry[] {
    if (this.#wildcard.size === 0) return [];
    const tokens = subject.split('.');
    const found: Entry[] = [];
    let prefix = '';
    for (let k = 0; k < tokens.length; k++) {
      if (k > 0) prefix = k === 1 ? (tokens[0] ?? '') : `${prefix}.${tokens[k - 1] ?? ''}`;
      for (const e of this.#wildcard.get(prefix) ?? []) if (subjectMatches(e.pattern, subject)) found.push(e);
    }
    return found.length > 1 ? found.sort((a, b) => a.id - b.id) : found;
  }

  /**
   * The subscriptions a message on `subject` reaches: every plain subscriber, plus one member of each
   * queue group. With `one`, a request goes to exactly one of those (NATS picks one replier).
   */
  #select(subject: string, one = false): readonly Entry[] {
    const route = this.#routeOf(subject);
    if (route.groups.length === 0) {
      const { plain } = route;
      if (one) return plain.length > 0 ? [plain[plain.length - 1] as Entry] : [];
      return plain;
    }
    const selected = [...route.plain];
    for (const [key, members] of route.groups) {
      const n = this.#roundRobin.get(key) ?? 0;
      this.#roundRobin.set(key, n + 1);
      const member = members[n % members.length];
      if (member) selected.push(member);
    }
    if (one) return selected.length > 0 ? [selected[selected.length - 1] as Entry] : [];
    return selected;
  }

  #routeOf(subject: string): Route {
    const cached = this.#routes.get(subject);
    if (cached !== undefined) return cached;
    const candidates = [...(this.#literal.get(subject) ?? []), ...this.#wildcardsOf(subject)];
    const plain: Entry[] = [];
    const groups = new Map<string, Entry[]>();
    for (const e of candidates) {
      if (e.queue === undefined) plain.push(e);
      else {
        const key = `${e.pattern}\u0000${e.queue}`;
        const g = groups.get(key);
        if (g) g.push(e);
        else groups.set(key, [e]);
      }
    }
    const route: Route = { plain, groups: [...groups] };
    if (this.#routes.size >= MAX_ROUTES) this.#routes.clear();
    this.#routes.set(subject, route);
    return route;
  }
}

/** Who a subject reaches: its plain subscribers, and its queue groups (one member each per message). */
interface Route {
  readonly plain: readonly Entry[];
  readonly groups: readonly (readonly [string, readonly Entry[]])[];
}

/**
 * Bound of the route cache (a few hundred bytes each; a station uses a handful of subjects): past it the cache
 * starts over, so memory stays bounded whatever subjects are published.
 */
const MAX_ROUTES = 50_000;

/** The literal tokens of a wildcard pattern before its first `*` or `>` ('' when it starts with one). */
function wildcardPrefix(pattern: string): string {
  const tokens = pattern.split('.');
  const first = tokens.findIndex((t) => t === '*' || t === '>');
  return tokens.slice(0, first).join('.');
}
