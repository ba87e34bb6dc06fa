import { mkdirSync, readdirSync } from 'node:fs';
import { cpus, hostname, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { SimulatorStats } from '@csms/simulator';
import { Cleanup } from './cleanup.js';
import {
  resolveOptions,
  type BenchOptions,
  type ConfigurationName,
  type ResolvedOptions,
} from './options.js';
import {
  bootStorm,
  idleMemory,
  steady,
  throwIfAborted,
  warmup,
  withPeaks,
  type BootStormResult,
  type MemoryResult,
  type PhaseContext,
  type StopSummary,
  type WarmupSummary,
} from './phases.js';
import { summariseCpuProfile, type ProfileSummary } from './cpu-profile.js';
import type { CpuResult, CpuSubject } from './cpu-usage.js';
import { overload, type OverloadResult } from './overload.js';
import { PgStatementsWindow, type PgStatementsResult } from './pg-statements.js';
import { openFileLimit } from './processes.js';
import { summariseSweeps, sweep, type SweepResult, type SweepSummary } from './sweep.js';
import { SharedInfra } from './shared-infra.js';
import {
  checkBuild,
  startCeiling,
  startDistributed,
  startEmbedded,
  type DatabaseInfo,
  type Target,
} from './targets.js';

/** A configuration's figures relative to the ceiling's (null without a ceiling or when it is 0). */
export interface Ratios {
  /** Answers per second / the ceiling's: 1 = kept up with the same offered load. */
  readonly messageRate: number | null;
  /** p99 response time over every action / the ceiling's. */
  readonly p99: number | null;
  /** Authorize p99 / the ceiling's. */
  readonly authorizeP99: number | null;
  /** Server CPU per answered CALL (all processes, PostgreSQL and nats-server included) / the ceiling's. */
  readonly cpuPerCall: number | null;
}

export interface ConfigurationResult {
  readonly name: ConfigurationName;
  readonly description: string;
  readonly url: string;
  readonly database: DatabaseInfo;
  readonly warmup: WarmupSummary | null;
  readonly memory: MemoryResult;
  /**
   * The simulator's KPI table of the steady phase: from the first station's start (the ramp-up and its
   * BootNotifications included) to the end of the duration, taken before the graceful stop.
   */
  readonly steady: SimulatorStats;
  /** The graceful stop after the steady phase (every running transaction ends): not in the table. */
  readonly steadyStop: StopSummary;
  /**
   * CPU time of every server process (PostgreSQL with its backends and nats-server included) and of the
   * load generator over a window of the steady phase: from every station booted + 2 s to the table.
   */
  readonly cpu: CpuResult;
  /** PostgreSQL's statements over the CPU window (`--pg-statements`, PostgreSQL configurations); else null. */
  readonly pgStatements: PgStatementsResult | null;
  readonly bootStorm: BootStormResult | null;
  /** Log lines the server processes wrote at level warn / error or fatal (CSMS_LOG_LEVEL=warn). */
  readonly serverLog: { readonly warnings: number; readonly errors: number };
  readonly ratios: Ratios;
}

export interface BenchResult {
  readonly schema: 'csms-bench/1';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly elapsedMs: number;
  readonly machine: {
    readonly hostname: string;
    readonly platform: string;
    readonly arch: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly totalMemoryMiB: number;
    readonly node: string;
    /** 1, 5 and 15 minute load averages when the run started (a busy machine shows here). */
    readonly loadAverage: readonly number[];
  };
  readonly options: ResolvedOptions;
  /** Empty with `--sweep-only`. */
  readonly configurations: readonly ConfigurationResult[];
  /** The load sweep (`--sweep`, `--sweep-only`); null when not run. */
  readonly sweep: SweepSummary | null;
  /** The overload phase of each configuration (`--overload`); null when not run. */
  readonly overload: readonly OverloadResult[] | null;
  /** CPU profiles of the CSMS processes (`--cpu-prof`), summarised; empty without. */
  readonly cpuProfiles: readonly CpuProfileResult[];
}

/** One CSMS process's CPU profile over its whole life in the run. */
export interface CpuProfileResult {
  readonly configuration: ConfigurationName;
  readonly process: string;
  readonly pid: number;
  readonly summary: ProfileSummary;
}

/**
 * Runs the benchmark: for each configuration (ceiling, embedded, distributed, in this order) start it,
 * warm up, read memory with the fleet connected and idle, run the steady phase, optionally the boot
 * storm, the load sweep and the overload phase, stop it. Everything started is stopped and removed
 * before this resolves or rejects.
 */
export async function runBench(input: BenchOptions = {}): Promise<BenchResult> {
  const options = resolveOptions(input);
  const log = input.log ?? (() => {});
  const signal = input.signal;
  checkBuild(options.configurations);
  const limit = openFileLimit();
  const needed = options.stations * (options.edges > 1 ? 3 : 1) + 256;
  if (limit !== undefined && limit < needed) {
    throw new Error(
      `${options.stations} stations need about ${needed} open files in this process, the limit is ${limit} ` +
        '(raise it with `ulimit -n`)',
    );
  }
  const startedAt = new Date();
  const started = performance.now();
  const machine = {
    hostname: hostname(),
    platform: process.platform,
    arch: process.arch,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryMiB: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  const cleanup = new Cleanup(log);
  const infra = new SharedInfra(options, cleanup, log);
  const measured: Omit<ConfigurationResult, 'ratios'>[] = [];
  const sweeps: SweepResult[] = [];
  const overloads: OverloadResult[] = [];
  const cpuProfiles: CpuProfileResult[] = [];
  if (options.cpuProfileDir !== undefined) mkdirSync(options.cpuProfileDir, { recursive: true });
  try {
    for (const name of options.configurations) {
      throwIfAborted(signal);
      log(`[${name}] starting`);
      const target = await start(name, options, infra, cleanup);
      try {
        if (!options.sweep.only) measured.push(await measure(target, options, infra.password, signal, log));
        const ctx: PhaseContext = { options, url: target.url, password: infra.password, signal, log };
        if (options.sweep.enabled) sweeps.push(await sweep(name, ctx));
        if (options.overload !== null) overloads.push(await overload(name, ctx, target.processes));
      } catch (error) {
        const tail = target.tail().slice(-20);
        if (tail.length > 0 && !(error instanceof Error && error.name === 'AbortError'))
          log(`[${name}] last server log lines:\n${tail.join('\n')}`);
        throw error;
      } finally {
        log(`[${name}] stopping`);
        await target.stop();
        if (options.cpuProfileDir !== undefined && name !== 'ceiling')
          cpuProfiles.push(...collectProfiles(options.cpuProfileDir, name, target, log));
      }
    }
  } finally {
    await cleanup.runAll();
  }
  const ceiling = measured.find((m) => m.name === 'ceiling');
  const configurations = measured.map((m) => ({ ...m, ratios: ratios(m, ceiling) }));
  return {
    schema: 'csms-bench/1',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    elapsedMs: Math.round(performance.now() - started),
    machine,
    options,
    configurations,
    sweep: options.sweep.enabled ? summariseSweeps(options, sweeps) : null,
    overload: options.overload !== null ? overloads : null,
    cpuProfiles,
  };
}

/** The profiles the target's processes wrote at exit (`CPU.<date>.<time>.<pid>.<tid>.<n>.cpuprofile`). */
function collectProfiles(
  dir: string,
  configuration: ConfigurationName,
  target: Target,
  log: (line: string) => void,
): CpuProfileResult[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const out: CpuProfileResult[] = [];
  for (const p of target.processes) {
    if (p.pid === undefined) continue;
    const file = files.find((f) => f.split('.')[3] === String(p.pid));
    if (file === undefined) {
      log(`[${configuration}] no CPU profile of ${p.name} (pid ${p.pid}) in ${dir}`);
      continue;
    }
    out.push({ configuration, process: p.name, pid: p.pid, summary: summariseCpuProfile(join(dir, file)) });
  }
  return out;
}

function start(
  name: ConfigurationName,
  options: ResolvedOptions,
  infra: SharedInfra,
  cleanup: Cleanup,
): Promise<Target> {
  switch (name) {
    case 'ceiling':
      return startCeiling(cleanup);
    case 'embedded':
      return startEmbedded(options, infra, cleanup);
    case 'distributed':
      return startDistributed(options, infra, cleanup);
  }
}

async function measure(
  target: Target,
  options: ResolvedOptions,
  password: string | undefined,
  signal: AbortSignal | undefined,
  log: (line: string) => void,
): Promise<Omit<ConfigurationResult, 'ratios'>> {
  const ctx: PhaseContext = { options, url: target.url, password, signal, log };
  const stations = options.stations;
  log(`[${target.name}] ${target.description} at ${target.url}`);
  if (options.warmupSec > 0) log(`[${target.name}] warm-up: ${stations} stations, ${options.warmupSec} s`);
  const warm = await warmup(ctx);
  log(`[${target.name}] memory: ${stations} stations connected and idle for ${options.idleSec} s`);
  const memory = await idleMemory(ctx, target.processes);
  log(`[${target.name}] steady traffic: ${stations} stations, ${options.durationSec} s`);
  const statements =
    options.pgStatements && target.databaseUrl !== undefined
      ? new PgStatementsWindow(target.databaseUrl)
      : undefined;
  const run = await steady(ctx, cpuSubjects(target), statements);
  if (run.cpu === null) throw new Error('the steady phase returned no CPU measurement');
  let storm: BootStormResult | null = null;
  if (options.bootStorm) {
    log(`[${target.name}] boot storm: ${stations} stations at once`);
    storm = await bootStorm(ctx);
  }
  return {
    name: target.name,
    description: target.description,
    url: target.url,
    database: target.database,
    warmup: warm,
    memory: withPeaks(memory, target.processes),
    steady: run.stats,
    steadyStop: run.stop,
    cpu: run.cpu,
    pgStatements: run.pgStatements,
    bootStorm: storm,
    serverLog: { warnings: target.logCounts().warn, errors: target.logCounts().error },
  };
}

function ratio(value: number, base: number | undefined): number | null {
  if (base === undefined || !(base > 0)) return null;
  return Math.round((value / base) * 1000) / 1000;
}

type Measured = Pick<ConfigurationResult, 'steady' | 'cpu'>;

function ratios(m: Measured, ceiling: Measured | undefined): Ratios {
  const stats = m.steady;
  const base = ceiling?.steady;
  return {
    messageRate: ratio(stats.messages.receivedPerSecond, base?.messages.receivedPerSecond),
    p99: ratio(stats.all.p99Ms, base?.all.p99Ms),
    authorizeP99: ratio(stats.authorize.p99Ms, base?.authorize.p99Ms),
    cpuPerCall:
      m.cpu.total.microsPerCall === null
        ? null
        : ratio(m.cpu.total.microsPerCall, ceiling?.cpu.total.microsPerCall ?? undefined),
  };
}

/** Every process whose CPU is measured: the target's own processes, then the shared servers it uses. */
function cpuSubjects(target: Target): CpuSubject[] {
  return [
    ...target.processes.map((p): CpuSubject => ({
      name: p.name,
      role: p.role,
      pid: p.pid,
      withChildren: false,
    })),
    ...target.infrastructure,
  ];
}
