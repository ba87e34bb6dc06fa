/**
 * Bounds the WebSocket handshakes in progress at once (a boot storm of 10,000 stations, or all of them
 * reconnecting after a failover, would otherwise open 10,000 TCP connections in one tick and measure the
 * kernel's SYN backlog instead of the CSMS).
 */
export class ConnectGate {
  #active = 0;
  readonly #waiters: (() => void)[] = [];
  #head = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('ConnectGate limit must be an integer >= 1');
  }

  /** Resolves when a handshake may start; pair every resolution with one {@link release}. */
  acquire(): Promise<void> {
    if (this.#active < this.limit) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters[this.#head];
    if (next !== undefined) {
      // FIFO without Array#shift (O(n) per call with thousands waiting): advance a head index and compact
      // once the consumed prefix dominates.
      this.#waiters[this.#head] = noop;
      this.#head++;
      if (this.#head === this.#waiters.length) {
        this.#waiters.length = 0;
        this.#head = 0;
      } else if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
        this.#waiters.splice(0, this.#head);
        this.#head = 0;
      }
      next();
      return;
    }
    this.#active = Math.max(0, this.#active - 1);
  }

  /** Handshakes in progress. */
  get active(): number {
    return this.#active;
  }

  /** Stations waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length - this.#head;
  }
}

function noop(): void {}
