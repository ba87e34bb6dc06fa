#!/usr/bin/env node
import { ConfigError, loadConfig, type CsmsConfig } from '@csms/config';
import {
  createLogger,
  startOpsServer,
  startTelemetry,
  type CsmsMetrics,
  type Logger,
  type OpsServer,
} from '@csms/telemetry';
// Only type imports of the roles here: their modules load `pg` and `@grpc/grpc-js`, which OpenTelemetry
// can instrument only when they are loaded after `startTelemetry` (see main()).
import type { RunningRole } from './roles/distributed.js';

const USAGE = `usage: csms [embedded|edge|worker|api|auth|transaction|firmware|smart-charging|migrate]

  embedded        every service in this process, PGlite or PostgreSQL, in-memory bus (default)
  edge            station WebSockets, bridged to the workers over NATS
  worker          station actors of the partitions this worker leases
  api             gRPC station API (registry, calls, typed OCPP commands, events) + admin HTTP endpoint
  auth            gRPC auth service (id tokens, station credentials, local lists, Authorize)
  transaction     gRPC transaction service (transactions, meter values, event stream)
  firmware        gRPC firmware service (firmware updates, log uploads, campaigns)
  smart-charging  gRPC smart-charging service (charging profiles, composite schedules)
  migrate         migrate the database schema, then exit (a release job)

Every role but embedded needs CSMS_NATS_URL and CSMS_DATABASE_URL (migrate: only the latter).

Settings come from CSMS_* environment variables: see docs/configuration.md.`;

type RoleStarter = (config: CsmsConfig, logger: Logger, metrics: CsmsMetrics) => Promise<RunningRole>;

const distributed = () => import('./roles/distributed.js');

/**
 * Each role by name, loaded on demand: after telemetry is set up (see main()), and only the role's own
 * modules. The one list of roles; usage checks use its keys.
 */
const ROLES: Readonly<Record<string, () => Promise<RoleStarter>>> = {
  embedded: async () => {
    const { startEmbeddedCsms } = await import('./embedded.js');
    return async (config, logger, metrics) => {
      const csms = await startEmbeddedCsms({ config, logger, metrics });
      const scheme = config.edge.tls ? 'wss' : 'ws';
      const grpc = csms.grpcPort === undefined ? '' : `; gRPC API on ${config.grpc.host}:${csms.grpcPort}`;
      return {
        summary: `CSMS ready: stations connect to ${scheme}://<host>:${csms.port}/ocpp/<stationId> (ocpp1.6, ocpp2.0.1)${grpc}`,
        stop: () => csms.stop(),
      };
    };
  },
  edge: async () => (await distributed()).startEdgeRole,
  worker: async () => (await distributed()).startWorkerRole,
  api: async () => (await distributed()).apiRole('api', ['station'], true),
  // The name of the api role before the gRPC API existed; kept so that existing scripts keep working.
  admin: async () => (await distributed()).apiRole('admin', ['station'], true),
  auth: async () => (await distributed()).apiRole('auth', ['auth'], false),
  transaction: async () => (await distributed()).apiRole('transaction', ['transaction'], false),
  firmware: async () => (await distributed()).apiRole('firmware', ['firmware'], false),
  'smart-charging': async () => (await distributed()).apiRole('smart-charging', ['smart-charging'], false),
  migrate: async () => (await distributed()).runMigrateRole,
};

/**
 * The `csms` command. Exit codes: 0 after a clean shutdown, 1 on a start-up failure, 2 on invalid
 * configuration or usage.
 */
async function main(argv: readonly string[]): Promise<void> {
  const roleName = argv[0] ?? 'embedded';
  if (roleName === '--help' || roleName === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const loadRole = Object.hasOwn(ROLES, roleName) ? ROLES[roleName] : undefined;
  if (!loadRole || argv.length > 1) {
    process.stderr.write(`csms: unknown arguments: ${argv.join(' ')}\n${USAGE}\n`);
    process.exit(2);
  }
  let config: CsmsConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`csms: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // First, before any module that loads pg or @grpc/grpc-js (see loadRoles).
  const telemetry = startTelemetry({
    service: process.env.OTEL_SERVICE_NAME || `csms-${roleName}`,
    tracing: config.tracing,
  });
  const logger = createLogger({ service: `csms-${roleName}`, level: config.log.level });
  let serving = false;
  let ops: OpsServer | undefined;
  let role: RunningRole;
  try {
    if (config.metrics.enabled && roleName !== 'migrate') {
      // Up before the role starts: /healthz answers during start-up, /readyz says 503 until it is ready.
      ops = await startOpsServer({
        host: config.metrics.host,
        port: config.metrics.port,
        metrics: telemetry.metricsHandler,
        ready: () => serving,
      });
      logger.info({ port: ops.port }, 'ops endpoint: /metrics, /healthz, /readyz');
    }
    const start = await loadRole();
    role = await start(config, logger, telemetry.metrics);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`csms: ${error.message}\n`);
      process.exit(2);
    }
    logger.fatal({ err: error }, `${roleName} failed to start`);
    process.exit(1);
  }
  logger.info({ role: roleName, nodeId: config.nodeId }, role.summary);
  if (role.finished) {
    process.send?.({ type: 'finished', role: roleName });
    await telemetry.shutdown();
    return;
  }
  serving = true;
  // A launcher that started us with an IPC channel (npm run cluster, tests) learns we are ready.
  process.send?.({ type: 'ready', role: roleName, nodeId: config.nodeId, summary: role.summary });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    serving = false; // /readyz: 503 while draining, so load balancers stop sending new work
    role
      .stop()
      .then(() => ops?.close())
      .then(() => telemetry.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'unclean shutdown');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // A stop that hangs (e.g. NATS unreachable) must not keep the process alive forever.
  process.on('SIGTERM', () =>
    setTimeout(() => process.exit(1), config.edge.shutdownGraceMs + 15_000).unref(),
  );
  if (process.env.CSMS_EXIT_WITH_PARENT === '1') {
    // Started by a launcher (npm run cluster, tests): do not outlive it if it dies without stopping us.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) shutdown('parent exited');
    }, 1000).unref();
  }
}

await main(process.argv.slice(2));
