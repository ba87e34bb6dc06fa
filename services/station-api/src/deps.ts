import type { Bus, StationApi } from '@csms/bus';
import type { Database, Kysely } from '@csms/db';
import type { Logger } from '@csms/telemetry';
import type { HistoryRetentionOptions } from './history-retention.js';

/** What the station service needs: the database, the bus, the station command API and a logger. */
export interface StationServiceDeps {
  readonly db: Kysely<Database>;
  readonly bus: Bus;
  readonly stations: StationApi;
  readonly logger: Logger;
  /** The history retention sweep (the station service runs it); absent: none. */
  readonly retention?: HistoryRetentionOptions;
}
