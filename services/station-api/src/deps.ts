import type { Bus, StationApi } from '@csms/bus';
import type { Database, Kysely } from '@csms/db';
import type { Logger } from '@csms/telemetry';

/** What the station service needs: the database, the bus, the station command API and a logger. */
export interface StationServiceDeps {
  readonly db: Kysely<Database>;
  readonly bus: Bus;
  readonly stations: StationApi;
  readonly logger: Logger;
}
