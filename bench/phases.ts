import { Simulator, type ActionStats, type SimulatorOptions, type SimulatorStats } from '@csms/simulator';
import { CpuWindowMeter, type CpuResult, type CpuSubject } from './cpu-usage.js';
import type { PgStatementsResult, PgStatementsWindow } from './pg-statements.js';
import type { ResolvedOptions, TrafficShape } from './options.js';
import { readProcessMemory } from './processes.js';
import { STATION_PREFIX } from './shared-infra.js';
import type { ServerProcess } from './targets.js';

/** What every phase of one configuration needs. */
export interface PhaseContext {
  readonly options: ResolvedOptions;
  readonly url: string;
  readonly password: string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly log: (line: string) => void;
}

/** The warm-up's few figures (its table is discarded). */
export interface WarmupSummary {
  readonly elapsedMs: number;
  readonly messagesSent: number;
  readonly answers: number;
  readonly timeouts: number;
  readonly callErrors: number;
}

/**
 * A traffic phase: the simulator's KPI table over the phase's duration (its ramp-up included), taken
 * when the duration ends, before the graceful stop. The stop itself (every running transaction ends at
 * the same instant: a burst no real fleet produces) is not in the table; its counters are in `stop`.
 */
export interface SteadyResult {
  readonly stats: SimulatorStats;
  readonly stop: StopSummary;
  /** CPU per answered CALL over the steady window (see {@link openCpuWindow}); null without a meter. */
  readonly cpu: CpuResult | null;
  /** PostgreSQL's statements over the same window (`--pg-statements`); null when not asked for. */
  readonly pgStatements: PgStatementsResult | null;
}

/** What happened during the graceful stop that ends a traffic phase (not part of its KPI table). */
export interface StopSummary {
  readonly elapsedMs: number;
  readonly messagesSent: number;
  readonly timeouts: number;
  readonly callErrors: number;
  /** Messages and transaction messages never delivered. */
  readonly dropped: number;
}

/** Memory of one server process: before the idle fleet connected, with it connected, at the end. */
export interface ProcessMemoryResult {
  readonly name: string;
  readonly role: ServerProcess['role'];
  readonly pid: number | undefined;
  /** No station connected, after the warm-up. */
  readonly baselineRssKiB: number | undefined;
  /** Every station connected and idle. */
  readonly idleRssKiB: number | undefined;
  /** (idle − baseline) / stations connected. */
  readonly perStationKiB: number | undefined;
  /** VmHWM at the end of the configuration's measurements. */
  readonly peakRssKiB: number | undefined;
}

export interface MemoryResult {
  /** Stations connected (and idle) when the idle RSS was read. */
  readonly stationsConnected: number;
  readonly idleForMs: number;
  readonly processes: ProcessMemoryResult[];
  /**
   * RSS growth per connected station of the processes holding the sockets (echo server, embedded CSMS,
   * all edges together): (idle − baseline) / stations connected. The design target is < 20 KiB per idle
   * connection for the edge; meaningful with thousands of stations, not with 50.
   */
  readonly perStationKiB: number | undefined;
  /** This (load generator) process, idle fleet connected. */
  readonly loadGeneratorRssKiB: number;
}

export interface BootStormResult {
  readonly stations: number;
  /** Stations whose BootNotification was answered Accepted within the timeout. */
  readonly booted: number;
  readonly failed: number;
  /** From the start of the storm until the last station was Accepted; null when some never were. */
  readonly allBootedMs: number | null;
  /** When the last station that made it was Accepted. */
  readonly lastBootMs: number;
  readonly timeoutMs: number;
  readonly connectFailures: number;
  /** The BootNotification rows of the simulator's table (per OCPP version). */
  readonly bootNotification: readonly ActionStats[];
  readonly maxConcurrentConnects: number;
}

const MAX_CONCURRENT_CONNECTS = 500;

class Aborted extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('the benchmark was aborted');
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new Aborted();
}

/** Sleeps `ms`; rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new Aborted());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves when `promise` does, or rejects when `signal` aborts first. */
export async function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  throwIfAborted(signal);
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        onAbort = () => reject(new Aborted());
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** Simulator settings common to every phase: the same fleet (identities, versions, credentials). */
export function fleet(
  ctx: PhaseContext,
): Pick<
  SimulatorOptions,
  'url' | 'stations' | 'versionMix' | 'idPrefix' | 'passwords' | 'callTimeoutMs' | 'maxConcurrentConnects'
> {
  const password = ctx.password;
  return {
    url: ctx.url,
    stations: ctx.options.stations,
    versionMix: ctx.options.versionMix,
    idPrefix: STATION_PREFIX,
    ...(password !== undefined ? { passwords: () => password } : {}),
    callTimeoutMs: ctx.options.traffic.callTimeoutMs,
    maxConcurrentConnects: MAX_CONCURRENT_CONNECTS,
  };
}

/** How long `stations` may take to connect and boot at `rampPerSecond`. */
export function connectBudgetMs(stations: number, rampPerSecond: number): number {
  return Math.ceil((stations / rampPerSecond) * 1000) + 30_000;
}

/** The simulator settings of a traffic shape: ramp, heartbeats, Authorize and transactions. */
export function trafficSettings(t: TrafficShape) {
  return {
    rampUpPerSecond: t.rampPerSecond,
    heartbeatIntervalSec: t.heartbeatSec,
    transaction: {
      auto: true,
      meterValueIntervalMs: t.meterValueIntervalMs,
      meterValuesPerTransaction: t.meterValuesPerTransaction,
      pauseBetweenMs: t.pauseBetweenMs,
    },
  };
}

/** A fleet with the configured traffic (boot, statuses, heartbeats, Authorize and transactions). */
function trafficSimulator(ctx: PhaseContext, durationMs: number): Simulator {
  const t = ctx.options.traffic;
  return new Simulator({
    ...fleet(ctx),
    ...trafficSettings(t),
    durationMs,
    // Running transactions are stopped and delivered at the end; bounded.
    stopGraceMs: Math.max(5_000, t.callTimeoutMs),
  });
}

/** After the last station booted, this long before the CPU window opens (its StatusNotifications settle). */
const CPU_SETTLE_MS = 2_000;

/**
 * Opens the CPU window of a traffic phase: once every station is booted and CPU_SETTLE_MS more passed,
 * so that the ramp-up (connections, BootNotifications, the first StatusNotifications) is not in it; at
 * the latest half-way through the phase, so that a fleet that never fully boots still gets a window.
 */
async function openCpuWindow(
  sim: Simulator,
  meter: CpuWindowMeter,
  durationMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const left = (): number => durationMs / 2 - sim.stats().elapsedMs;
  if (left() > 0) await abortable(sim.waitForBoot(Math.max(1, Math.round(left()))), signal);
  const settle = Math.min(CPU_SETTLE_MS, left());
  if (settle > 0) await sleep(settle, signal);
  meter.open(sim.stats());
}

/**
 * Runs a traffic fleet for `durationSec`, takes its KPI table, then stops it gracefully. With `cpu`
 * (the processes to measure), also their CPU time over a window that ends with the table.
 */
async function runTraffic(
  ctx: PhaseContext,
  durationSec: number,
  cpu?: readonly CpuSubject[],
  statements?: PgStatementsWindow,
): Promise<SteadyResult> {
  const durationMs = Math.round(durationSec * 1000);
  const meter = cpu === undefined ? undefined : new CpuWindowMeter(cpu);
  // The simulator's own timer is only a backstop; ours ends the phase (so that the table comes first).
  const sim = trafficSimulator(ctx, durationMs + 60_000);
  try {
    await abortable(sim.start(), ctx.signal);
    if (meter !== undefined) await openCpuWindow(sim, meter, durationMs, ctx.signal);
    await statements?.open();
    const remaining = durationMs - sim.stats().elapsedMs;
    if (remaining > 0) await sleep(remaining, ctx.signal);
    const stats = sim.stats();
    const cpuResult = meter?.close(stats) ?? null;
    const pgStatements = (await statements?.close(cpuResult?.window.callsAnswered ?? 0)) ?? null;
    const stopStarted = performance.now();
    await sim.stop();
    const final = sim.stats();
    const dropped = (s: SimulatorStats): number =>
      s.messages.droppedMessages + s.messages.droppedTransactionMessages;
    return {
      stats,
      cpu: cpuResult,
      pgStatements,
      stop: {
        elapsedMs: Math.round(performance.now() - stopStarted),
        messagesSent: final.messages.sent - stats.messages.sent,
        timeouts: final.timeouts - stats.timeouts,
        callErrors: callErrorCount(final) - callErrorCount(stats),
        dropped: dropped(final) - dropped(stats),
      },
    };
  } finally {
    await sim.stop();
  }
}

export function callErrorCount(stats: SimulatorStats): number {
  return Object.values(stats.callErrors).reduce((a, b) => a + b, 0);
}

export async function warmup(ctx: PhaseContext): Promise<WarmupSummary | null> {
  if (ctx.options.warmupSec <= 0) return null;
  const { stats } = await runTraffic(ctx, ctx.options.warmupSec);
  return {
    elapsedMs: stats.elapsedMs,
    messagesSent: stats.messages.sent,
    answers: stats.messages.received,
    timeouts: stats.timeouts,
    callErrors: callErrorCount(stats),
  };
}

/**
 * The steady phase, with the CPU time of `cpu` (every server process of the target) per answered CALL and, given
 * `statements`, PostgreSQL's statements over the same window.
 */
export function steady(
  ctx: PhaseContext,
  cpu: readonly CpuSubject[],
  statements?: PgStatementsWindow,
): Promise<SteadyResult> {
  return runTraffic(ctx, ctx.options.durationSec, cpu, statements);
}

/** Waits until every CALL sent has been answered (or dropped), at most `timeoutMs`. */
async function settle(sim: Simulator, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const m = sim.stats().messages;
    if (m.received + m.droppedMessages + sim.stats().timeouts >= m.sent) return;
    await sleep(100, signal);
  }
}

/**
 * Memory with the fleet connected and idle: RSS of every server process before the fleet connects
 * (after the warm-up), then with every station connected, booted, its statuses answered and idle (no
 * heartbeats, no transactions) for `idleSec`.
 */
export async function idleMemory(
  ctx: PhaseContext,
  processes: readonly ServerProcess[],
): Promise<MemoryResult> {
  await sleep(1_000, ctx.signal); // let the warm-up's last disconnections settle
  const baseline = new Map(processes.map((p) => [p, readProcessMemory(p.pid)]));
  const budget = connectBudgetMs(ctx.options.stations, ctx.options.traffic.rampPerSecond);
  const sim = new Simulator({
    ...fleet(ctx),
    rampUpPerSecond: ctx.options.traffic.rampPerSecond,
    heartbeatIntervalSec: 0,
    transaction: { auto: false },
    durationMs: budget + ctx.options.idleSec * 1000 + 60_000,
    stopGraceMs: 5_000,
  });
  try {
    await abortable(sim.start(), ctx.signal);
    const booted = await abortable(sim.waitForBoot(budget), ctx.signal);
    if (booted < ctx.options.stations)
      ctx.log(`  idle phase: only ${booted}/${ctx.options.stations} stations booted within ${budget} ms`);
    await settle(sim, 10_000, ctx.signal);
    const idleStart = performance.now();
    await sleep(ctx.options.idleSec * 1000, ctx.signal);
    const stationsConnected = sim.stats().stations.connected;
    const idleForMs = Math.round(performance.now() - idleStart);
    const rows: ProcessMemoryResult[] = processes.map((p) => {
      const before = baseline.get(p)?.rssKiB;
      const idle = readProcessMemory(p.pid)?.rssKiB;
      return {
        name: p.name,
        role: p.role,
        pid: p.pid,
        baselineRssKiB: before,
        idleRssKiB: idle,
        perStationKiB: perStation(before, idle, stationsConnected),
        peakRssKiB: undefined,
      };
    });
    const holders = processes.map((p, i) => ({ p, row: rows[i] })).filter((x) => x.p.holdsSockets);
    const sum = (values: (number | undefined)[]): number | undefined =>
      values.some((v) => v === undefined) ? undefined : values.reduce<number>((a, b) => a + (b ?? 0), 0);
    const perStationKiB = perStation(
      sum(holders.map((h) => h.row?.baselineRssKiB)),
      sum(holders.map((h) => h.row?.idleRssKiB)),
      stationsConnected,
    );
    return {
      stationsConnected,
      idleForMs,
      processes: rows,
      perStationKiB,
      loadGeneratorRssKiB: Math.round(process.memoryUsage().rss / 1024),
    };
  } finally {
    await sim.stop();
  }
}

function perStation(
  before: number | undefined,
  after: number | undefined,
  stations: number,
): number | undefined {
  if (before === undefined || after === undefined || stations <= 0) return undefined;
  // `+ 0`: a shrink rounded to nothing is 0, not -0 (JSON writes -0 as 0, and the report must survive its JSON).
  return Math.round(((after - before) / stations) * 100) / 100 + 0;
}

/**
 * Boot storm: every station connects at once (at most 500 handshakes in flight, the simulator's default)
 * and sends its BootNotification; how long until every one was answered Accepted, and how many were not
 * within the timeout.
 */
export async function bootStorm(ctx: PhaseContext): Promise<BootStormResult> {
  const timeoutMs = ctx.options.bootStormTimeoutSec * 1000;
  const sim = new Simulator({
    ...fleet(ctx),
    bootStorm: true,
    heartbeatIntervalSec: 0,
    transaction: { auto: false },
    durationMs: timeoutMs + 60_000,
    stopGraceMs: 5_000,
  });
  try {
    const startedAt = performance.now();
    let lastBootMs = 0;
    await abortable(sim.start(), ctx.signal);
    const results = await abortable(
      Promise.all(
        sim.stations.map((s) =>
          s.whenAccepted(timeoutMs).then((ok) => {
            if (ok) lastBootMs = Math.max(lastBootMs, performance.now() - startedAt);
            return ok;
          }),
        ),
      ),
      ctx.signal,
    );
    const booted = results.filter(Boolean).length;
    await sim.stop();
    const stats = sim.stats();
    return {
      stations: ctx.options.stations,
      booted,
      failed: ctx.options.stations - booted,
      allBootedMs: booted === ctx.options.stations ? Math.round(lastBootMs) : null,
      lastBootMs: Math.round(lastBootMs),
      timeoutMs,
      connectFailures: stats.connections.failures,
      bootNotification: stats.actions.filter((a) => a.action === 'BootNotification'),
      maxConcurrentConnects: MAX_CONCURRENT_CONNECTS,
    };
  } finally {
    await sim.stop();
  }
}

/**
 * The peak RSS of every server process over everything measured so far: VmHWM, but never below an RSS we
 * read ourselves. The kernel keeps RSS in per-CPU counters and folds them into VmHWM only lazily (on unmap,
 * exit, or when /proc/<pid>/status is read), so a VmHWM read after memory was returned can be lower than a
 * VmRSS read earlier (seen in CI: peak 90,796 KiB < idle 90,952 KiB).
 */
export function withPeaks(memory: MemoryResult, processes: readonly ServerProcess[]): MemoryResult {
  return {
    ...memory,
    processes: memory.processes.map((row, i) => {
      const hwm = readProcessMemory(processes[i]?.pid)?.peakRssKiB;
      const seen = [hwm, row.baselineRssKiB, row.idleRssKiB].filter((v): v is number => v !== undefined);
      return { ...row, peakRssKiB: hwm === undefined ? undefined : Math.max(...seen) };
    }),
  };
}
