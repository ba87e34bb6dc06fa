import type { Bus, StationApi } from '@csms/bus';
import type { ApiServiceName, CsmsConfig } from '@csms/config';
import type { Database, Kysely } from '@csms/db';
import { startApiServer, type ApiAuth, type ApiServer, type ApiService } from '@csms/grpc';
import { createAuthService } from '@csms/auth';
import { createFirmwareService } from '@csms/firmware';
import { createReservationService } from '@csms/reservation';
import { createSmartChargingService } from '@csms/smart-charging';
import {
  createDisplayMessageService,
  createMonitoringService,
  createOcpp16Service,
  createOcpp201Service,
  createStationService,
  type HistoryRetentionOptions,
} from '@csms/station-api';
import { createTariffService, createTransactionService } from '@csms/transaction';
import type { Logger } from '@csms/telemetry';

// The service names live in the role registry (@csms/config), next to the roles that serve them.
export { API_SERVICE_NAMES, type ApiServiceName } from '@csms/config';

/** What the services are built from: the same objects in the embedded process and in each role. */
export interface ApiParts {
  readonly db: Kysely<Database>;
  readonly bus: Bus;
  readonly stations: StationApi;
  readonly logger: Logger;
  /** The configuration (service settings such as CSMS_FIRMWARE_STATUS_TIMEOUT). */
  readonly config: CsmsConfig;
}

/** Each service name's factory (the station API includes the typed OCPP command services). */
const FACTORIES: Readonly<Record<ApiServiceName, (parts: ApiParts, logger: Logger) => ApiService[]>> = {
  station: (parts, logger) => [
    createStationService({ ...parts, logger, retention: retentionOf(parts.config) }),
    createOcpp16Service({ ...parts, logger }),
    createOcpp201Service({ ...parts, logger }),
    createDisplayMessageService({ ...parts, logger }),
    createMonitoringService({ ...parts, logger }),
  ],
  auth: (parts, logger) => {
    const { renewalCheckIntervalSec, renewalDaysBefore } = parts.config.stationCertificates;
    return [
      createAuthService({
        ...parts,
        logger,
        concurrency: parts.config.concurrency,
        ...(renewalCheckIntervalSec > 0
          ? {
              certificateRenewal: {
                renewBeforeMs: renewalDaysBefore * 86_400_000,
                checkIntervalMs: renewalCheckIntervalSec * 1000,
              },
            }
          : {}),
      }),
    ];
  },
  // The tariff service runs with the transactions: a cost is derived from a transaction's recorded data.
  transaction: (parts, logger) => [
    createTransactionService({ ...parts, logger }),
    createTariffService(parts),
  ],
  firmware: (parts, logger) => [
    createFirmwareService({
      ...parts,
      logger,
      runner: { statusTimeoutMs: parts.config.firmware.statusTimeoutSec * 1000 },
    }),
  ],
  'smart-charging': (parts, logger) => [createSmartChargingService({ ...parts, logger })],
  reservation: (parts, logger) => [createReservationService({ ...parts, logger })],
};

/** Builds the named services. */
export function apiServicesFor(names: readonly ApiServiceName[], parts: ApiParts): ApiService[] {
  return names.flatMap((name) => FACTORIES[name](parts, parts.logger.child({ component: `api-${name}` })));
}

/** The credential the API servers require (CSMS_API_TOKEN and/or CSMS_API_TLS_*). */
export function apiAuthFrom(config: CsmsConfig): ApiAuth {
  const { token, tls } = config.grpc;
  if (tls?.caFile)
    return { kind: 'mtls', tls: { certFile: tls.certFile, keyFile: tls.keyFile, caFile: tls.caFile } };
  if (token) return { kind: 'token', token, ...(tls ? { tls } : {}) };
  return { kind: 'none' };
}

/**
 * A service with background work (the firmware campaign sender and status tracker): the server waits
 * for `ready` before listening and calls `close` after it stopped.
 */
interface ServiceLifecycle {
  readonly ready?: Promise<void>;
  close?(): Promise<void>;
}

/** Starts the gRPC server for `services` (after their background work is ready). */
export async function startApi(
  config: CsmsConfig,
  services: readonly (ApiService & ServiceLifecycle)[],
  logger: Logger,
  portOverride?: number,
): Promise<ApiServer> {
  const closeAll = () =>
    Promise.all(services.map((s) => s.close?.() ?? Promise.resolve())).then(() => undefined);
  try {
    await Promise.all(services.map((s) => s.ready ?? Promise.resolve()));
  } catch (error) {
    await closeAll();
    throw error;
  }
  const auth = apiAuthFrom(config);
  if (auth.kind === 'none' && config.grpc.host !== '127.0.0.1' && config.grpc.host !== 'localhost')
    logger.warn(
      { host: config.grpc.host },
      'the gRPC API accepts calls without a credential: set CSMS_API_TOKEN or CSMS_API_TLS_* files',
    );
  return startApiServer(
    {
      host: config.grpc.host,
      port: portOverride ?? config.grpc.port,
      auth,
      logger: logger.child({ component: 'grpc' }),
    },
    services,
  );
}

/** The history retention sweep's settings (CSMS_*_RETENTION_DAYS); undefined when it is off. */
function retentionOf(config: CsmsConfig): HistoryRetentionOptions | undefined {
  const { historyDays, securityEventDays, intervalSec } = config.retention;
  if (intervalSec === 0) return undefined;
  return { historyDays, securityEventDays, intervalMs: intervalSec * 1000 };
}
