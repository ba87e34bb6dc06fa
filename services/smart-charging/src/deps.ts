import type { Bus, StationApi } from '@csms/bus';
import type { Database, Kysely } from '@csms/db';
import type { Logger } from '@csms/telemetry';

/**
 * What the smart charging service needs: the database, the station command API, the bus (the site rebalancer follows
 * the stations' `transaction-ended` events) and a logger.
 */
export interface SmartChargingServiceDeps {
  readonly db: Kysely<Database>;
  readonly stations: StationApi;
  readonly bus: Bus;
  readonly logger: Logger;
}
