/** Something with at most one CALL in flight and a deadline for it. */
export interface TimeoutTarget {
  /** Handles the timeout if the in-flight CALL's deadline is <= `now` (performance.now()). */
  checkTimeout(now: number): void;
}

/**
 * Call timeouts for a whole fleet with one timer: stations with a CALL in flight register themselves and a
 * single interval checks their deadlines. A timer per CALL would allocate a Timeout object per message
 * (tens of thousands per second in a benchmark); the price is a resolution of `resolutionMs`, irrelevant
 * next to call timeouts of seconds.
 */
export class TimeoutSweeper {
  readonly #targets = new Set<TimeoutTarget>();
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly resolutionMs: number) {}

  add(target: TimeoutTarget): void {
    this.#targets.add(target);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sweep(), this.resolutionMs);
      // Never the reason a process stays alive: a station's socket or its own timers are.
      this.#timer.unref();
    }
  }

  delete(target: TimeoutTarget): void {
    this.#targets.delete(target);
  }

  /** Stops the interval (it restarts on the next add). */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    if (this.#targets.size === 0) {
      this.close();
      return;
    }
    const now = performance.now();
    // Deleting the current element while iterating a Set is well defined (it is simply not revisited).
    for (const target of this.#targets) target.checkTimeout(now);
  }
}
