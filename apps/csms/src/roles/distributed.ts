import { NatsBus, connectNats } from '@csms/bus/nats';
import { PartitionLeases } from '@csms/cluster';
import { PARTITION_COUNT } from '@csms/bus';
import { ConfigError, type CsmsConfig } from '@csms/config';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '@csms/db';
import { EdgeServer } from '@csms/edge';
import { createValidator } from '@csms/ocpp';
import type { Logger } from '@csms/telemetry';
import { Worker } from '@csms/worker';
import { startAdminServer } from '../admin-server.js';
import { adminOptionsFrom, edgeOptionsFrom, readTls, workerConfigFrom } from '../components.js';
import { DbCredentialStore } from '../db-credential-store.js';

/** A running process role of the distributed topology. */
export interface RunningRole {
  /** One line for the log: what this process serves. */
  readonly summary: string;
  /** Graceful stop (SIGTERM). */
  stop(): Promise<void>;
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
    database = await openDatabase({ kind: 'postgres', url: databaseUrl, poolSize: config.databasePoolSize });
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
export async function startEdgeRole(config: CsmsConfig, logger: Logger): Promise<RunningRole> {
  const { bus, database } = await connect(config, 'edge', logger);
  const validator = createValidator();
  validator.precompileAll();
  const edge = new EdgeServer(
    edgeOptionsFrom(config, {
      edgeId: config.nodeId,
      bus,
      validator,
      credentials: new DbCredentialStore(database.db),
      logger,
      tls: readTls(config),
    }),
  );
  const { port } = await edge.start();
  return {
    summary: `edge ${config.nodeId} listening on port ${port}`,
    stop: async () => {
      await edge.stop({ graceMs: config.edge.shutdownGraceMs });
      await bus.close();
      await database.close();
    },
  };
}

/**
 * `csms worker`: hosts the station actors of the partitions it leases. Migrates the schema at start
 * (Kysely's migrator takes a lock, so workers starting together are safe).
 */
export async function startWorkerRole(config: CsmsConfig, logger: Logger): Promise<RunningRole> {
  const { nc, bus, database } = await connect(config, 'worker', logger);
  await migrateToLatest(database.db);
  const validator = createValidator();
  validator.precompileAll();
  // The worker reports fencing to the lease manager, which is created after the worker it drives.
  const fencedTo: { leases?: PartitionLeases } = {};
  const worker = new Worker({
    bus,
    db: database.db,
    validator,
    log: logger.child({ component: 'worker' }),
    config: workerConfigFrom(config),
    partitioned: { workerId: config.nodeId, onFenced: (p) => fencedTo.leases?.fenced(p) },
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
      await bus.close();
      await database.close();
    },
  };
}

/** `csms admin`: the admin HTTP endpoint of the distributed topology (commands go to the actors over NATS). */
export async function startAdminRole(config: CsmsConfig, logger: Logger): Promise<RunningRole> {
  const { bus, database } = await connect(config, 'admin', logger);
  const admin = await startAdminServer(adminOptionsFrom(config, { bus, db: database.db, logger }));
  return {
    summary: `admin endpoint on ${config.admin.host}:${admin.port}`,
    stop: async () => {
      await admin.close();
      await bus.close();
      await database.close();
    },
  };
}
