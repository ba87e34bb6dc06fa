import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LocalCluster, applySeed } from '@csms/app';
import { SERVICE_ROLES, readSeedFile } from '@csms/config';
import { migrateToLatest, openDatabase } from '@csms/db';
import { freePort, freePortRanges, startTcpBalancer } from '@csms/test-servers';
import type { Cleanup } from './cleanup.js';
import type { CpuSubject } from './cpu-usage.js';
import type { ConfigurationName, ResolvedOptions } from './options.js';
import { countLogLine, spawnNodeChild, type LogCounts } from './processes.js';
import { REPO_ROOT, SIMULATOR_CLI, type SharedInfra } from './shared-infra.js';

const CSMS_MAIN = join(REPO_ROOT, 'apps', 'csms', 'dist', 'main.js');
const ECHO_SERVER = join(REPO_ROOT, 'bench', 'echo-server.ts');

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
  /** The private PostgreSQL database it uses (`--pg-statements` reads its statistics); undefined without one. */
  readonly databaseUrl?: string;
  readonly processes: readonly ServerProcess[];
  /** The shared servers it uses (PostgreSQL with its backends, nats-server): only their CPU is measured. */
  readonly infrastructure: readonly CpuSubject[];
  /** The servers' last log lines (diagnostics of a failed run). */
  tail(): string[];
  /** Warnings and errors the servers logged so far. */
  logCounts(): LogCounts;
  stop(): Promise<void>;
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

/** Settings shared by the embedded and distributed CSMS processes, then the run's `--set` ones. */
function commonSettings(options: ResolvedOptions): Record<string, string> {
  return {
    CSMS_HOST: '127.0.0.1',
    CSMS_ADMIN_HOST: '127.0.0.1',
    CSMS_ADMIN_PORT: '0',
    CSMS_AUTO_REGISTER: 'false',
    CSMS_LOG_LEVEL: 'warn',
    CSMS_SHUTDOWN_GRACE_MS: '2000',
    CSMS_EXIT_WITH_PARENT: '1',
    ...options.csmsSettings,
  };
}

/** The private PostgreSQL server: its postmaster and every process it forked (backends, auxiliaries). */
function postgresSubject(postmasterPid: number | undefined): CpuSubject {
  return { name: 'postgresql', role: 'database', pid: postmasterPid, withChildren: true };
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
    infrastructure: [],
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
  let infrastructure: CpuSubject[] = [];
  let databaseUrl: string | undefined;
  const settings: Record<string, string> = { ...commonSettings(options), CSMS_SEED_FILE: seed };
  if (options.embeddedDb === 'pglite') {
    const dataDir = join(infra.folder(), 'pglite');
    settings.CSMS_DATA_DIR = dataDir;
    database = { kind: 'pglite' };
  } else {
    const name = 'bench_embedded';
    settings.CSMS_DATABASE_URL = await infra.createDatabase(name);
    databaseUrl = settings.CSMS_DATABASE_URL;
    const { version, postmasterPid } = await infra.postgres();
    infrastructure = [postgresSubject(postmasterPid)];
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
    databaseUrl,
    processes: [{ name: 'embedded', role: 'embedded', pid: child.pid, holdsSockets: true }],
    infrastructure,
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
  const [basePort, servicesBasePort] = await freePortRanges(edges, SERVICE_ROLES.length);
  return { basePort: basePort!, servicesBasePort: servicesBasePort! };
}

/** Starts the cluster; a failure carries its last log lines. Its processes are killed if this process dies. */
async function startCluster(cluster: LocalCluster, tail: readonly string[], cleanup: Cleanup): Promise<void> {
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
  const { version, postmasterPid } = await infra.postgres();
  const { server: nats, pid: natsPid } = await infra.nats();
  // Each gRPC service role of the registry (SERVICE_ROLES) as one process; by default the workers call auth
  // and transaction over gRPC, so their round trips are part of the measurement (--worker-domains).
  const { basePort, servicesBasePort } = await clusterPorts(options.edges);
  const tail: string[] = [];
  const counts: LogCounts = { warn: 0, error: 0 };
  const cluster = new LocalCluster({
    edges: options.edges,
    workers: options.workers,
    natsUrl: nats.url,
    databaseUrl,
    basePort,
    services: { basePort: servicesBasePort, workerDomains: options.workerDomains },
    env: commonSettings(options),
    // --cpu-prof: every process of the cluster writes its profile at its graceful stop.
    nodeArgs: cpuProfileArgs(options),
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
  await startCluster(cluster, tail, cleanup);
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
      `(${SERVICE_ROLES.join(', ')}; LocalCluster), NATS, PostgreSQL; ` +
      (options.workerDomains === 'grpc'
        ? 'the workers call auth and transaction over gRPC'
        : 'the workers run the auth and transaction domain code in-process') +
      (options.edges > 1 ? ', in-process TCP balancer in front of the edges' : ''),
    url,
    database: {
      kind: 'postgresql',
      version,
      database: name,
      durable: options.pgDurable,
      transport: transportOf(databaseUrl),
    },
    databaseUrl,
    processes: cluster.processes.map((p): ServerProcess => ({
      name: p.name,
      role: p.role === 'edge' ? 'edge' : p.role === 'worker' ? 'worker' : 'service',
      pid: p.pid,
      holdsSockets: p.role === 'edge',
    })),
    infrastructure: [
      postgresSubject(postmasterPid),
      { name: 'nats-server', role: 'nats', pid: natsPid, withChildren: false },
    ],
    tail: () => [...tail],
    logCounts: () => ({ ...counts }),
    stop: async () => {
      await stopBalancer?.();
      await stopCluster();
    },
  };
}
