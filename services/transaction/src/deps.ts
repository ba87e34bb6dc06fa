import type { Bus, StationApi } from '@csms/bus';
import type { Database, Kysely } from '@csms/db';
import type { Logger } from '@csms/telemetry';

/**
 * What the transaction service needs: the database, the bus (the event stream, publishing operator
 * ends), the station command API (EndTransaction's stop request) and a logger.
 */
export interface TransactionServiceDeps {
  readonly db: Kysely<Database>;
  readonly bus: Bus;
  readonly stations: StationApi;
  readonly logger: Logger;
}
