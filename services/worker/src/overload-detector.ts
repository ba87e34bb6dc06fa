/** When a worker counts as overloaded (see {@link OverloadDetector}; docs/configuration.md, CSMS_OVERLOAD_*). */
export interface OverloadSettings {
  /**
   * The fastest station CALL of a window took longer than this (ms): the CALLs are waiting for the worker
   * (its event loop, its database connections, the database), not only being handled. 0 turns detection off.
   */
  readonly targetMs: number;
  /** Length of one judged window (ms). */
  readonly windowMs: number;
  /** Consecutive windows over the target before the worker counts as overloaded. */
  readonly windows: number;
  /** A window with fewer handled CALLs is not judged (it cannot tell a queue from one slow station). */
  readonly minCalls: number;
}

export const defaultOverloadSettings: OverloadSettings = Object.freeze({
  targetMs: 50,
  windowMs: 1000,
  windows: 2,
  minCalls: 20,
});

/**
 * Tells whether station CALLs are queueing in this worker, from the time each handled CALL spent in it
 * (mailbox, database transaction, commit). It follows CoDel (Nichols & Jacobson, "Controlling Queue Delay",
 * 2012): not the mean or a percentile, which a burst raises, but the **minimum** of a window: when even the
 * fastest CALL of a whole window waited longer than the target, a standing queue has formed and the work
 * offered exceeds what the worker can do. Bursts that drain within the window do not count, nor does one slow
 * station (an OCSP request, an external program) among fast ones.
 *
 * Overloaded after `windows` consecutive windows over the target; no longer overloaded after the first window
 * at or under it, or without enough CALLs to judge.
 */
export class OverloadDetector {
  readonly #settings: OverloadSettings;
  readonly #clock: () => number;
  readonly #onChange: ((overloaded: boolean) => void) | undefined;
  #windowStart: number;
  #windowMin = Infinity;
  #windowCalls = 0;
  #windowsOver = 0;
  #overloaded = false;

  /**
   * @param clock a monotonic time in ms (default `performance.now`); tests drive it.
   * @param onChange called on each change of {@link overloaded} (metrics, log).
   */
  constructor(
    settings: Partial<OverloadSettings> = {},
    clock: () => number = () => performance.now(),
    onChange?: (overloaded: boolean) => void,
  ) {
    this.#settings = { ...defaultOverloadSettings, ...settings };
    this.#clock = clock;
    this.#onChange = onChange;
    this.#windowStart = clock();
  }

  get settings(): OverloadSettings {
    return this.#settings;
  }

  /** A reading of the detector's clock: pass it to {@link observe} when the CALL is done. */
  now(): number {
    return this.#clock();
  }

  /** A station CALL handled by this worker, from `startedAt` (a {@link now} reading) until now. */
  observe(startedAt: number): void {
    if (this.#settings.targetMs <= 0) return;
    const now = this.#clock();
    this.#roll(now);
    const took = now - startedAt;
    if (took < this.#windowMin) this.#windowMin = took;
    this.#windowCalls++;
  }

  /** Whether the recent windows say the worker is overloaded (judging a window that has ended). */
  get overloaded(): boolean {
    if (this.#settings.targetMs <= 0) return false;
    this.#roll(this.#clock());
    return this.#overloaded;
  }

  /** Judges the windows that ended before `now` and opens the one `now` falls into. */
  #roll(now: number): void {
    const { windowMs } = this.#settings;
    if (now - this.#windowStart < windowMs) return;
    this.#judge();
    // Whole windows that passed without a CALL: nothing to judge, the queue (if any) is not visible.
    if (now - this.#windowStart >= 2 * windowMs) this.#windowsOver = 0;
    this.#windowStart = now - ((now - this.#windowStart) % windowMs);
    this.#windowMin = Infinity;
    this.#windowCalls = 0;
    this.#set(this.#windowsOver >= this.#settings.windows);
  }

  #judge(): void {
    const { targetMs, minCalls } = this.#settings;
    if (this.#windowCalls >= minCalls && this.#windowMin > targetMs) this.#windowsOver++;
    else this.#windowsOver = 0;
  }

  #set(overloaded: boolean): void {
    if (overloaded === this.#overloaded) return;
    this.#overloaded = overloaded;
    this.#onChange?.(overloaded);
  }
}
