import type { Bus } from '@csms/bus';
import type { Database, Kysely } from '@csms/db';
import type { Logger } from '@csms/telemetry';

/** What the transaction service needs: the database, the bus (for the event stream) and a logger. */
export interface TransactionServiceDeps {
  readonly db: Kysely<Database>;
  readonly bus: Bus;
  readonly logger: Logger;
}
