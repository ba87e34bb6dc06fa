import { MemoryBus, type StationApi } from '@csms/bus';
import { readSeedFile, type CsmsConfig } from '@csms/config';
import {
  migrateToLatest,
  openDatabase,
  type BootPolicy,
  type DatabaseConfig,
  type DatabaseHandle,
} from '@csms/db';
import { createValidator } from '@csms/ocpp';
import type { CsmsMetrics, Logger } from '@csms/telemetry';
import { Worker, localPortsWith } from '@csms/worker';
import { startAdminServer } from './admin-server.js';
import { API_SERVICE_NAMES, apiServicesFor, startApi } from './api.js';
import { DbCredentialStore } from './db-credential-store.js';
import { adminOptionsFrom, readTls, workerCertificatesFrom, workerConfigFrom } from './components.js';
import { applySeed } from './seed.js';
import { startStationEdge } from './station-edge.js';

/** A running embedded CSMS: every service in this process, an in-memory bus, one database. */
export interface EmbeddedCsms {
  /** The port stations connect to. */
  readonly port: number;
  /** The admin endpoint's port (undefined when disabled). */
  readonly adminPort: number | undefined;
  /** The gRPC API's port (undefined when disabled: CSMS_GRPC_PORT=off). */
  readonly grpcPort: number | undefined;
  readonly bus: MemoryBus;
  readonly database: DatabaseHandle;
  /** CSMS-initiated commands (the API the gRPC layer wraps). */
  readonly stations: StationApi;
  /** Sets a station's BootNotification answer (null = the default policy). */
  setBootPolicy(stationId: string, policy: BootPolicy | null): Promise<boolean>;
  /** Graceful shutdown: closes station connections, drains actors, closes the database. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  readonly config: CsmsConfig;
  readonly logger: Logger;
  /** Overrides the configured database (tests use a private PostgreSQL database or PGlite in memory). */
  readonly database?: DatabaseConfig;
  /** Overrides the admin port (tests pass 0 for an ephemeral port). */
  readonly adminPort?: number;
  /** Overrides the gRPC API port (tests pass 0 for an ephemeral port). */
  readonly grpcPort?: number;
  /** The process's metrics (`startTelemetry`); none = no-op instruments. */
  readonly metrics?: CsmsMetrics;
}

/** Starts the CSMS in one process (the default of `npm start`). */
export async function startEmbeddedCsms({
  config,
  logger,
  database: databaseOverride,
  adminPort: adminPortOverride,
  grpcPort: grpcPortOverride,
  metrics,
}: EmbeddedOptions): Promise<EmbeddedCsms> {
  const seed = config.seedFile ? await readSeedFile(config.seedFile) : undefined;
  const tls = readTls(config);

  const database = await openDatabase(databaseOverride ?? config.database);
  const cleanups: (() => Promise<void>)[] = [() => database.close()];
  try {
    if (config.migrateOnStart) await migrateToLatest(database.db);
    if (seed) {
      const n = await applySeed(database.db, seed);
      logger.info({ seedFile: config.seedFile, ...n }, 'seed file applied');
    }

    const certificates = await workerCertificatesFrom(config);
    const validator = createValidator();
    validator.precompileAll();
    const bus = new MemoryBus();
    bus.onHandlerError = (error, subject) => logger.error({ err: error, subject }, 'bus handler failed');

    const worker = new Worker({
      bus,
      db: database.db,
      autocommitDb: database.autocommitDb,
      validator,
      log: logger.child({ component: 'worker' }),
      config: workerConfigFrom(config),
      ports: localPortsWith({ concurrency: config.concurrency }),
      ...(metrics ? { metrics } : {}),
      ...certificates,
    });
    await worker.start();
    cleanups.unshift(() => worker.stop());

    const edge = await startStationEdge(config, {
      edgeId: 'embedded',
      bus,
      validator,
      credentials: new DbCredentialStore(database.db),
      logger,
      tls,
      ...(metrics ? { metrics } : {}),
    });
    const { port } = edge;
    cleanups.unshift(() => edge.stop());

    const adminOptions = adminOptionsFrom(config, {
      bus,
      db: database.db,
      logger,
      ...(adminPortOverride !== undefined ? { port: adminPortOverride } : {}),
    });
    const { adminPort, grpcPort } = await startOperatorApis(
      config,
      { adminOptions, adminPortOverride, grpcPortOverride, db: database.db, bus, logger },
      cleanups,
    );
    let stopped: Promise<void> | undefined;
    return {
      port,
      bus,
      database,
      stations: adminOptions.stations,
      adminPort,
      grpcPort,
      setBootPolicy: adminOptions.setBootPolicy,
      stop: () => (stopped ??= runCleanups(cleanups).then(() => bus.close())),
    };
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }
}

interface OperatorApiParts {
  readonly adminOptions: ReturnType<typeof adminOptionsFrom>;
  readonly adminPortOverride: number | undefined;
  readonly grpcPortOverride: number | undefined;
  readonly db: DatabaseHandle['db'];
  readonly bus: MemoryBus;
  readonly logger: Logger;
}

/** Starts the admin endpoint and the gRPC API (each unless disabled); their stops go first in `cleanups`. */
async function startOperatorApis(
  config: CsmsConfig,
  { adminOptions, adminPortOverride, grpcPortOverride, db, bus, logger }: OperatorApiParts,
  cleanups: (() => Promise<void>)[],
): Promise<{ adminPort: number | undefined; grpcPort: number | undefined }> {
  let adminPort: number | undefined;
  if (config.admin.port !== 0 || adminPortOverride === 0) {
    const admin = await startAdminServer(adminOptions);
    adminPort = admin.port;
    cleanups.unshift(() => admin.close());
  }
  let grpcPort: number | undefined;
  if (config.grpc.enabled) {
    const services = apiServicesFor(API_SERVICE_NAMES, {
      db,
      bus,
      stations: adminOptions.stations,
      logger,
      config,
    });
    const api = await startApi(config, services, logger, grpcPortOverride);
    grpcPort = api.port;
    cleanups.unshift(() => api.stop());
  }
  return { adminPort, grpcPort };
}

async function runCleanups(cleanups: readonly (() => Promise<void>)[]): Promise<void> {
  for (const cleanup of cleanups) await cleanup();
}
