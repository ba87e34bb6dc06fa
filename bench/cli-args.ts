/** The command line of `npm run bench` (bench/cli.ts): its usage text and parser. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CONFIGURATIONS,
  LIMITS,
  definedOnly,
  resolveOptions,
  type BenchOptions,
  type ConfigurationName,
  type TrafficShape,
} from './options.js';

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
  --pg-tcp                   the CSMS reaches PostgreSQL over TCP on 127.0.0.1 (default: its Unix socket)
  --pg-statements            report PostgreSQL's statements per answered CALL over the steady phase's CPU window
                             (pg_stat_statements: calls, execution time, rows; PostgreSQL configurations)
  --edges <n> --workers <n>  distributed topology (default 1 edge, 2 workers)
  --worker-domains in-process|grpc   distributed: the workers run the auth and transaction domain code in their
                             own fenced transaction (default; the services still run), or call them over gRPC
  --sweep                    add the load sweep: the highest answers/s each configuration sustains with
                             p99 < 100 ms (stations doubled from --sweep-start up to --sweep-max, then bisected)
  --sweep-only               only the load sweep (no warm-up, memory, steady phase or boot storm)
  --sweep-start <n>          stations of the first sweep step (ci 10, full 50)
  --sweep-max <n>            stations of the largest sweep step (ci 40, full 10,000; at most --stations)
  --sweep-steady <s>         measured window of each sweep step (ci 3, full 15)
  --sweep-p99 <ms>           p99 limit of a sustained step (default 100)
  --overload <n>             add the overload phase: n stations with the sweep's dense traffic, then n more
                             (2× the offered load) for --overload-sec, then p99 recovery; n = the sweep's
                             highest sustained step, at most --stations / 2 (see bench/README.md)
  --overload-sec <s>         how long both fleets run (5..${LIMITS.overloadSec}, default 30)
  --recovery-sec <s>         how long to wait for p99 < --sweep-p99 again (5..${LIMITS.recoverySec}, default 30)
  --set KEY=VALUE            a CSMS_* setting for every CSMS process (repeatable), e.g. an A/B of
                             --set CSMS_DATABASE_GROUP_COMMIT=false against the default
  --cpu-prof <dir>           V8 CPU profile of every CSMS process (node --cpu-prof) into <dir>, summarised
                             in the report (self time by module and function)
  --json <file>              also write the results as JSON
  --help`;

/** The command line (without node and the script): options plus the JSON output path. */
export interface CliRequest {
  readonly help: boolean;
  readonly options: BenchOptions;
  readonly json: string | undefined;
}

/** The flags of `npm run bench -- ...`, parsed strictly (values still strings). */
function cliValues(argv: readonly string[]) {
  return parseArgs({
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
      'pg-tcp': { type: 'boolean' },
      'pg-statements': { type: 'boolean' },
      edges: { type: 'string' },
      workers: { type: 'string' },
      'worker-domains': { type: 'string' },
      sweep: { type: 'boolean' },
      'sweep-only': { type: 'boolean' },
      'sweep-start': { type: 'string' },
      'sweep-max': { type: 'string' },
      'sweep-steady': { type: 'string' },
      'sweep-p99': { type: 'string' },
      overload: { type: 'string' },
      'overload-sec': { type: 'string' },
      'recovery-sec': { type: 'string' },
      'cpu-prof': { type: 'string' },
      set: { type: 'string', multiple: true },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/** A numeric flag (range checks come with resolveOptions). */
function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new RangeError(`--${name}: not a number: "${value}"`);
  return n;
}

/** The flags with a fixed set of values, checked. */
function choices(values: ReturnType<typeof cliValues>): {
  profile: BenchOptions['profile'];
  embeddedDb: BenchOptions['embeddedDb'];
  workerDomains: BenchOptions['workerDomains'];
  sp: string | undefined;
  configs: ConfigurationName[] | undefined;
} {
  if (values['boot-storm'] === true && values['no-boot-storm'] === true)
    throw new RangeError('--boot-storm and --no-boot-storm exclude each other');
  const profile = values.profile;
  if (profile !== undefined && profile !== 'ci' && profile !== 'full')
    throw new RangeError(`--profile must be ci or full, got "${profile}"`);
  const embeddedDb = values['embedded-db'];
  if (embeddedDb !== undefined && embeddedDb !== 'postgres' && embeddedDb !== 'pglite')
    throw new RangeError(`--embedded-db must be postgres or pglite, got "${embeddedDb}"`);
  const workerDomains = values['worker-domains'];
  if (workerDomains !== undefined && workerDomains !== 'grpc' && workerDomains !== 'in-process')
    throw new RangeError(`--worker-domains must be grpc or in-process, got "${workerDomains}"`);
  const sp = values['security-profile'];
  if (sp !== undefined && sp !== '0' && sp !== '1')
    throw new RangeError(`--security-profile must be 0 or 1, got "${sp}"`);
  const configs = values.configs?.split(',').map((c) => c.trim());
  for (const c of configs ?? []) {
    if (!(CONFIGURATIONS as readonly string[]).includes(c))
      throw new RangeError(`--configs: unknown configuration "${c}" (${CONFIGURATIONS.join(', ')})`);
  }
  return { profile, embeddedDb, workerDomains, sp, configs: configs as ConfigurationName[] | undefined };
}

/** `--overload <n>` with its optional durations (which need it). */
function overloadOf(values: ReturnType<typeof cliValues>): BenchOptions['overload'] {
  const baseStations = num('overload', values.overload);
  const overloadSec = num('overload-sec', values['overload-sec']);
  const recoverySec = num('recovery-sec', values['recovery-sec']);
  if (baseStations === undefined) {
    if (overloadSec !== undefined || recoverySec !== undefined)
      throw new RangeError('--overload-sec and --recovery-sec need --overload <stations>');
    return undefined;
  }
  return { baseStations, ...definedOnly({ overloadSec, recoverySec }) };
}

/** `--set KEY=VALUE` flags: CSMS_* settings only (the benchmark's own settings are not overridable here). */
function settingsOf(flags: readonly string[] | undefined): Record<string, string> | undefined {
  if (flags === undefined) return undefined;
  const settings: Record<string, string> = {};
  for (const flag of flags) {
    const match = /^(CSMS_[A-Z0-9_]+)=(.*)$/s.exec(flag);
    if (match === null) throw new RangeError(`--set needs CSMS_NAME=value, got "${flag}"`);
    settings[match[1]!] = match[2]!;
  }
  return settings;
}

/** Parses `npm run bench -- ...`. Throws RangeError / TypeError on bad input. */
export function parseCli(argv: readonly string[]): CliRequest {
  const values = cliValues(argv);
  if (values.help === true) return { help: true, options: {}, json: undefined };
  const { profile, embeddedDb, workerDomains, sp, configs } = choices(values);
  const traffic: Partial<TrafficShape> = definedOnly({
    rampPerSecond: num('ramp', values.ramp),
    heartbeatSec: num('heartbeat', values.heartbeat),
    meterValueIntervalMs: num('mv-interval', values['mv-interval']),
    meterValuesPerTransaction: num('mv-per-tx', values['mv-per-tx']),
    pauseBetweenMs: num('pause', values.pause),
  });
  const options: BenchOptions = definedOnly({
    profile,
    configurations: configs,
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
    pgTransport: values['pg-tcp'] === true ? 'tcp' : undefined,
    pgStatements: values['pg-statements'] === true ? true : undefined,
    edges: num('edges', values.edges),
    workers: num('workers', values.workers),
    workerDomains,
    csmsSettings: settingsOf(values.set),
    cpuProfileDir:
      values['cpu-prof'] === undefined
        ? undefined
        : resolve(process.env.INIT_CWD ?? process.cwd(), values['cpu-prof']),
    sweep: definedOnly({
      enabled: values.sweep === true || values['sweep-only'] === true ? true : undefined,
      only: values['sweep-only'] === true ? true : undefined,
      startStations: num('sweep-start', values['sweep-start']),
      maxStations: num('sweep-max', values['sweep-max']),
      steadySec: num('sweep-steady', values['sweep-steady']),
      p99LimitMs: num('sweep-p99', values['sweep-p99']),
    }),
    overload: overloadOf(values),
  });
  resolveOptions(options); // fail before starting anything
  return { help: false, options, json: values.json };
}
