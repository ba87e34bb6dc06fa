import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { LocalCluster, applySeed } from '@csms/app';
import { SERVICE_ROLES, readSeedFile } from '@csms/config';
import { migrateToLatest, openDatabase } from '@csms/db';
import {
  natsServerBinary,
  startNatsServer,
  startPostgres,
  startTcpBalancer,
  type NatsServer,
  type PostgresServer,
} from '@csms/test-servers';
import type { Cleanup } from './cleanup.js';
import type { ConfigurationName, ResolvedOptions } from './options.js';
import { countLogLine, freePort, freePortRange, spawnNodeChild, type LogCounts } from './processes.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CSMS_MAIN = join(REPO_ROOT, 'apps', 'csms', 'dist', 'main.js');
const SIMULATOR_CLI = join(REPO_ROOT, 'packages', 'simulator', 'dist', 'cli.js');
const ECHO_SERVER = join(REPO_ROOT, 'bench', 'echo-server.ts');
/** Station identities are <prefix>00001...; the same fleet (and seed) for every configuration. */
export const STATION_PREFIX = 'BENCH';

/** A server process whose memory is reported. */
export interface ServerProcess {
  readonly name: string;
  readonly role: 'echo' | 'embedded' | 'edge' | 'worker' | 'service';
  readonly pid: number | undefined;
  /** It holds the station WebSockets (its memory per connected station is reported). */
  readonly holdsSockets: boolean;
}

/** The database a configuration used. */
export type DatabaseInfo =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'postgresql';
      readonly version: string;
      readonly database: string;
      /** fsync and synchronous_commit on (PostgreSQL's defaults). */
      readonly durable: boolean;
      /** How the CSMS reached it: Unix-domain socket or TCP on 127.0.0.1. */
      readonly transport: 'unix' | 'tcp';
    }
  | { readonly kind: 'pglite' };

/** One configuration under test, running and ready for stations. */
export interface Target {
  readonly name: ConfigurationName;
  readonly description: string;
  /** Where stations connect (the identity is appended). Always 127.0.0.1. */
  readonly url: string;
  readonly database: DatabaseInfo;
  readonly processes: readonly ServerProcess[];
  /** The servers' last log lines (diagnostics of a failed run). */
  tail(): string[];
  /** Warnings and errors the servers logged so far. */
  logCounts(): LogCounts;
  stop(): Promise<void>;
}

/** Servers and files shared by the configurations of one run, started on first use. */
export class SharedInfra {
  readonly #options: ResolvedOptions;
  readonly #cleanup: Cleanup;
  readonly #log: (line: string) => void;
  #folder: string | undefined;
  #postgres: Promise<{ server: PostgresServer; version: string; socketDir: string | undefined }> | undefined;
  #nats: Promise<NatsServer> | undefined;
  #seed: Promise<string> | undefined;
  /** The stations' Basic-auth password (security profile 1), the same for all: a fresh random one per run. */
  readonly password: string | undefined;

  constructor(options: ResolvedOptions, cleanup: Cleanup, log: (line: string) => void) {
    this.#options = options;
    this.#cleanup = cleanup;
    this.#log = log;
    this.password = options.securityProfile === 1 ? randomBytes(12).toString('hex') : undefined;
  }

  /** The run's temporary folder (seed file, password file, PGlite data), removed at cleanup. */
  folder(): string {
    if (this.#folder === undefined) {
      const folder = mkdtempSync(join(tmpdir(), 'csms-bench-'));
      this.#folder = folder;
      this.#cleanup.removeOnExit(folder);
    }
    return this.#folder;
  }

  /** A private PostgreSQL server (its own data folder and port on 127.0.0.1). */
  postgres(): Promise<{ server: PostgresServer; version: string; socketDir: string | undefined }> {
    this.#postgres ??= (async () => {
      this.#log(
        `starting a private PostgreSQL server (${this.#options.pgDurable ? 'durable' : 'fsync off'})`,
      );
      const server = await startPostgres({ durable: this.#options.pgDurable });
      this.#cleanup.add('PostgreSQL server', () => server.stop());
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const version = await client.query<{ server_version: string }>('show server_version');
        const dataDir = await client.query<{ data_directory: string }>('show data_directory');
        const sockets = await client.query<{ unix_socket_directories: string }>(
          'show unix_socket_directories',
        );
        const socketDir = sockets.rows[0]?.unix_socket_directories.split(',')[0]?.trim() || undefined;
        // If this process dies without cleaning up: stop the postmaster, remove its folder.
        const directory = dataDir.rows[0]?.data_directory;
        if (directory !== undefined) {
          const pid = Number(readFileSync(join(directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
          if (Number.isInteger(pid) && pid > 0) this.#cleanup.killOnExit(pid, 'SIGQUIT');
          this.#cleanup.removeOnExit(dirname(directory));
        }
        return { server, version: version.rows[0]?.server_version ?? 'unknown', socketDir };
      } finally {
        await client.end();
      }
    })();
    return this.#postgres;
  }

  /**
   * A new, empty database on the private server; returns its URL for the CSMS processes: through the
   * server's Unix socket (`?host=<dir>`, pg's syntax) unless `pgTransport` is `tcp`.
   */
  async createDatabase(name: string): Promise<string> {
    const { server, socketDir } = await this.postgres();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(`drop database if exists ${name}`);
      await client.query(`create database ${name}`);
    } finally {
      await client.end();
    }
    const url = server.url.replace(/\/postgres$/, `/${name}`);
    if (this.#options.pgTransport === 'tcp' || socketDir === undefined) return url;
    return `${url}?host=${encodeURIComponent(socketDir)}`;
  }

  /** A private nats-server >= 2.11 with JetStream. */
  nats(): Promise<NatsServer> {
    this.#nats ??= (async () => {
      let binary: string;
      try {
        binary = natsServerBinary();
      } catch {
        this.#log('fetching a nats-server >= 2.11 (scripts/ensure-nats-server.sh)');
        binary = (await run('bash', [join(REPO_ROOT, 'scripts', 'ensure-nats-server.sh')], 300_000)).trim();
      }
      const server = await startNatsServer({ jetstream: true, binary });
      this.#cleanup.add('nats-server', () => server.stop());
      this.#cleanup.removeOnExit(dirname(server.storeDir));
      return server;
    })();
    return this.#nats;
  }

  /**
   * The seed file of the fleet, written by the simulator's own seed writer (`simulate --write-seed`):
   * every station (security profile 0, or 1 with its password) and its id token as Accepted.
   */
  seedFile(): Promise<string> {
    this.#seed ??= (async () => {
      const folder = this.folder();
      const seed = join(folder, 'seed.yaml');
      const args = [
        SIMULATOR_CLI,
        '--url',
        'ws://127.0.0.1:9/ocpp',
        '--stations',
        String(this.#options.stations),
        '--mix',
        String(this.#options.versionMix),
        '--prefix',
        STATION_PREFIX,
        '--write-seed',
        seed,
      ];
      if (this.password !== undefined) {
        const passwords = join(folder, 'passwords.txt');
        writeFileSync(passwords, `* ${this.password}\n`, { mode: 0o600 });
        args.push('--password-file', passwords);
      }
      await run(process.execPath, args, 120_000);
      return seed;
    })();
    return this.#seed;
  }
}

/** Runs a command to completion (bounded); resolves with its stdout. */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      [...args],
      { cwd: REPO_ROOT, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stderr}`));
        else resolvePromise(stdout);
      },
    );
  });
}

/** Fails early, with what to do, when the build the embedded and distributed configurations run is missing. */
export function checkBuild(configurations: readonly ConfigurationName[]): void {
  if (!configurations.some((c) => c !== 'ceiling')) return;
  for (const file of [CSMS_MAIN, SIMULATOR_CLI]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run \`npx tsc -b\` first (npm run bench does it)`);
  }
}

/** The environment of a CSMS process: ours without any CSMS_* setting, plus `settings`. */
function csmsEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('CSMS_')) env[key] = value;
  return { ...env, ...settings };
}

/** Settings shared by the embedded and distributed CSMS processes. */
function commonSettings(): Record<string, string> {
  return {
    CSMS_HOST: '127.0.0.1',
    CSMS_ADMIN_HOST: '127.0.0.1',
    CSMS_ADMIN_PORT: '0',
    CSMS_AUTO_REGISTER: 'false',
    CSMS_LOG_LEVEL: 'warn',
    CSMS_SHUTDOWN_GRACE_MS: '2000',
    CSMS_EXIT_WITH_PARENT: '1',
  };
}

function transportOf(url: string): 'unix' | 'tcp' {
  return url.includes('?host=') ? 'unix' : 'tcp';
}

/** `node` flags writing a CPU profile at exit (`--cpu-prof <dir>`). */
function cpuProfileArgs(options: ResolvedOptions): string[] {
  const dir = options.cpuProfileDir;
  return dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** How long a CSMS may take to start: applying the seed grows with the fleet (scrypt for profile 1). */
function readyTimeoutMs(options: ResolvedOptions): number {
  return 60_000 + options.stations * (options.securityProfile === 1 ? 100 : 10);
}

/** (a) The ceiling: the bare ws echo server in a child process. */
export async function startCeiling(cleanup: Cleanup): Promise<Target> {
  const child = await spawnNodeChild({
    name: 'echo-server',
    args: ['--import', 'tsx', ECHO_SERVER],
    env: { ...process.env },
    cwd: REPO_ROOT,
    readyTimeoutMs: 60_000,
    onSpawn: (pid) => cleanup.killOnExit(pid),
  });
  const stop = cleanup.add('echo server', async () => {
    await child.stop(5_000);
    cleanup.forgetPid(child.pid);
  });
  return {
    name: 'ceiling',
    description: 'bare ws echo server (permessage-deflate off), fixed CALLRESULT per action, 1 process',
    url: `ws://127.0.0.1:${Number(child.ready.port)}/ocpp`,
    database: { kind: 'none' },
    processes: [{ name: 'echo-server', role: 'echo', pid: child.pid, holdsSockets: true }],
    tail: () => child.tail(),
    logCounts: () => child.logCounts(),
    stop,
  };
}

/** (b) The embedded CSMS (`node apps/csms/dist/main.js`) on a fresh PostgreSQL database or PGlite. */
export async function startEmbedded(
  options: ResolvedOptions,
  infra: SharedInfra,
  cleanup: Cleanup,
): Promise<Target> {
  const seed = await infra.seedFile();
  let database: DatabaseInfo;
  const settings: Record<string, string> = { ...commonSettings(), CSMS_SEED_FILE: seed };
  if (options.embeddedDb === 'pglite') {
    const dataDir = join(infra.folder(), 'pglite');
    settings.CSMS_DATA_DIR = dataDir;
    database = { kind: 'pglite' };
  } else {
    const name = 'bench_embedded';
    settings.CSMS_DATABASE_URL = await infra.createDatabase(name);
    const { version } = await infra.postgres();
    database = {
      kind: 'postgresql',
      version,
      database: name,
      durable: options.pgDurable,
      transport: transportOf(settings.CSMS_DATABASE_URL),
    };
  }
  const port = await freePort();
  settings.CSMS_PORT = String(port);
  settings.CSMS_NODE_ID = 'bench-embedded';
  const child = await spawnNodeChild({
    name: 'csms embedded',
    args: [...cpuProfileArgs(options), CSMS_MAIN, 'embedded'],
    env: csmsEnv(settings),
    cwd: infra.folder(),
    readyTimeoutMs: readyTimeoutMs(options),
    onSpawn: (pid) => cleanup.killOnExit(pid),
  });
  const stop = cleanup.add('embedded CSMS', async () => {
    await child.stop(20_000);
    cleanup.forgetPid(child.pid);
  });
  return {
    name: 'embedded',
    description: `embedded CSMS (edge + worker + in-memory bus in 1 process), ${database.kind}`,
    url: `ws://127.0.0.1:${port}/ocpp`,
    database,
    processes: [{ name: 'embedded', role: 'embedded', pid: child.pid, holdsSockets: true }],
    tail: () => child.tail(),
    logCounts: () => child.logCounts(),
    stop,
  };
}

/**
 * A fresh database for the distributed configuration, migrated and seeded: the distributed roles do
 * not read seed files, so the same file is applied with the same code as the embedded CSMS runs at its
 * start (after the schema migration the workers would also run).
 */
async function seededDatabase(infra: SharedInfra, name: string): Promise<string> {
  const seedPath = await infra.seedFile();
  const databaseUrl = await infra.createDatabase(name);
  const handle = await openDatabase({ kind: 'postgres', url: databaseUrl, poolSize: 4 });
  try {
    await migrateToLatest(handle.db);
    await applySeed(handle.db, await readSeedFile(seedPath));
  } finally {
    await handle.close();
  }
  return databaseUrl;
}

/** The edges' first port and the gRPC service roles' first port, in two ranges that do not overlap. */
async function clusterPorts(edges: number): Promise<{ basePort: number; servicesBasePort: number }> {
  const basePort = await freePortRange(edges);
  let servicesBasePort = await freePortRange(SERVICE_ROLES.length);
  while (servicesBasePort < basePort + edges && basePort < servicesBasePort + SERVICE_ROLES.length)
    servicesBasePort = await freePortRange(SERVICE_ROLES.length);
  return { basePort, servicesBasePort };
}

/**
 * (c) The distributed topology: LocalCluster (edges, workers and the gRPC services as OS processes),
 * NATS, PostgreSQL.
 */
export async function startDistributed(
  options: ResolvedOptions,
  infra: SharedInfra,
  cleanup: Cleanup,
): Promise<Target> {
  const name = 'bench_distributed';
  const databaseUrl = await seededDatabase(infra, name);
  const { version } = await infra.postgres();
  const nats = await infra.nats();
  // Each gRPC service role of the registry (SERVICE_ROLES) as one process; the workers call auth and
  // transaction over gRPC (the production topology), so their round trips are part of the measurement.
  const { basePort, servicesBasePort } = await clusterPorts(options.edges);
  const tail: string[] = [];
  const counts: LogCounts = { warn: 0, error: 0 };
  const cluster = new LocalCluster({
    edges: options.edges,
    workers: options.workers,
    natsUrl: nats.url,
    databaseUrl,
    basePort,
    services: { basePort: servicesBasePort },
    // No CPU profiles here: node refuses --cpu-prof in NODE_OPTIONS, and LocalCluster takes no node flags.
    env: commonSettings(),
    readyTimeoutMs: readyTimeoutMs(options),
    onLine: (processName, line) => {
      countLogLine(counts, line);
      tail.push(`${processName} ${line}`);
      if (tail.length > 400) tail.shift();
    },
  });
  const stopCluster = cleanup.add('local cluster', async () => {
    await cluster.stop();
    for (const p of cluster.processes) cleanup.forgetPid(p.pid);
  });
  try {
    await cluster.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`the local cluster did not start: ${message}\n${tail.slice(-30).join('\n')}`, {
      cause: error,
    });
  } finally {
    for (const p of cluster.processes) cleanup.killOnExit(p.pid);
  }
  let url = `ws://127.0.0.1:${basePort}/ocpp`;
  let stopBalancer: (() => Promise<void>) | undefined;
  if (options.edges > 1) {
    // Like the L4 load balancer in front of the edge pods (it runs in this process).
    const balancer = await startTcpBalancer(cluster.edges().map((e) => e.port as number));
    stopBalancer = cleanup.add('TCP balancer', () => balancer.close());
    url = `ws://127.0.0.1:${balancer.port}/ocpp`;
  }
  return {
    name: 'distributed',
    description:
      `${options.edges} edge + ${options.workers} worker + ${SERVICE_ROLES.length} gRPC service processes ` +
      `(${SERVICE_ROLES.join(', ')}; LocalCluster), NATS, PostgreSQL` +
      (options.edges > 1 ? ', in-process TCP balancer in front of the edges' : ''),
    url,
    database: {
      kind: 'postgresql',
      version,
      database: name,
      durable: options.pgDurable,
      transport: transportOf(databaseUrl),
    },
    processes: cluster.processes.map((p): ServerProcess => ({
      name: p.name,
      role: p.role === 'edge' ? 'edge' : p.role === 'worker' ? 'worker' : 'service',
      pid: p.pid,
      holdsSockets: p.role === 'edge',
    })),
    tail: () => [...tail],
    logCounts: () => ({ ...counts }),
    stop: async () => {
      await stopBalancer?.();
      await stopCluster();
    },
  };
}
