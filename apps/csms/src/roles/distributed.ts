import { NatsBus, connectNats } from '@csms/bus/nats';
import { PartitionLeases } from '@csms/cluster';
import { PARTITION_COUNT } from '@csms/bus';
import { ConfigError, readSeedFile, type CsmsConfig } from '@csms/config';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '@csms/db';
import { createValidator } from '@csms/ocpp';
import type { CsmsMetrics, Logger } from '@csms/telemetry';
import { localPortsWith, remotePorts, Worker, type RemotePorts } from '@csms/worker';
import { startAdminServer } from '../admin-server.js';
import { API_SERVICE_NAMES, apiServicesFor, startApi, type ApiServiceName } from '../api.js';
import { apiClientCredentials, forwardedServices } from '../api-gateway.js';
import { adminOptionsFrom, workerCertificatesFrom, workerConfigFrom } from '../components.js';
import { DbCredentialStore } from '../db-credential-store.js';
import { applySeed } from '../seed.js';
import { startStationEdge } from '../station-edge.js';

/** A running process role of the distributed topology. */
export interface RunningRole {
  /** One line for the log: what this process serves. */
  readonly summary: string;
  /** Graceful stop (SIGTERM). */
  stop(): Promise<void>;
  /** A one-shot role (`migrate`) that has finished: the process exits 0 after logging the summary. */
  readonly finished?: boolean;
}

function requireDistributed(config: CsmsConfig, role: string): { natsUrl: string; databaseUrl: string } {
  const problems: string[] = [];
  if (!config.natsUrl) problems.push(`CSMS_NATS_URL is required for the ${role} role`);
  if (config.database.kind !== 'postgres')
    problems.push(`CSMS_DATABASE_URL (PostgreSQL) is required for the ${role} role`);
  if (problems.length > 0) throw new ConfigError(problems);
  return { natsUrl: config.natsUrl as string, databaseUrl: (config.database as { url: string }).url };
}

async function connect(config: CsmsConfig, role: string, logger: Logger) {
  const { natsUrl, databaseUrl } = requireDistributed(config, role);
  const nc = await connectNats({ servers: natsUrl.split(','), name: `${role}-${config.nodeId}` });
  const bus = new NatsBus(nc, {
    onHandlerError: (error, subject) => logger.error({ err: error, subject }, 'bus handler failed'),
  });
  let database: DatabaseHandle;
  try {
    database = await openDatabase({
      kind: 'postgres',
      url: databaseUrl,
      poolSize: config.databasePoolSize,
      ...(config.database.kind === 'postgres' && config.database.preparedStatements === false
        ? { preparedStatements: false }
        : {}),
      ...(config.database.kind === 'postgres'
        ? {
            ...(config.database.groupCommit === false ? { groupCommit: false } : {}),
            ...(config.database.groupCommitBatches !== undefined
              ? { groupCommitBatches: config.database.groupCommitBatches }
              : {}),
          }
        : {}),
    });
  } catch (error) {
    await bus.close();
    throw error;
  }
  return { nc, bus, database };
}

/**
 * `csms edge`: holds station WebSockets and bridges them to the station actors over NATS. Stateless:
 * any edge can take any station.
 */
export async function startEdgeRole(
  config: CsmsConfig,
  logger: Logger,
  metrics?: CsmsMetrics,
): Promise<RunningRole> {
  const { bus, database } = await connect(config, 'edge', logger);
  const validator = createValidator();
  validator.precompileAll();
  const edge = await startStationEdge(config, {
    edgeId: config.nodeId,
    bus,
    validator,
    credentials: new DbCredentialStore(database.db),
    logger,
    ...(metrics ? { metrics } : {}),
  });
  return {
    summary: `edge ${config.nodeId} listening on port ${edge.port}`,
    stop: async () => {
      await edge.stop();
      await bus.close();
      await database.close();
    },
  };
}

/**
 * `csms worker`: hosts the station actors of the partitions it leases. Migrates the schema at start
 * (Kysely's migrator takes a lock, so workers starting together are safe).
 */
export async function startWorkerRole(
  config: CsmsConfig,
  logger: Logger,
  metrics?: CsmsMetrics,
): Promise<RunningRole> {
  const { nc, bus, database } = await connect(config, 'worker', logger);
  if (config.migrateOnStart) await migrateToLatest(database.db);
  const validator = createValidator();
  validator.precompileAll();
  // The worker reports fencing to the lease manager, which is created after the worker it drives.
  const fencedTo: { leases?: PartitionLeases } = {};
  const remote = remotePortsFrom(config);
  const certificates = await workerCertificatesFrom(config);
  const worker = new Worker({
    ...certificates,
    // Remote: the auth service applies the concurrency policy (CSMS_CONCURRENT_TX_*) of its own process.
    ports: remote ? remote.factory : localPortsWith({ concurrency: config.concurrency }),
    ...(metrics ? { metrics } : {}),
    bus,
    db: database.db,
    validator,
    log: logger.child({ component: 'worker' }),
    config: workerConfigFrom(config),
    partitioned: {
      workerId: config.nodeId,
      onFenced: (p) => fencedTo.leases?.fenced(p),
      // With group commit on, the single-statement actions carry the fence check in their own pipeline.
      ...(database.groupCommitStats() !== undefined ? { fencedStatementsDb: database.autocommitDb } : {}),
    },
  });
  await worker.start();
  const leases = new PartitionLeases({
    nc,
    workerId: config.nodeId,
    owner: worker,
    partitionCount: PARTITION_COUNT,
    log: logger.child({ component: 'cluster' }),
    leaseTtlMs: config.leaseTtlMs,
  });
  fencedTo.leases = leases;
  await leases.start();
  return {
    summary: `worker ${config.nodeId} joined the cluster`,
    stop: async () => {
      // Hand the partitions over first (drained, leases deleted: the next owners take them at once).
      await leases.stop();
      await worker.stop();
      remote?.close();
      await bus.close();
      await database.close();
    },
  };
}

/**
 * With CSMS_WORKER_DOMAINS=grpc (the default when their addresses are set) distributed workers call
 * `auth` and `transaction` over gRPC (CSMS_AUTH_URL, CSMS_TRANSACTION_URL), with the API credential; with
 * `in-process` they run the same domain code in the actor's fenced transaction, which costs a third less
 * CPU per CALL across the processes and halves p99 (BENCHMARKS.md).
 */
function remotePortsFrom(config: CsmsConfig): RemotePorts | undefined {
  const { authUrl, transactionUrl, workerDomains } = config.services;
  if (workerDomains === 'in-process') return undefined;
  if (!authUrl || !transactionUrl)
    throw new ConfigError([
      'CSMS_AUTH_URL and CSMS_TRANSACTION_URL must both be set when CSMS_WORKER_DOMAINS is grpc',
    ]);
  return remotePorts({
    authAddress: authUrl,
    transactionAddress: transactionUrl,
    // Below the edge's 5 s per-attempt timeout: a stuck service must turn into a CALLERROR the station
    // retries, not into the edge re-sending the CALL to the same busy actor.
    deadlineMs: 3_000,
    // The worker trusts the API's CA and, for mutual TLS, presents the same certificate.
    ...apiClientCredentials(config),
  });
}

/**
 * `csms api` (the station API and the admin HTTP endpoint) and `csms auth|transaction|firmware|smart-charging`:
 * a gRPC server for the named services, stateless (any replica count); commands reach the station actors
 * over NATS. The api role serves the whole gRPC API on its one address: each domain service whose address
 * is configured (CSMS_<SERVICE>_URL) is forwarded there, the others run in the api process.
 */
export function apiRole(role: string, names: readonly ApiServiceName[], withAdmin: boolean) {
  return async (config: CsmsConfig, logger: Logger): Promise<RunningRole> => {
    const { bus, database } = await connect(config, role, logger);
    const cleanups: (() => Promise<void>)[] = [() => bus.close(), () => database.close()];
    try {
      if (config.migrateOnStart) await migrateToLatest(database.db);
      if (withAdmin && config.seedFile) {
        // The api role applies the seed file (idempotent upserts), so one Deployment owns it.
        const n = await applySeed(database.db, await readSeedFile(config.seedFile));
        logger.info({ seedFile: config.seedFile, ...n }, 'seed file applied');
      }
      const admin = adminOptionsFrom(config, { bus, db: database.db, logger });
      let grpcSummary = 'gRPC off (CSMS_GRPC_PORT=off)';
      if (config.grpc.enabled) {
        // The api role is the one address of the whole API: the domain services run elsewhere are forwarded.
        const gateway = withAdmin ? forwardedServices(config, API_SERVICE_NAMES) : undefined;
        cleanups.unshift(() => Promise.resolve(gateway?.close()));
        const forwarded = new Set<ApiServiceName>(gateway?.routes.map((r) => r.name));
        const local = (withAdmin ? API_SERVICE_NAMES : names).filter((n) => !forwarded.has(n));
        const services = [
          ...apiServicesFor(local, { db: database.db, bus, stations: admin.stations, logger, config }),
          ...(gateway?.services ?? []),
        ];
        const api = await startApi(config, services, logger);
        cleanups.unshift(() => api.stop());
        const routes = gateway?.routes.map((r) => `${r.name} → ${r.address}`) ?? [];
        grpcSummary = `gRPC ${[...local, ...routes].join(', ')} on ${config.grpc.host}:${api.port}`;
      } else if (!withAdmin) {
        throw new ConfigError([`the ${role} role serves gRPC: CSMS_GRPC_PORT must not be off`]);
      }
      let adminSummary = '';
      if (withAdmin && config.admin.port !== 0) {
        const server = await startAdminServer(admin);
        cleanups.unshift(() => server.close());
        adminSummary = `, admin endpoint on ${config.admin.host}:${server.port}`;
      }
      return {
        summary: `${role}: ${grpcSummary}${adminSummary}`,
        stop: () => runInOrder(cleanups),
      };
    } catch (error) {
      await runInOrder(cleanups);
      throw error;
    }
  };
}

/** `csms migrate`: brings the database schema to the latest version and exits (a release job). */
export async function runMigrateRole(config: CsmsConfig, logger: Logger): Promise<RunningRole> {
  if (config.database.kind !== 'postgres')
    throw new ConfigError(['CSMS_DATABASE_URL (PostgreSQL) is required for the migrate role']);
  const database = await openDatabase({ kind: 'postgres', url: config.database.url, poolSize: 1 });
  try {
    const result = await migrateToLatest(database.db);
    const applied = (result.results ?? []).map((r) => r.migrationName);
    logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'schema already up to date');
  } finally {
    await database.close();
  }
  return { summary: 'database schema is up to date', stop: () => Promise.resolve(), finished: true };
}

async function runInOrder(cleanups: readonly (() => Promise<void>)[]): Promise<void> {
  for (const cleanup of cleanups) await cleanup();
}
