import { Simulator, type SimulatorStats } from '@csms/simulator';
import type { ConfigurationName, OverloadSettings } from './options.js';
import {
  abortable,
  callErrorCount,
  connectBudgetMs,
  fleet,
  sleep,
  trafficSettings,
  type PhaseContext,
} from './phases.js';
import { readProcessMemory } from './processes.js';
import type { ServerProcess } from './targets.js';

/** The figures of one measured window: fleet A alone, or fleets A and B together. */
export interface OverloadWindow {
  /** Stations of the fleets measured. */
  readonly stations: number;
  /** Of them, connected when the window ended. */
  readonly connected: number;
  readonly windowMs: number;
  /** CALLs sent per second (closed loop: falls when answers are slow). */
  readonly offeredPerSecond: number;
  readonly answersPerSecond: number;
  /**
   * p50 / p99 over every CALL answered in the window. With two fleets, the larger of their two figures:
   * the simulator keeps one histogram set per fleet, and a percentile of the union lies between the two
   * fleets' (both run the same traffic against the same server, so they are close); see `fleetP99Ms`.
   */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** p99 of each fleet measured (A, then B). */
  readonly fleetP99Ms: readonly number[];
  readonly timeouts: number;
  readonly callErrors: number;
  /** CALLERRORs by errorCode: refused work shows here (e.g. a busy server's back-pressure). */
  readonly callErrorsByCode: Readonly<Record<string, number>>;
  /**
   * BootNotifications answered Pending or Rejected: a CSMS refusing new stations while overloaded answers
   * Pending (the station boots again after the interval and sends nothing else meanwhile).
   */
  readonly bootsRefused: number;
  /** Connections closed by the server (not by the simulator), reopened, and failed handshakes. */
  readonly disconnects: number;
  readonly reconnects: number;
  readonly connectFailures: number;
  /** Messages (transaction messages included) given up on. */
  readonly dropped: number;
}

/** One second of fleet A alone after fleet B stopped. */
export interface RecoveryWindow {
  /** When it started, s after fleet B's stop completed. */
  readonly startSec: number;
  readonly windowMs: number;
  readonly answersPerSecond: number;
  readonly p99Ms: number;
  readonly timeouts: number;
  readonly callErrors: number;
  /** Some answers, p99 under the limit, no timeout. */
  readonly ok: boolean;
}

/** RSS of one server process around the overload (VmRSS, sampled by this process). */
export interface OverloadMemory {
  readonly name: string;
  readonly role: ServerProcess['role'];
  readonly pid: number | undefined;
  /** Just before fleet B started. */
  readonly beforeRssKiB: number | undefined;
  /** The highest of the samples taken once per second from B's start until its stop completed. */
  readonly peakRssKiB: number | undefined;
  /** After the "after" window (fleet A alone again). */
  readonly afterRssKiB: number | undefined;
  readonly samples: number;
  /** (peak − before) and (after − before), MiB. */
  readonly peakGrowthMiB: number | null;
  readonly afterGrowthMiB: number | null;
}

export interface OverloadResult {
  readonly configuration: ConfigurationName;
  readonly settings: OverloadSettings;
  readonly p99LimitMs: number;
  /** Fleet A's stations, then A + B's. */
  readonly baseStations: number;
  readonly overloadStations: number;
  /** Stations of A Accepted before the "before" window; of B by the end of the overload window. */
  readonly booted: { readonly base: number; readonly extra: number };
  /** From B's start until its last station was Accepted; null when some were not within the window. */
  readonly extraBootMs: number | null;
  readonly before: OverloadWindow;
  readonly overload: OverloadWindow;
  /** Fleet A alone again, after the recovery windows. */
  readonly after: OverloadWindow;
  /** Fleet B's graceful stop (its running transactions end), ms. */
  readonly stopMs: number;
  readonly recovery: readonly RecoveryWindow[];
  /**
   * Seconds from B's stop until the first of 3 consecutive ok recovery windows; null when that did not
   * happen within `recoverySec`.
   */
  readonly recoverySec: number | null;
  readonly memory: readonly OverloadMemory[];
  readonly verdict: {
    readonly p99RecoveredWithin10s: boolean;
    /** The largest (peak − before) and (after − before) over the server processes, MiB. */
    readonly maxPeakGrowthMiB: number | null;
    readonly maxAfterGrowthMiB: number | null;
    /** CALLERRORs and timeouts in the overload window. */
    readonly refused: number;
    readonly timeouts: number;
  };
}

/** Fleet A runs this long after it booted before its "before" window (its first statuses settle). */
const SETTLE_MS = 3_000;
/** The "before" and "after" windows of fleet A alone. */
const WINDOW_MS = 10_000;
/** Consecutive ok one-second windows that mark the recovery. */
const RECOVERED_RUN = 3;
const STOP_GRACE_MS = 5_000;

/** A fleet with the sweep's dense traffic: stations `firstIndex + 1 ..` of the seeded ones. */
function overloadFleet(ctx: PhaseContext, stations: number, firstIndex: number, durationMs: number) {
  const t = ctx.options.sweep.traffic;
  return new Simulator({
    ...fleet(ctx),
    stations,
    firstIndex,
    ...trafficSettings(t),
    callTimeoutMs: t.callTimeoutMs,
    durationMs,
    stopGraceMs: STOP_GRACE_MS,
  });
}

/** The window figures of fleets measured over the same interval (`parts[0]`'s elapsed time). */
function windowOf(parts: readonly SimulatorStats[]): OverloadWindow {
  const sum = (f: (s: SimulatorStats) => number): number => parts.reduce((n, s) => n + f(s), 0);
  const max = (f: (s: SimulatorStats) => number): number => Math.max(0, ...parts.map(f));
  const windowMs = parts[0]?.elapsedMs ?? 0;
  const seconds = Math.max(windowMs / 1000, 1e-3);
  const byCode: Record<string, number> = {};
  for (const s of parts)
    for (const [code, n] of Object.entries(s.callErrors)) byCode[code] = (byCode[code] ?? 0) + n;
  return {
    stations: sum((s) => s.stations.total),
    connected: sum((s) => s.stations.connected),
    windowMs,
    offeredPerSecond: round1(sum((s) => s.messages.sent) / seconds),
    answersPerSecond: round1(sum((s) => s.messages.received) / seconds),
    p50Ms: max((s) => s.all.p50Ms),
    p99Ms: max((s) => s.all.p99Ms),
    fleetP99Ms: parts.map((s) => s.all.p99Ms),
    timeouts: sum((s) => s.timeouts),
    callErrors: sum(callErrorCount),
    callErrorsByCode: byCode,
    bootsRefused: sum((s) => s.stations.bootsNotAccepted),
    disconnects: sum((s) => s.connections.disconnects),
    reconnects: sum((s) => s.connections.reconnects),
    connectFailures: sum((s) => s.connections.failures),
    dropped: sum((s) => s.messages.droppedMessages + s.messages.droppedTransactionMessages),
  };
}

/** Fleet A's figures over the next `ms`. */
async function measureA(a: Simulator, ms: number, signal: AbortSignal | undefined): Promise<OverloadWindow> {
  a.resetStats();
  await sleep(ms, signal);
  return windowOf([a.stats()]);
}

/** RSS of every server process: read on demand, and sampled once per second while `start`ed. */
class MemorySampler {
  readonly #processes: readonly ServerProcess[];
  readonly #peaks: (number | undefined)[];
  #samples = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(processes: readonly ServerProcess[]) {
    this.#processes = processes;
    this.#peaks = processes.map(() => undefined);
  }

  read(): (number | undefined)[] {
    return this.#processes.map((p) => readProcessMemory(p.pid)?.rssKiB);
  }

  start(): void {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 1_000);
  }

  /** Stops sampling (idempotent); returns the peaks and the number of samples. */
  stop(): { peaks: (number | undefined)[]; samples: number } {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#sample();
    }
    return { peaks: [...this.#peaks], samples: this.#samples };
  }

  #sample(): void {
    this.#samples++;
    for (const [i, rss] of this.read().entries()) {
      if (rss !== undefined) this.#peaks[i] = Math.max(rss, this.#peaks[i] ?? 0);
    }
  }
}

interface OverloadPart {
  readonly window: OverloadWindow;
  readonly bootedExtra: number;
  readonly extraBootMs: number | null;
  readonly stopMs: number;
  /** performance.now() when B's stop completed. */
  readonly stoppedAt: number;
}

/** Starts fleet B next to A, measures both over `overloadSec`, then stops B (gracefully). */
async function overloadWindow(
  a: Simulator,
  b: Simulator,
  o: OverloadSettings,
  signal: AbortSignal | undefined,
): Promise<OverloadPart> {
  const windowMs = o.overloadSec * 1000;
  // Both windows start at B's start: the overload is B's ramp-up and boot too.
  a.resetStats();
  b.resetStats();
  const startedAt = performance.now();
  await abortable(b.start(), signal);
  const left = (): number => Math.max(0, windowMs - (performance.now() - startedAt));
  // waitForBoot returns when every B station is Accepted, at the latest when the window ends.
  const booted = await abortable(b.waitForBoot(Math.max(1, Math.round(left()))), signal);
  const extraBootMs = booted === o.baseStations ? Math.round(performance.now() - startedAt) : null;
  if (left() > 0) await sleep(left(), signal);
  const window = windowOf([a.stats(), b.stats()]);
  const bootedExtra = b.stats().stations.booted;
  const stopStarted = performance.now();
  await b.stop();
  const stoppedAt = performance.now();
  return { window, bootedExtra, extraBootMs, stopMs: Math.round(stoppedAt - stopStarted), stoppedAt };
}

/**
 * One-second windows of fleet A from B's stop on, until the first of RECOVERED_RUN consecutive ok
 * windows is found (it must start within `recoverySec`; the run that confirms it may end after).
 */
async function recover(
  a: Simulator,
  o: OverloadSettings,
  p99LimitMs: number,
  stoppedAt: number,
  signal: AbortSignal | undefined,
): Promise<{ windows: RecoveryWindow[]; recoverySec: number | null }> {
  const windows: RecoveryWindow[] = [];
  let run = 0;
  for (;;) {
    const startSec = Math.round((performance.now() - stoppedAt) / 100) / 10;
    const runStart = windows[windows.length - run]?.startSec ?? startSec;
    if (runStart >= o.recoverySec) return { windows, recoverySec: null };
    a.resetStats();
    await sleep(1_000, signal);
    const s = a.stats();
    // No answer at all is a stalled server, not a fast one (p99 of an empty window reads 0).
    const ok = s.all.count > 0 && s.all.p99Ms < p99LimitMs && s.timeouts === 0;
    windows.push({
      startSec,
      windowMs: s.elapsedMs,
      answersPerSecond: s.messages.receivedPerSecond,
      p99Ms: s.all.p99Ms,
      timeouts: s.timeouts,
      callErrors: callErrorCount(s),
      ok,
    });
    run = ok ? run + 1 : 0;
    if (run === RECOVERED_RUN)
      return { windows, recoverySec: windows[windows.length - RECOVERED_RUN]?.startSec ?? null };
  }
}

/** The memory rows: before B, the peak of the samples during the overload, after the after window. */
function memoryRows(
  processes: readonly ServerProcess[],
  before: readonly (number | undefined)[],
  sampled: { peaks: readonly (number | undefined)[]; samples: number },
  after: readonly (number | undefined)[],
): OverloadMemory[] {
  const growth = (from: number | undefined, to: number | undefined): number | null =>
    // `+ 0`: a shrink rounded to nothing is 0, not -0 (JSON writes -0 as 0, and the report must survive its JSON).
    from === undefined || to === undefined ? null : Math.round(((to - from) / 1024) * 10) / 10 + 0;
  return processes.map((p, i) => ({
    name: p.name,
    role: p.role,
    pid: p.pid,
    beforeRssKiB: before[i],
    peakRssKiB: sampled.peaks[i],
    afterRssKiB: after[i],
    samples: sampled.samples,
    peakGrowthMiB: growth(before[i], sampled.peaks[i]),
    afterGrowthMiB: growth(before[i], after[i]),
  }));
}

/**
 * The overload phase of one running configuration (`--overload <n>`, bench/README.md): fleet A of n
 * stations with the sweep's dense traffic, a "before" window; fleet B of n more (2× the offered load)
 * for `overloadSec`, every server process's RSS sampled once per second; B stops; one-second windows of
 * A until p99 stays under the sweep's limit; an "after" window; A stops. Bounded in time, abortable.
 */
export async function overload(
  configuration: ConfigurationName,
  ctx: PhaseContext,
  processes: readonly ServerProcess[],
): Promise<OverloadResult> {
  const o = ctx.options.overload;
  if (o === null) throw new Error('the overload phase is not configured');
  const n = o.baseStations;
  const limit = ctx.options.sweep.p99LimitMs;
  const t = ctx.options.sweep.traffic;
  const budget = connectBudgetMs(n, t.rampPerSecond);
  const phaseMs = SETTLE_MS + 2 * WINDOW_MS + (o.overloadSec + o.recoverySec + 5) * 1000;
  // The simulators' own timers are only backstops: this phase stops them.
  const a = overloadFleet(ctx, n, 0, budget + phaseMs + STOP_GRACE_MS + t.callTimeoutMs + 60_000);
  const b = overloadFleet(ctx, n, n, budget + o.overloadSec * 1000 + 60_000);
  const sampler = new MemorySampler(processes);
  const log = (line: string): void => ctx.log(`[${configuration}] overload: ${line}`);
  try {
    log(`fleet A, ${n} stations, boots`);
    await abortable(a.start(), ctx.signal);
    const bootedBase = await abortable(a.waitForBoot(budget), ctx.signal);
    if (bootedBase < n) log(`only ${bootedBase}/${n} stations of A booted within ${budget} ms`);
    await sleep(SETTLE_MS, ctx.signal);
    const before = await measureA(a, WINDOW_MS, ctx.signal);
    const memoryBefore = sampler.read();
    log(`fleet B, ${n} more stations (${2 * n} in all), ${o.overloadSec} s`);
    sampler.start();
    const part = await overloadWindow(a, b, o, ctx.signal);
    const sampled = sampler.stop();
    log(`fleet B stopped; recovery (at most ${o.recoverySec} s)`);
    const recovery = await recover(a, o, limit, part.stoppedAt, ctx.signal);
    const after = await measureA(a, WINDOW_MS, ctx.signal);
    const memory = memoryRows(processes, memoryBefore, sampled, sampler.read());
    const maxOf = (values: (number | null)[]): number | null =>
      values.some((v) => v === null) || values.length === 0 ? null : Math.max(...(values as number[]));
    return {
      configuration,
      settings: o,
      p99LimitMs: limit,
      baseStations: n,
      overloadStations: 2 * n,
      booted: { base: bootedBase, extra: part.bootedExtra },
      extraBootMs: part.extraBootMs,
      before,
      overload: part.window,
      after,
      stopMs: part.stopMs,
      recovery: recovery.windows,
      recoverySec: recovery.recoverySec,
      memory,
      verdict: {
        p99RecoveredWithin10s: recovery.recoverySec !== null && recovery.recoverySec <= 10,
        maxPeakGrowthMiB: maxOf(memory.map((m) => m.peakGrowthMiB)),
        maxAfterGrowthMiB: maxOf(memory.map((m) => m.afterGrowthMiB)),
        refused: part.window.callErrors,
        timeouts: part.window.timeouts,
      },
    };
  } finally {
    sampler.stop();
    await b.stop();
    await a.stop();
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
