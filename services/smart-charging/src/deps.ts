import type { StationApi } from '@csms/bus';
import type { Database, Kysely } from '@csms/db';
import type { Logger } from '@csms/telemetry';

/** What the smart charging service needs: the database, the station command API and a logger. */
export interface SmartChargingServiceDeps {
  readonly db: Kysely<Database>;
  readonly stations: StationApi;
  readonly logger: Logger;
}
