import { certificatesDueForRenewal, claimCertificateRenewal, findStation } from '@csms/db';
import type { AuthServiceDeps } from './deps.js';
import { triggerCertificateRenewal } from './station-certificates.js';

/** When the scheduler renews certificates. */
export interface CertificateRenewalOptions {
  /** Renew an installed certificate this long before it expires (ms; A03.FR.02: one month). */
  readonly renewBeforeMs: number;
  /** How often to look (ms). */
  readonly checkIntervalMs: number;
  /** A renewal that led to no new certificate is requested again after this long (ms). Default: one day. */
  readonly retryAfterMs?: number;
  /** Certificates handled per look (the rest wait for the next). Default 100. */
  readonly batchSize?: number;
  readonly now?: () => Date;
}

const DAY_MS = 86_400_000;

/**
 * Asks stations to renew their certificates before they expire (A02 driven by the CSMS: 2.0.1 TriggerMessage
 * SignChargingStationCertificate, 1.6 ExtendedTriggerMessage SignChargePointCertificate). Each look takes the
 * installed certificates that expire within `renewBeforeMs` and have no newer certificate, claims each one
 * (a conditional update: of several auth replicas only one sends the trigger) and sends the trigger, kept in the
 * station's durable command queue when it is offline. A station that answers Rejected or never sends its CSR is
 * asked again after `retryAfterMs`.
 */
export class CertificateRenewalScheduler {
  readonly #deps: Pick<AuthServiceDeps, 'db' | 'stations' | 'logger'>;
  readonly #options: CertificateRenewalOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: Pick<AuthServiceDeps, 'db' | 'stations' | 'logger'>, options: CertificateRenewalOptions) {
    this.#deps = deps;
    this.#options = options;
  }

  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = setInterval(() => void this.runOnce(), this.#options.checkIntervalMs);
    this.#timer.unref();
    void this.runOnce();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One look (never two at once); resolves with the number of triggers sent. Failures are logged, never thrown. */
  runOnce(): Promise<void> {
    this.#running ??= this.#look()
      .catch((error: unknown) => this.#deps.logger.error({ err: error }, 'certificate renewal check failed'))
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #look(): Promise<void> {
    const { db, stations, logger } = this.#deps;
    const now = (this.#options.now ?? (() => new Date()))();
    const retryAfterMs = this.#options.retryAfterMs ?? DAY_MS;
    const requestedBefore = new Date(now.getTime() - retryAfterMs);
    const due = await certificatesDueForRenewal(db, {
      expiringBefore: new Date(now.getTime() + this.#options.renewBeforeMs),
      requestedBefore,
      limit: this.#options.batchSize ?? 100,
    });
    for (const certificate of due) {
      if (this.#stopped) return;
      if (!(await claimCertificateRenewal(db, certificate.id, requestedBefore))) continue;
      const station = await findStation(db, certificate.station_id);
      const version = station?.ocpp_version;
      if (version !== 'ocpp1.6' && version !== 'ocpp2.0.1') continue;
      const log = { stationId: certificate.station_id, serialNumber: certificate.serial_number };
      try {
        // Kept in the durable queue for an offline station (stationStatus `Queued`), until the retry is due.
        const status = await triggerCertificateRenewal(stations, certificate.station_id, version, {
          certificateType: certificate.certificate_type,
          call: { whenOffline: 'queue', queueTtlMs: retryAfterMs },
        });
        logger.info(
          { ...log, notAfter: certificate.not_after, stationStatus: status },
          'certificate renewal triggered',
        );
      } catch (error) {
        logger.warn({ ...log, err: error }, 'certificate renewal trigger failed; retried later');
      }
    }
  }
}
