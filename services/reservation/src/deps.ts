import type { StationApi } from '@csms/bus';
import type { Database, Kysely } from '@csms/db';
import type { Logger } from '@csms/telemetry';

/** What the reservation service needs: the database, the station command API, a logger and a clock. */
export interface ReservationServiceDeps {
  readonly db: Kysely<Database>;
  readonly stations: StationApi;
  readonly logger: Logger;
  /** Default: the system clock. */
  readonly now?: () => Date;
}
