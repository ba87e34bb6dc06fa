import type { StationApi } from '@csms/bus';
import type { ConcurrencyPolicy, Database, Kysely } from '@csms/db';
import type { Logger } from '@csms/telemetry';
import type { CertificateRenewalOptions } from './certificate-renewal.js';

/** What the auth service needs: the database, the station command API and a logger. */
export interface AuthServiceDeps {
  readonly db: Kysely<Database>;
  readonly stations: StationApi;
  readonly logger: Logger;
  /**
   * When Authorize answers ConcurrentTx (CSMS_CONCURRENT_TX_LIMIT / CSMS_CONCURRENT_TX_IGNORE_SILENT_AFTER);
   * default one active transaction per token, each counts. Give the workers' local ports the same one.
   */
  readonly concurrency?: ConcurrencyPolicy;
  /** Renews station certificates before they expire (CSMS_CERT_RENEWAL_*); absent: no scheduler. */
  readonly certificateRenewal?: CertificateRenewalOptions;
}
