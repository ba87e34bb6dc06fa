/** The three configurations, measured in this order. */
export const CONFIGURATIONS = ['ceiling', 'embedded', 'distributed'] as const;
export type ConfigurationName = (typeof CONFIGURATIONS)[number];

export type ProfileName = 'ci' | 'full';

/** What the simulated stations do during the warm-up and the steady phase (the same for every configuration). */
export interface TrafficShape {
  /** Stations started per second (ramp-up of the warm-up, idle and steady phases). */
  readonly rampPerSecond: number;
  /** Heartbeat interval, s (overrides the server's). */
  readonly heartbeatSec: number;
  /** Interval between periodic meter values of a transaction, ms. */
  readonly meterValueIntervalMs: number;
  /** Periodic meter values per transaction. */
  readonly meterValuesPerTransaction: number;
  /** Pause between two transactions of a station, ms (jittered ±50% by the simulator). */
  readonly pauseBetweenMs: number;
  /** CALL timeout of the stations, ms. */
  readonly callTimeoutMs: number;
}

/** The load sweep (`--sweep`): the highest answers/s each configuration sustains with p99 under a limit. */
export interface SweepSettings {
  /** Run the sweep after the other phases of each configuration. */
  readonly enabled: boolean;
  /** Run only the sweep (no warm-up, memory, steady phase or boot storm). */
  readonly only: boolean;
  /** Stations of the first step; each next step doubles them. */
  readonly startStations: number;
  /** Stations of the largest step (at most the fleet's `stations`, which are seeded). */
  readonly maxStations: number;
  /** Bisection steps between the last sustained and the first failed step. */
  readonly refineSteps: number;
  /** Running time of a step's fleet after it booted and before its window, s. */
  readonly settleSec: number;
  /** The measured window of a step, s. */
  readonly steadySec: number;
  /** A step is sustained when its p99 over all CALLs stays below this (and nothing timed out or failed). */
  readonly p99LimitMs: number;
  /** Per-station traffic of the sweep: dense, so that the rate grows quickly with the stations. */
  readonly traffic: TrafficShape;
}

/**
 * The overload phase (`--overload <n>`): fleet A of `baseStations` (the sweep's dense traffic), then fleet
 * B of as many more (2× the offered load: the load generator is a closed loop) for `overloadSec`, then
 * up to `recoverySec` of A alone, read second by second (see bench/overload.ts).
 */
export interface OverloadSettings {
  /** Stations of fleet A, and of fleet B (choose the sweep's highest sustained step). */
  readonly baseStations: number;
  /** How long both fleets run together, s. */
  readonly overloadSec: number;
  /** At most this long after B stopped, A's per-second windows are read until p99 recovered, s. */
  readonly recoverySec: number;
}

/** Everything a run needs, profile defaults applied and bounds checked. */
export interface ResolvedOptions {
  readonly profile: ProfileName;
  readonly configurations: readonly ConfigurationName[];
  readonly stations: number;
  /** Share of OCPP 2.0.1 stations (interleaved with 1.6 ones). */
  readonly versionMix: number;
  readonly warmupSec: number;
  readonly durationSec: number;
  /** How long the stations stay connected and idle before memory is read. */
  readonly idleSec: number;
  readonly bootStorm: boolean;
  /** How long the boot storm may take before the stations not yet Accepted count as failed. */
  readonly bootStormTimeoutSec: number;
  readonly traffic: TrafficShape;
  /** 0: stations declared without credentials; 1: HTTP Basic auth (passwords hashed with scrypt). */
  readonly securityProfile: 0 | 1;
  readonly embeddedDb: 'postgres' | 'pglite';
  /** PostgreSQL defaults (fsync, synchronous_commit on) unless false (test speed settings). */
  readonly pgDurable: boolean;
  /**
   * How the CSMS processes reach the private PostgreSQL server: its Unix-domain socket (the natural
   * choice for a database on the same machine) or TCP on 127.0.0.1.
   */
  readonly pgTransport: 'unix' | 'tcp';
  readonly edges: number;
  readonly workers: number;
  /**
   * Distributed: how the workers reach the auth and transaction domains: in-process (the default and the
   * Helm chart's: the same domain code on the actor's fenced transaction; the services still run and serve
   * the API) or over gRPC (every Authorize and transaction record a round trip).
   */
  readonly workerDomains: 'grpc' | 'in-process';
  /** CSMS_* settings added to every CSMS process's environment (`--set`). */
  readonly csmsSettings: Readonly<Record<string, string>>;
  readonly sweep: SweepSettings;
  /** The overload phase after the other phases of each configuration; null when not run. */
  readonly overload: OverloadSettings | null;
  /** Write a V8 CPU profile of every CSMS process into this folder and summarise it (`--cpu-prof`). */
  readonly cpuProfileDir: string | undefined;
  /**
   * Load pg_stat_statements into the private PostgreSQL server and report, over the steady phase's CPU window, the
   * statements per answered CALL with their execution time (`--pg-statements`).
   */
  readonly pgStatements: boolean;
}

/** Options of {@link runBench}: a profile plus overrides. */
export interface BenchOptions {
  readonly profile?: ProfileName;
  readonly configurations?: readonly ConfigurationName[];
  readonly stations?: number;
  readonly versionMix?: number;
  readonly warmupSec?: number;
  readonly durationSec?: number;
  readonly idleSec?: number;
  readonly bootStorm?: boolean;
  readonly bootStormTimeoutSec?: number;
  readonly traffic?: Partial<TrafficShape>;
  readonly securityProfile?: 0 | 1;
  readonly embeddedDb?: 'postgres' | 'pglite';
  readonly pgDurable?: boolean;
  readonly pgTransport?: 'unix' | 'tcp';
  readonly edges?: number;
  readonly workers?: number;
  readonly workerDomains?: 'grpc' | 'in-process';
  readonly csmsSettings?: Readonly<Record<string, string>>;
  readonly sweep?: Partial<Omit<SweepSettings, 'traffic'>> & { readonly traffic?: Partial<TrafficShape> };
  readonly overload?: {
    readonly baseStations: number;
    readonly overloadSec?: number;
    readonly recoverySec?: number;
  };
  readonly cpuProfileDir?: string;
  readonly pgStatements?: boolean;
  /** Aborts the run (Ctrl-C): the current phase stops, everything is cleaned up, runBench rejects. */
  readonly signal?: AbortSignal;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

/** Hard bounds: a typo must not start a million sockets or a run that never ends. */
export const LIMITS = {
  stations: 20_000,
  durationSec: 600,
  warmupSec: 120,
  idleSec: 60,
  bootStormTimeoutSec: 600,
  edges: 8,
  workers: 16,
  overloadBaseStations: 10_000,
  overloadSec: 300,
  recoverySec: 120,
} as const;

/** Overload phase defaults (the scenario: 2× the sustainable rate for 30 s). */
const OVERLOAD_SEC = 30;
const RECOVERY_SEC = 30;

/**
 * Per-station traffic of the sweep (~1.5-2 CALLs/s per station): a transaction of 4 meter values 1 s
 * apart, 1 s (± 50%) between transactions, a heartbeat every 10 s; stations start at 2,000/s.
 */
const SWEEP_TRAFFIC: TrafficShape = {
  rampPerSecond: 2_000,
  heartbeatSec: 10,
  meterValueIntervalMs: 1_000,
  meterValuesPerTransaction: 4,
  pauseBetweenMs: 1_000,
  callTimeoutMs: 10_000,
};

const PROFILES: Record<
  ProfileName,
  Omit<ResolvedOptions, 'profile' | 'cpuProfileDir' | 'pgStatements' | 'overload' | 'csmsSettings'>
> = {
  // Small and short: proves the harness end to end in CI (< 2 minutes for the three configurations).
  // The traffic is dense so that every message kind shows up within 10 s.
  ci: {
    configurations: CONFIGURATIONS,
    stations: 50,
    versionMix: 0.5,
    warmupSec: 3,
    durationSec: 10,
    idleSec: 3,
    bootStorm: false,
    bootStormTimeoutSec: 30,
    traffic: {
      rampPerSecond: 100,
      heartbeatSec: 5,
      meterValueIntervalMs: 2_000,
      meterValuesPerTransaction: 2,
      pauseBetweenMs: 1_000,
      callTimeoutMs: 10_000,
    },
    securityProfile: 0,
    embeddedDb: 'postgres',
    pgDurable: true,
    pgTransport: 'unix',
    edges: 1,
    workers: 2,
    workerDomains: 'in-process',
    sweep: {
      enabled: false,
      only: false,
      startStations: 10,
      maxStations: 40,
      refineSteps: 1,
      settleSec: 1,
      steadySec: 3,
      p99LimitMs: 100,
      traffic: SWEEP_TRAFFIC,
    },
  },
  // The performance targets of the design brief: 10,000 stations, half 1.6 and half 2.0.1, a realistic
  // but busy fleet (a transaction of ~45 s every ~15 s, heartbeat every minute), then a boot storm.
  full: {
    configurations: CONFIGURATIONS,
    stations: 10_000,
    versionMix: 0.5,
    warmupSec: 20,
    durationSec: 60,
    idleSec: 10,
    bootStorm: true,
    bootStormTimeoutSec: 180,
    traffic: {
      rampPerSecond: 1_000,
      heartbeatSec: 60,
      meterValueIntervalMs: 15_000,
      meterValuesPerTransaction: 3,
      pauseBetweenMs: 15_000,
      callTimeoutMs: 30_000,
    },
    securityProfile: 0,
    embeddedDb: 'postgres',
    pgDurable: true,
    pgTransport: 'unix',
    edges: 1,
    workers: 2,
    workerDomains: 'in-process',
    sweep: {
      enabled: false,
      only: false,
      startStations: 50,
      maxStations: 10_000,
      refineSteps: 3,
      settleSec: 5,
      steadySec: 15,
      p99LimitMs: 100,
      traffic: SWEEP_TRAFFIC,
    },
  },
};

/** Applies the profile's defaults and checks every bound. Throws RangeError. */
export function resolveOptions(options: BenchOptions): ResolvedOptions {
  const profile = options.profile ?? 'ci';
  const base = PROFILES[profile];
  if (base === undefined) throw new RangeError(`unknown profile ${String(profile)}`);
  const traffic: TrafficShape = { ...base.traffic, ...definedOnly(options.traffic ?? {}) };
  const resolved: ResolvedOptions = {
    profile,
    configurations: options.configurations ?? base.configurations,
    stations: options.stations ?? base.stations,
    versionMix: options.versionMix ?? base.versionMix,
    warmupSec: options.warmupSec ?? base.warmupSec,
    durationSec: options.durationSec ?? base.durationSec,
    idleSec: options.idleSec ?? base.idleSec,
    bootStorm: options.bootStorm ?? base.bootStorm,
    bootStormTimeoutSec: options.bootStormTimeoutSec ?? base.bootStormTimeoutSec,
    traffic,
    securityProfile: options.securityProfile ?? base.securityProfile,
    embeddedDb: options.embeddedDb ?? base.embeddedDb,
    pgDurable: options.pgDurable ?? base.pgDurable,
    pgTransport: options.pgTransport ?? base.pgTransport,
    workerDomains: options.workerDomains ?? base.workerDomains,
    csmsSettings: options.csmsSettings ?? {},
    edges: options.edges ?? base.edges,
    workers: options.workers ?? base.workers,
    cpuProfileDir: options.cpuProfileDir,
    pgStatements: options.pgStatements ?? false,
    overload:
      options.overload === undefined
        ? null
        : {
            baseStations: options.overload.baseStations,
            overloadSec: options.overload.overloadSec ?? OVERLOAD_SEC,
            recoverySec: options.overload.recoverySec ?? RECOVERY_SEC,
          },
    sweep: {
      ...base.sweep,
      // The sweep's fleets are subsets of the seeded one.
      maxStations: Math.min(base.sweep.maxStations, options.stations ?? base.stations),
      ...definedOnly({ ...(options.sweep ?? {}), traffic: undefined }),
      traffic: { ...base.sweep.traffic, ...definedOnly(options.sweep?.traffic ?? {}) },
    },
  };
  integer('stations', resolved.stations, 1, LIMITS.stations);
  between('versionMix', resolved.versionMix, 0, 1);
  between('warmupSec', resolved.warmupSec, 0, LIMITS.warmupSec);
  between('durationSec', resolved.durationSec, 1, LIMITS.durationSec);
  between('idleSec', resolved.idleSec, 0, LIMITS.idleSec);
  between('bootStormTimeoutSec', resolved.bootStormTimeoutSec, 1, LIMITS.bootStormTimeoutSec);
  integer('edges', resolved.edges, 1, LIMITS.edges);
  integer('workers', resolved.workers, 1, LIMITS.workers);
  between('traffic.rampPerSecond', traffic.rampPerSecond, 1, 100_000);
  integer('traffic.heartbeatSec', traffic.heartbeatSec, 0, 86_400);
  integer('traffic.meterValueIntervalMs', traffic.meterValueIntervalMs, 100, 3_600_000);
  integer('traffic.meterValuesPerTransaction', traffic.meterValuesPerTransaction, 0, 10_000);
  integer('traffic.pauseBetweenMs', traffic.pauseBetweenMs, 0, 3_600_000);
  integer('traffic.callTimeoutMs', traffic.callTimeoutMs, 100, 600_000);
  const sw = resolved.sweep;
  integer('sweep.startStations', sw.startStations, 1, LIMITS.stations);
  integer('sweep.maxStations', sw.maxStations, sw.startStations, resolved.stations);
  integer('sweep.refineSteps', sw.refineSteps, 0, 10);
  between('sweep.settleSec', sw.settleSec, 0, 120);
  between('sweep.steadySec', sw.steadySec, 1, 300);
  between('sweep.p99LimitMs', sw.p99LimitMs, 0.01, 60_000);
  between('sweep.traffic.rampPerSecond', sw.traffic.rampPerSecond, 1, 100_000);
  if (resolved.overload !== null) checkOverload(resolved.overload, resolved.stations);
  if (resolved.securityProfile !== 0 && resolved.securityProfile !== 1)
    throw new RangeError(`securityProfile must be 0 or 1, got ${String(resolved.securityProfile)}`);
  if (resolved.embeddedDb !== 'postgres' && resolved.embeddedDb !== 'pglite')
    throw new RangeError(`embeddedDb must be postgres or pglite, got ${String(resolved.embeddedDb)}`);
  if (resolved.configurations.length === 0) throw new RangeError('no configuration to measure');
  for (const c of resolved.configurations) {
    if (!CONFIGURATIONS.includes(c)) throw new RangeError(`unknown configuration ${String(c)}`);
  }
  // Always measured in the same order, each at most once.
  return {
    ...resolved,
    configurations: CONFIGURATIONS.filter((c) => resolved.configurations.includes(c)),
  };
}

function checkOverload(o: OverloadSettings, stations: number): void {
  integer('overload.baseStations', o.baseStations, 1, LIMITS.overloadBaseStations);
  between('overload.overloadSec', o.overloadSec, 5, LIMITS.overloadSec);
  between('overload.recoverySec', o.recoverySec, 5, LIMITS.recoverySec);
  // Fleet B is BENCH<n+1>..BENCH<2n>: only the `stations` identities are seeded (unknown ones are refused).
  if (2 * o.baseStations > stations)
    throw new RangeError(
      `overload.baseStations: the overload phase runs 2 × ${o.baseStations} = ${2 * o.baseStations} stations, ` +
        `but only ${stations} are seeded (--stations ${stations}): raise --stations to at least ` +
        `${2 * o.baseStations} or lower --overload to at most ${Math.floor(stations / 2)}`,
    );
}

/** `value` without its undefined properties (so that they do not override defaults when spread). */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function between(name: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new RangeError(`${name} must be a number from ${min} to ${max}, got ${String(value)}`);
}

function integer(name: string, value: number, min: number, max: number): void {
  between(name, value, min, max);
  if (!Number.isInteger(value)) throw new RangeError(`${name} must be an integer, got ${value}`);
}
