#!/usr/bin/env node
import { ConfigError, loadConfig } from '@csms/config';
import { createLogger } from '@csms/telemetry';
import { startEmbeddedCsms } from './embedded.js';

/**
 * `npm start`: the whole CSMS in one process (embedded mode). Exit codes: 0 after a clean shutdown,
 * 1 on a start-up failure, 2 on invalid configuration.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`csms: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ service: 'csms', level: config.log.level });
  let csms;
  try {
    csms = await startEmbeddedCsms({ config, logger });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`csms: ${error.message}\n`);
      process.exit(2);
    }
    logger.fatal({ err: error }, 'CSMS failed to start');
    process.exit(1);
  }
  const scheme = config.edge.tls ? 'wss' : 'ws';
  logger.info(
    { port: csms.port, database: config.database.kind === 'pglite' ? `pglite:${config.database.dataDir}` : 'postgres' },
    `CSMS ready: stations connect to ${scheme}://<host>:${csms.port}/ocpp/<stationId> (ocpp1.6, ocpp2.0.1)`,
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    csms.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

await main();
