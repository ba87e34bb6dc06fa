#!/usr/bin/env node
import {
  ConfigError,
  LISTED_ROLES,
  ROLES,
  isRoleName,
  loadConfig,
  type CsmsConfig,
  type RoleName,
} from '@csms/config';
import {
  createLogger,
  startOpsServer,
  startTelemetry,
  type CsmsMetrics,
  type Logger,
  type OpsServer,
  type Telemetry,
} from '@csms/telemetry';
// Only type imports of the roles here: their modules load `pg` and `@grpc/grpc-js`, which OpenTelemetry
// can instrument only when they are loaded after `startTelemetry` (see main()).
import type { RunningRole } from './roles/distributed.js';

const USAGE = [
  `usage: csms [${LISTED_ROLES.join('|')}]`,
  '',
  ...LISTED_ROLES.map((name) => `  ${name.padEnd(16)}${ROLES[name].description}`),
  '',
  'Every role but embedded needs CSMS_NATS_URL and CSMS_DATABASE_URL (migrate: only the latter).',
  '',
  'Settings come from CSMS_* environment variables: see docs/configuration.md.',
].join('\n');

type RoleStarter = (config: CsmsConfig, logger: Logger, metrics: CsmsMetrics) => Promise<RunningRole>;

const distributed = () => import('./roles/distributed.js');

/** A gRPC role (api, its old name admin, the domain services): the services and admin endpoint its registry entry names. */
const grpcRole = (name: RoleName) => async () =>
  (await distributed()).apiRole(name, ROLES[name].services, ROLES[name].admin);

/**
 * Each role of the registry (@csms/config) by name, loaded on demand: after telemetry is set up (see
 * main()), and only the role's own modules.
 */
const STARTERS: Readonly<Record<RoleName, () => Promise<RoleStarter>>> = {
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
  api: grpcRole('api'),
  admin: grpcRole('admin'),
  auth: grpcRole('auth'),
  transaction: grpcRole('transaction'),
  firmware: grpcRole('firmware'),
  'smart-charging': grpcRole('smart-charging'),
  reservation: grpcRole('reservation'),
  migrate: async () => (await distributed()).runMigrateRole,
};

/** Exits 2 with the message of a configuration error; rethrows anything else. */
function exitOnConfigError(error: unknown): void {
  if (error instanceof ConfigError) {
    process.stderr.write(`csms: ${error.message}\n`);
    process.exit(2);
  }
}

/** Starts the ops endpoint (long-running roles) and the role; exits 1 or 2 when either fails. */
async function startRole(
  roleName: RoleName,
  config: CsmsConfig,
  telemetry: Telemetry,
  logger: Logger,
  isServing: () => boolean,
): Promise<{ role: RunningRole; ops: OpsServer | undefined }> {
  let ops: OpsServer | undefined;
  try {
    if (config.metrics.enabled && ROLES[roleName].longRunning) {
      // Up before the role starts: /healthz answers during start-up, /readyz says 503 until it is ready.
      ops = await startOpsServer({
        host: config.metrics.host,
        port: config.metrics.port,
        metrics: telemetry.metricsHandler,
        ready: isServing,
      });
      logger.info({ port: ops.port }, 'ops endpoint: /metrics, /healthz, /readyz');
    }
    const start = await STARTERS[roleName]();
    return { role: await start(config, logger, telemetry.metrics), ops };
  } catch (error) {
    exitOnConfigError(error);
    logger.fatal({ err: error }, `${roleName} failed to start`);
    process.exit(1);
  }
}

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
  if (!isRoleName(roleName) || argv.length > 1) {
    process.stderr.write(`csms: unknown arguments: ${argv.join(' ')}\n${USAGE}\n`);
    process.exit(2);
  }
  let config: CsmsConfig;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnConfigError(error);
    throw error;
  }
  // First, before any module that loads pg or @grpc/grpc-js (see STARTERS).
  const telemetry = startTelemetry({
    service: process.env.OTEL_SERVICE_NAME || `csms-${roleName}`,
    tracing: config.tracing,
  });
  const logger = createLogger({ service: `csms-${roleName}`, level: config.log.level });
  let serving = false;
  const { role, ops } = await startRole(roleName, config, telemetry, logger, () => serving);
  logger.info({ role: roleName, nodeId: config.nodeId }, role.summary);
  if (role.finished) {
    process.send?.({ type: 'finished', role: roleName });
    await telemetry.shutdown();
    return;
  }
  serving = true;
  // A launcher that started us with an IPC channel (npm run cluster, tests) learns we are ready.
  process.send?.({ type: 'ready', role: roleName, nodeId: config.nodeId, summary: role.summary });
  stopOnSignals({ role, ops, telemetry, logger, graceMs: config.edge.shutdownGraceMs }, () => {
    serving = false; // /readyz: 503 while draining, so load balancers stop sending new work
  });
}

/** Graceful stop on SIGINT / SIGTERM (and when the launcher that started us is gone). */
function stopOnSignals(
  running: {
    role: RunningRole;
    ops: OpsServer | undefined;
    telemetry: Telemetry;
    logger: Logger;
    graceMs: number;
  },
  draining: () => void,
): void {
  const { role, ops, telemetry, logger } = running;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    draining();
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
  process.on('SIGTERM', () => setTimeout(() => process.exit(1), running.graceMs + 15_000).unref());
  if (process.env.CSMS_EXIT_WITH_PARENT === '1') {
    // Started by a launcher (npm run cluster, tests): do not outlive it if it dies without stopping us.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) shutdown('parent exited');
    }, 1000).unref();
  }
}

await main(process.argv.slice(2));
