import { systemClock, type Clock } from './clock.js';
import { Mailbox } from './mailbox.js';

/** Why an actor is deactivated. */
export type DeactivationReason = 'idle' | 'shutdown' | 'fenced' | 'handed-over' | 'failed';

/**
 * One actor instance, keyed by its identity. The host calls the lifecycle hooks inside the actor's
 * mailbox, so they never overlap with message handling (Orleans-style activation).
 */
export interface Actor {
  onActivate?(): Promise<void>;
  onDeactivate?(reason: DeactivationReason): Promise<void>;
  /** False while the actor must stay in memory (e.g. its station is connected). Default: true. */
  canPassivate?(): boolean;
}

export interface ActorHostOptions<A extends Actor> {
  /** Actor kind, e.g. `station` (used in errors and metrics). */
  readonly kind: string;
  readonly create: (id: string) => A;
  /** Waiting messages per actor before posts are refused with `MailboxFullError`. */
  readonly mailboxCapacity?: number;
  /** Deactivate actors idle for this long (and allowing it). 0 disables passivation. */
  readonly idleAfterMs?: number;
  readonly clock?: Clock;
}

interface Activation<A> {
  readonly actor: A;
  readonly mailbox: Mailbox;
  lastUsed: number;
  activated: Promise<void>;
}

/**
 * Hosts the actors of one kind in this process: activates an actor on its first message, runs its
 * messages one at a time, passivates idle actors and deactivates all of them on shutdown.
 */
export class ActorHost<A extends Actor> {
  readonly #options: ActorHostOptions<A>;
  readonly #clock: Clock;
  readonly #activations = new Map<string, Activation<A>>();
  #sweeper: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ActorHostOptions<A>) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    const idle = options.idleAfterMs ?? 0;
    if (idle > 0) {
      this.#sweeper = setInterval(() => void this.passivateIdle(), Math.max(1000, idle / 2));
      this.#sweeper.unref();
    }
  }

  get kind(): string {
    return this.#options.kind;
  }

  /** Number of active actors. */
  get size(): number {
    return this.#activations.size;
  }

  has(id: string): boolean {
    return this.#activations.has(id);
  }

  /** Ids of the active actors. */
  ids(): string[] {
    return [...this.#activations.keys()];
  }

  /**
   * Runs `fn` on actor `id` in its mailbox, after any earlier message and after its activation.
   * Activation failures are reported to the caller and the activation is discarded.
   */
  run<T>(id: string, fn: (actor: A) => Promise<T> | T): Promise<T> {
    if (this.#stopped) return Promise.reject(new Error(`${this.#options.kind} host is shut down`));
    const activation = this.#activate(id);
    activation.lastUsed = this.#clock.now();
    return activation.mailbox.post(async () => {
      await activation.activated;
      activation.lastUsed = this.#clock.now();
      return fn(activation.actor);
    });
  }

  /** Deactivates one actor after the messages already in its mailbox. */
  async deactivate(id: string, reason: DeactivationReason): Promise<void> {
    const activation = this.#activations.get(id);
    if (!activation) return;
    this.#activations.delete(id);
    await activation.mailbox.post(async () => {
      await activation.activated.catch(() => undefined);
      await activation.actor.onDeactivate?.(reason);
    });
  }

  /** Deactivates actors idle longer than `idleAfterMs` that allow it. */
  async passivateIdle(): Promise<number> {
    const idle = this.#options.idleAfterMs ?? 0;
    if (idle <= 0) return 0;
    const cutoff = this.#clock.now() - idle;
    const victims = [...this.#activations]
      .filter(([, a]) => a.lastUsed < cutoff && a.mailbox.length === 0 && (a.actor.canPassivate?.() ?? true))
      .map(([id]) => id);
    await Promise.all(victims.map((id) => this.deactivate(id, 'idle')));
    return victims.length;
  }

  /** Refuses new messages, lets queued ones finish, then deactivates every actor. */
  async shutdown(reason: DeactivationReason = 'shutdown'): Promise<void> {
    this.#stopped = true;
    if (this.#sweeper) clearInterval(this.#sweeper);
    await Promise.all([...this.#activations.keys()].map((id) => this.deactivate(id, reason)));
  }

  #activate(id: string): Activation<A> {
    const existing = this.#activations.get(id);
    if (existing) return existing;
    const actor = this.#options.create(id);
    const mailbox = new Mailbox(this.#options.mailboxCapacity);
    const activation: Activation<A> = {
      actor,
      mailbox,
      lastUsed: this.#clock.now(),
      activated: Promise.resolve(),
    };
    activation.activated = (async () => {
      try {
        await actor.onActivate?.();
      } catch (error) {
        // A failed activation must not leave a half-initialised actor behind: the next message retries.
        if (this.#activations.get(id) === activation) this.#activations.delete(id);
        throw error;
      }
    })();
    activation.activated.catch(() => undefined);
    this.#activations.set(id, activation);
    return activation;
  }
}
