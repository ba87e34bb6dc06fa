import { Simulator, type SimulatorStats } from '@csms/simulator';
import type { ConfigurationName, ResolvedOptions, SweepSettings } from './options.js';
import {
  abortable,
  callErrorCount,
  connectBudgetMs,
  fleet,
  sleep,
  trafficSettings,
  type PhaseContext,
} from './phases.js';

/** One load step of the sweep: a fleet of `stations` measured over a steady window after its ramp-up. */
export interface SweepStep {
  readonly stations: number;
  /** Stations Accepted before the window started. */
  readonly booted: number;
  readonly windowMs: number;
  /** CALLs the stations sent per second in the window (closed loop: drops when answers are slow). */
  readonly offeredPerSecond: number;
  readonly answersPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly authorizeP99Ms: number;
  readonly timeouts: number;
  readonly callErrors: number;
  /** Every station booted, p99 under the limit, no timeout and no CALLERROR in the window. */
  readonly sustained: boolean;
  /** Why not, when not sustained. */
  readonly reason: string | null;
}

/** The sweep of one configuration. */
export interface SweepResult {
  readonly configuration: ConfigurationName;
  readonly steps: readonly SweepStep[];
  /** The sustained step with the most answers per second; null when none was. */
  readonly best: SweepStep | null;
  /**
   * The largest load tried was sustained: `best` is a lower bound of what the configuration holds
   * (the load generator or the station limit ended the search, not the configuration).
   */
  readonly boundedByMax: boolean;
}

export interface SweepSummary {
  readonly settings: SweepSettings;
  readonly configurations: readonly SweepResult[];
  /** Best sustained answers/s of each configuration / the ceiling's (null without a ceiling sweep). */
  readonly ratios: Readonly<Partial<Record<ConfigurationName, number | null>>>;
}

/**
 * The load sweep of one running configuration: the highest answers/s it sustains with p99 under
 * `p99LimitMs`. Steps double the number of stations from `startStations` (each station with the
 * sweep's dense traffic) until a step is not sustained or `maxStations` is reached, then bisect
 * between the last sustained and the first failed step `refineSteps` times. Each step: a new fleet
 * ramps up and boots, runs `settleSec`, then its KPI table is taken over `steadySec`
 * (`Simulator.resetStats`), then it stops. Bounded: at most log2(max / start) + 1 + refineSteps steps.
 */
export async function sweep(configuration: ConfigurationName, ctx: PhaseContext): Promise<SweepResult> {
  const s = ctx.options.sweep;
  const steps: SweepStep[] = [];
  const runStep = async (stations: number): Promise<SweepStep> => {
    ctx.log(`[${configuration}] sweep: ${stations} stations`);
    const step = await measureStep(ctx, stations);
    ctx.log(
      `[${configuration}] sweep: ${stations} stations → ${step.answersPerSecond.toFixed(0)} answers/s, ` +
        `p99 ${step.p99Ms.toFixed(1)} ms${step.sustained ? '' : ` (not sustained: ${step.reason})`}`,
    );
    steps.push(step);
    // Let a configuration that fell behind work off its backlog before the next step.
    await sleep(step.sustained ? 1_000 : 5_000, ctx.signal);
    return step;
  };
  let pass: number | undefined;
  let fail: number | undefined;
  for (let stations = s.startStations; ; stations = Math.min(stations * 2, s.maxStations)) {
    const step = await runStep(stations);
    if (step.sustained) pass = stations;
    else {
      fail = stations;
      break;
    }
    if (stations >= s.maxStations) break;
  }
  for (let i = 0; i < s.refineSteps && fail !== undefined; i++) {
    const low = pass ?? 0;
    const next = roundStations((low + fail) / 2);
    if (next <= low || next >= fail) break;
    const step = await runStep(next);
    if (step.sustained) pass = next;
    else fail = next;
  }
  const sustained = steps.filter((x) => x.sustained);
  const best = sustained.reduce<SweepStep | null>(
    (a, b) => (a === null || b.answersPerSecond > a.answersPerSecond ? b : a),
    null,
  );
  return { configuration, steps, best, boundedByMax: fail === undefined };
}

/** Fleet sizes of refined steps: whole stations below 100, multiples of 10 below 1,000, then of 50. */
function roundStations(n: number): number {
  const unit = n >= 1_000 ? 50 : n >= 100 ? 10 : 1;
  return Math.max(1, Math.round(n / unit) * unit);
}

async function measureStep(ctx: PhaseContext, stations: number): Promise<SweepStep> {
  const s = ctx.options.sweep;
  const t = s.traffic;
  const bootBudgetMs = connectBudgetMs(stations, t.rampPerSecond);
  const sim = new Simulator({
    ...fleet(ctx),
    stations,
    ...trafficSettings(t),
    callTimeoutMs: t.callTimeoutMs,
    durationMs: bootBudgetMs + (s.settleSec + s.steadySec) * 1000 + 60_000,
    stopGraceMs: 5_000,
  });
  try {
    await abortable(sim.start(), ctx.signal);
    const booted = await abortable(sim.waitForBoot(bootBudgetMs), ctx.signal);
    await sleep(s.settleSec * 1000, ctx.signal);
    sim.resetStats();
    await sleep(s.steadySec * 1000, ctx.signal);
    return stepOf(stations, booted, sim.stats(), s);
  } finally {
    await sim.stop();
  }
}

function stepOf(stations: number, booted: number, stats: SimulatorStats, s: SweepSettings): SweepStep {
  const callErrors = callErrorCount(stats);
  const reasons: string[] = [];
  if (booted < stations) reasons.push(`${stations - booted} not booted`);
  if (!(stats.all.p99Ms < s.p99LimitMs)) reasons.push(`p99 ≥ ${s.p99LimitMs} ms`);
  if (stats.timeouts > 0) reasons.push(`${stats.timeouts} timeouts`);
  if (callErrors > 0) reasons.push(`${callErrors} CALLERRORs`);
  if (stats.all.count === 0) reasons.push('no answers');
  return {
    stations,
    booted,
    windowMs: stats.elapsedMs,
    offeredPerSecond: stats.messages.sentPerSecond,
    answersPerSecond: stats.messages.receivedPerSecond,
    p50Ms: stats.all.p50Ms,
    p99Ms: stats.all.p99Ms,
    authorizeP99Ms: stats.authorize.p99Ms,
    timeouts: stats.timeouts,
    callErrors,
    sustained: reasons.length === 0,
    reason: reasons.length === 0 ? null : reasons.join(', '),
  };
}

/** The summary of the sweeps of a run, with each configuration's best as a fraction of the ceiling's. */
export function summariseSweeps(options: ResolvedOptions, results: readonly SweepResult[]): SweepSummary {
  const ceiling = results.find((r) => r.configuration === 'ceiling')?.best?.answersPerSecond;
  const ratios: Partial<Record<ConfigurationName, number | null>> = {};
  for (const r of results) {
    const best = r.best?.answersPerSecond;
    ratios[r.configuration] =
      ceiling === undefined || !(ceiling > 0) || best === undefined
        ? null
        : Math.round((best / ceiling) * 1000) / 1000;
  }
  return { settings: options.sweep, configurations: results, ratios };
}
