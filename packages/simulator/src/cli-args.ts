import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkEndpoint, EndpointError } from './endpoint.js';
import { MAX_DURATION_MS, MAX_STATIONS, type SimulatorOptions } from './simulator.js';

export const USAGE = `Usage: npm run simulate -- --url <ws-url> [options]

Simulates OCPP 1.6-J / 2.0.1 charging stations against a CSMS and prints the KPI table.

  --url <ws://host:port/path>   CSMS endpoint; the station identity is appended (required)
  --stations <n>                number of stations (default 10, at most ${MAX_STATIONS})
  --duration <s>                run time in seconds, then a graceful stop (default 60)
  --mix <0..1>                  share of OCPP 2.0.1 stations (default 0.5)
  --boot-storm                  start all stations at once (else --ramp)
  --ramp <n>                    stations started per second (default 100)
  --prefix <text>               station identities <prefix>00001... (default SIM)
  --password-file <file>        Basic-auth passwords: lines "<stationId> <password>", "* <password>" for all
  --connectors <n>              connectors / EVSEs per station (default 1)
  --heartbeat <s>               heartbeat interval overriding the CSMS's
  --mv-interval <ms>            meter value interval (default 10000)
  --mv-per-tx <n>               meter values per transaction (default 6)
  --pause <ms>                  pause between transactions (default 10000)
  --no-transactions             only boot, status and heartbeats
  --id-tokens <a,b,...>         tokens for every station (default: one per station, = its identity)
  --call-timeout <ms>           CALL timeout (default 30000)
  --max-connects <n>            handshakes in progress at once (default 500)
  --allow-remote                allow a non-loopback CSMS host
  --json                        print the stats as JSON
  --write-seed <file>           write a CSMS seed file (stations and their id tokens) and exit
  --help                        this text

The default id tokens must be known to the CSMS as Accepted: generate a seed file with --write-seed and
start the CSMS with CSMS_SEED_FILE=<file>.`;

/** The command line options (values are checked after parsing). */
const OPTIONS = {
  url: { type: 'string' },
  stations: { type: 'string' },
  duration: { type: 'string' },
  mix: { type: 'string' },
  'boot-storm': { type: 'boolean' },
  ramp: { type: 'string' },
  prefix: { type: 'string' },
  'password-file': { type: 'string' },
  connectors: { type: 'string' },
  heartbeat: { type: 'string' },
  'mv-interval': { type: 'string' },
  'mv-per-tx': { type: 'string' },
  pause: { type: 'string' },
  'no-transactions': { type: 'boolean' },
  'id-tokens': { type: 'string' },
  'call-timeout': { type: 'string' },
  'max-connects': { type: 'string' },
  'allow-remote': { type: 'boolean' },
  json: { type: 'boolean' },
  'write-seed': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** What the CLI was asked to do. */
export type CliCommand =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'run';
      readonly options: SimulatorOptions;
      readonly json: boolean;
      readonly passwordFile: string | undefined;
      readonly writeSeed: string | undefined;
    };

/** A usage error: the message is printed with the usage text and the process exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses the command line (without `node` and the script). Throws {@link UsageError}. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: OPTIONS,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { kind: 'help' };

  if (values.url === undefined) throw new UsageError('--url is required');
  const allowRemote = values['allow-remote'] === true;
  checkUrl(values.url, allowRemote);
  if (values['boot-storm'] === true && values.ramp !== undefined) {
    throw new UsageError('--boot-storm and --ramp exclude each other');
  }
  const stations = int(values.stations, '--stations', 1, MAX_STATIONS) ?? 10;
  const durationSec = num(values.duration, '--duration', 0.001, MAX_DURATION_MS / 1000) ?? 60;
  const mix = num(values.mix, '--mix', 0, 1) ?? 0.5;
  const prefix = values.prefix ?? 'SIM';
  if (!/^[^:\s/]{0,40}$/.test(prefix))
    throw new UsageError('--prefix: up to 40 characters, no ":", "/" or spaces');
  const idTokens = values['id-tokens']?.split(',').map((t) => t.trim());
  if (
    idTokens !== undefined &&
    (idTokens.length === 0 || idTokens.some((t) => t.length === 0 || t.length > 20))
  ) {
    throw new UsageError('--id-tokens: a comma-separated list of tokens of 1 to 20 characters');
  }
  const ramp = num(values.ramp, '--ramp', 0.001, 1_000_000);
  const connectors = int(values.connectors, '--connectors', 1, 128);
  const heartbeat = int(values.heartbeat, '--heartbeat', 0, 86_400);
  const callTimeout = int(values['call-timeout'], '--call-timeout', 1, 600_000);
  const maxConnects = int(values['max-connects'], '--max-connects', 1, 100_000);
  const meterValueIntervalMs = int(values['mv-interval'], '--mv-interval', 1, 86_400_000) ?? 10_000;
  const meterValuesPerTransaction = int(values['mv-per-tx'], '--mv-per-tx', 0, 1_000_000) ?? 6;
  const pauseBetweenMs = int(values.pause, '--pause', 0, 86_400_000) ?? 10_000;

  const options: SimulatorOptions = {
    url: values.url,
    stations,
    versionMix: mix,
    idPrefix: prefix,
    durationMs: Math.round(durationSec * 1000),
    allowRemote,
    ...(values['boot-storm'] === true ? { bootStorm: true } : { rampUpPerSecond: ramp ?? 100 }),
    ...(connectors !== undefined ? { connectors } : {}),
    ...(heartbeat !== undefined ? { heartbeatIntervalSec: heartbeat } : {}),
    ...(callTimeout !== undefined ? { callTimeoutMs: callTimeout } : {}),
    ...(maxConnects !== undefined ? { maxConcurrentConnects: maxConnects } : {}),
    ...(idTokens !== undefined ? { idTokens } : {}),
    transaction: {
      auto: values['no-transactions'] !== true,
      meterValueIntervalMs,
      meterValuesPerTransaction,
      pauseBetweenMs,
    },
  };
  return {
    kind: 'run',
    options,
    json: values.json === true,
    passwordFile: values['password-file'],
    writeSeed: values['write-seed'],
  };
}

/**
 * Parses a password file: `<stationId> <password>` per line, `* <password>` for every other station;
 * blank lines and `#` comments are ignored. Throws {@link UsageError} naming the bad line.
 */
export function parsePasswordFile(text: string): (stationId: string) => string | undefined {
  const byId = new Map<string, string>();
  let fallback: string | undefined;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)\s+(\S+)$/.exec(line);
    if (match === null)
      throw new UsageError(`password file line ${i + 1}: expected "<stationId> <password>"`);
    const [, id = '', password = ''] = match;
    if (id === '*') fallback = password;
    else byId.set(id, password);
  }
  return (stationId) => byId.get(stationId) ?? fallback;
}

function checkUrl(url: string, allowRemote: boolean): void {
  try {
    checkEndpoint(url, allowRemote);
  } catch (error) {
    if (error instanceof EndpointError) throw new UsageError(`--url: ${error.message}`);
    throw error;
  }
}

function num(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function int(value: string | undefined, name: string, min: number, max: number): number | undefined {
  const n = num(value, name, min, max);
  if (n !== undefined && !Number.isInteger(n))
    throw new UsageError(`${name} must be an integer, got "${value}"`);
  return n;
}
