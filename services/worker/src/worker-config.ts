import type { BootPolicy } from '@csms/db';
import { defaultOverloadSettings, type OverloadSettings } from './overload-detector.js';

/** Behaviour settings of the station actors (see docs/configuration.md for the environment names). */
export interface WorkerConfig {
  /** BootNotification answer for stations without their own policy. */
  readonly defaultBootPolicy: BootPolicy;
  /** Heartbeat interval (s) returned with an Accepted BootNotification. */
  readonly heartbeatIntervalSec: number;
  /** Retry interval (s) returned with Pending / Rejected (B02.FR.08, B03.FR.06). */
  readonly bootRetryIntervalSec: number;
  /**
   * Highest EVSE / connector id accepted from a station. OCPP puts no upper bound on these ids, so a
   * station claiming connector 2,000,000,000 is refused with PropertyConstraintViolation instead of
   * growing the database without limit.
   */
  readonly maxConnectorId: number;
  /** Default time a CSMS-initiated CALL waits for the station's answer (ms). */
  readonly commandTimeoutMs: number;
  /** CSMS-initiated CALLs that may wait behind the outstanding one, per station. */
  readonly commandQueueLimit: number;
  /** Commands a station may have waiting in the durable queue (`whenOffline: 'queue'`). */
  readonly queuedCommandLimit: number;
  /** How long a queued command waits for its station when the caller gives no `queueTtlMs` (ms). */
  readonly queuedCommandTtlMs: number;
  /** DataTransfer vendorIds this CSMS knows; any other gets UnknownVendorId. */
  readonly dataTransferVendors: readonly string[];
  /** The organization (O) a station's CSR must carry (A00.FR.509); undefined: any non-empty one. */
  readonly stationCertificateOrganization?: string | undefined;
  /** When the worker counts as overloaded (see OverloadDetector); `targetMs: 0` turns the refusal off. */
  readonly overload: OverloadSettings;
  /**
   * While overloaded, a BootNotification is answered Pending with a retry interval drawn from
   * [this, 2 × this) s, so the refused stations come back spread out instead of together.
   */
  readonly overloadBootIntervalSec: number;
}

export const defaultWorkerConfig: WorkerConfig = Object.freeze({
  defaultBootPolicy: 'Accepted',
  heartbeatIntervalSec: 300,
  bootRetryIntervalSec: 60,
  maxConnectorId: 128,
  commandTimeoutMs: 30_000,
  commandQueueLimit: 64,
  queuedCommandLimit: 100,
  queuedCommandTtlMs: 24 * 60 * 60 * 1000,
  dataTransferVendors: [],
  overload: defaultOverloadSettings,
  overloadBootIntervalSec: 5,
});
