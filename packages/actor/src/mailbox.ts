/** Raised when a mailbox already holds its capacity of waiting messages. */
export class MailboxFullError extends Error {
  override name = 'MailboxFullError';
  constructor(readonly capacity: number) {
    super(`mailbox full (${capacity} messages waiting)`);
  }
}

/**
 * A FIFO of async tasks run strictly one at a time: the serialisation point of an actor. Bounded, so a
 * flood of messages for one actor cannot grow memory without limit; a task's failure never stops the
 * tasks queued behind it.
 */
export class Mailbox {
  readonly #capacity: number;
  #tail: Promise<unknown> = Promise.resolve();
  #waiting = 0;
  #running = false;

  constructor(capacity = 1000) {
    this.#capacity = capacity;
  }

  /** Messages queued or running. */
  get length(): number {
    return this.#waiting + (this.#running ? 1 : 0);
  }

  /** Enqueues `task`; resolves or rejects with its outcome once it has run. */
  post<T>(task: () => Promise<T> | T): Promise<T> {
    if (this.#waiting >= this.#capacity) return Promise.reject(new MailboxFullError(this.#capacity));
    this.#waiting++;
    const run = async (): Promise<T> => {
      this.#waiting--;
      this.#running = true;
      try {
        return await task();
      } finally {
        this.#running = false;
      }
    };
    const result = this.#tail.then(run, run);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once everything posted so far has run. */
  drain(): Promise<void> {
    return this.#tail.then(() => undefined);
  }
}
