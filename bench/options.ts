import { parseArgs } from 'node:util';

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
  readonly edges: number;
  readonly workers: number;
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
  readonly edges?: number;
  readonly workers?: number;
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
} as const;

const PROFILES: Record<ProfileName, Omit<ResolvedOptions, 'profile'>> = {
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
    edges: 1,
    workers: 2,
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
    edges: 1,
    workers: 2,
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
    edges: options.edges ?? base.edges,
    workers: options.workers ?? base.workers,
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

function definedOnly<T extends object>(value: T): Partial<T> {
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

export const USAGE = `usage: npm run bench -- [options]

Measures, one after the other on this machine and with the same simulated fleet: a bare WebSocket echo
server (the ceiling), the embedded CSMS, and the distributed topology (edges + workers + NATS +
PostgreSQL as separate processes). Prints the KPI tables and a comparison; 127.0.0.1 only.

  --profile ci|full          ci: 50 stations, 10 s each (default); full: 10,000 stations, 60 s + boot storm
  --stations <n>             stations (1..${LIMITS.stations})
  --duration <s>             steady phase per configuration (1..${LIMITS.durationSec})
  --warmup <s>               warm-up per configuration (0..${LIMITS.warmupSec})
  --idle <s>                 stations connected and idle before memory is read (0..${LIMITS.idleSec})
  --mix <0..1>               share of OCPP 2.0.1 stations (default 0.5)
  --configs <list>           comma-separated subset of ${CONFIGURATIONS.join(',')}
  --boot-storm               add the boot storm phase (on in full)
  --no-boot-storm            skip it
  --boot-storm-timeout <s>   stations not Accepted by then count as failed (ci 30, full 180)
  --ramp <n>                 stations started per second
  --heartbeat <s>            heartbeat interval of the stations
  --mv-interval <ms>         meter value interval
  --mv-per-tx <n>            meter values per transaction
  --pause <ms>               pause between transactions
  --security-profile 0|1     0: no credentials (default); 1: HTTP Basic auth
  --embedded-db postgres|pglite   database of the embedded CSMS (default postgres)
  --pg-fast                  PostgreSQL with fsync and synchronous_commit off (default: durable)
  --edges <n> --workers <n>  distributed topology (default 1 edge, 2 workers)
  --json <file>              also write the results as JSON
  --help`;

/** The command line (without node and the script): options plus the JSON output path. */
export interface CliRequest {
  readonly help: boolean;
  readonly options: BenchOptions;
  readonly json: string | undefined;
}

/** Parses `npm run bench -- ...`. Throws RangeError / TypeError on bad input. */
export function parseCli(argv: readonly string[]): CliRequest {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      profile: { type: 'string' },
      stations: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      idle: { type: 'string' },
      mix: { type: 'string' },
      configs: { type: 'string' },
      'boot-storm': { type: 'boolean' },
      'no-boot-storm': { type: 'boolean' },
      'boot-storm-timeout': { type: 'string' },
      ramp: { type: 'string' },
      heartbeat: { type: 'string' },
      'mv-interval': { type: 'string' },
      'mv-per-tx': { type: 'string' },
      pause: { type: 'string' },
      'security-profile': { type: 'string' },
      'embedded-db': { type: 'string' },
      'pg-fast': { type: 'boolean' },
      edges: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return { help: true, options: {}, json: undefined };
  const num = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n))
      throw new RangeError(`--${name}: not a number: "${value}"`);
    return n;
  };
  if (values['boot-storm'] === true && values['no-boot-storm'] === true)
    throw new RangeError('--boot-storm and --no-boot-storm exclude each other');
  const profile = values.profile;
  if (profile !== undefined && profile !== 'ci' && profile !== 'full')
    throw new RangeError(`--profile must be ci or full, got "${profile}"`);
  const embeddedDb = values['embedded-db'];
  if (embeddedDb !== undefined && embeddedDb !== 'postgres' && embeddedDb !== 'pglite')
    throw new RangeError(`--embedded-db must be postgres or pglite, got "${embeddedDb}"`);
  const sp = values['security-profile'];
  if (sp !== undefined && sp !== '0' && sp !== '1')
    throw new RangeError(`--security-profile must be 0 or 1, got "${sp}"`);
  const configs = values.configs?.split(',').map((c) => c.trim());
  for (const c of configs ?? []) {
    if (!(CONFIGURATIONS as readonly string[]).includes(c))
      throw new RangeError(`--configs: unknown configuration "${c}" (${CONFIGURATIONS.join(', ')})`);
  }
  const traffic: Partial<TrafficShape> = definedOnly({
    rampPerSecond: num('ramp', values.ramp),
    heartbeatSec: num('heartbeat', values.heartbeat),
    meterValueIntervalMs: num('mv-interval', values['mv-interval']),
    meterValuesPerTransaction: num('mv-per-tx', values['mv-per-tx']),
    pauseBetweenMs: num('pause', values.pause),
  });
  const options: BenchOptions = definedOnly({
    profile,
    configurations: configs as ConfigurationName[] | undefined,
    stations: num('stations', values.stations),
    durationSec: num('duration', values.duration),
    warmupSec: num('warmup', values.warmup),
    idleSec: num('idle', values.idle),
    versionMix: num('mix', values.mix),
    bootStorm: values['boot-storm'] === true ? true : values['no-boot-storm'] === true ? false : undefined,
    bootStormTimeoutSec: num('boot-storm-timeout', values['boot-storm-timeout']),
    traffic,
    securityProfile: sp === undefined ? undefined : (Number(sp) as 0 | 1),
    embeddedDb,
    pgDurable: values['pg-fast'] === true ? false : undefined,
    edges: num('edges', values.edges),
    workers: num('workers', values.workers),
  });
  resolveOptions(options); // fail before starting anything
  return { help: false, options, json: values.json };
}
