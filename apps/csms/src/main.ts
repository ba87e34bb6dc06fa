#!/usr/bin/env node
import { ConfigError, loadConfig, type CsmsConfig } from '@csms/config';
import { createLogger, type Logger } from '@csms/telemetry';
import { startEmbeddedCsms } from './embedded.js';
import { startAdminRole, startEdgeRole, startWorkerRole, type RunningRole } from './roles/distributed.js';

const USAGE = `usage: csms [embedded|edge|worker|admin]

  embedded  every service in this process, PGlite or PostgreSQL, in-memory bus (default)
  edge      station WebSockets, bridged to the workers over NATS (CSMS_NATS_URL, CSMS_DATABASE_URL)
  worker    station actors of the partitions this worker leases (CSMS_NATS_URL, CSMS_DATABASE_URL)
  admin     the admin HTTP endpoint for the distributed topology (CSMS_NATS_URL, CSMS_DATABASE_URL)

Settings come from CSMS_* environment variables: see docs/configuration.md.`;

const ROLES: Record<string, (config: CsmsConfig, logger: Logger) => Promise<RunningRole>> = {
  embedded: async (config, logger) => {
    const csms = await startEmbeddedCsms({ config, logger });
    const scheme = config.edge.tls ? 'wss' : 'ws';
    return {
      summary: `CSMS ready: stations connect to ${scheme}://<host>:${csms.port}/ocpp/<stationId> (ocpp1.6, ocpp2.0.1)`,
      stop: () => csms.stop(),
    };
  },
  edge: startEdgeRole,
  worker: startWorkerRole,
  admin: startAdminRole,
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
  const start = ROLES[roleName];
  if (!start || argv.length > 1) {
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
  const logger = createLogger({ service: `csms-${roleName}`, level: config.log.level });
  let role: RunningRole;
  try {
    role = await start(config, logger);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`csms: ${error.message}\n`);
      process.exit(2);
    }
    logger.fatal({ err: error }, `${roleName} failed to start`);
    process.exit(1);
  }
  logger.info({ role: roleName, nodeId: config.nodeId }, role.summary);
  // A launcher that started us with an IPC channel (npm run cluster, tests) learns we are ready.
  process.send?.({ type: 'ready', role: roleName, nodeId: config.nodeId, summary: role.summary });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    role.stop().then(
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
