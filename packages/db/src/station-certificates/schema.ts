import type { Generated } from 'kysely';
import type { CreatedAt, Timestamp } from '../column-types.js';

/**
 * Where an issued certificate stands: `issued` (signed, CertificateSigned queued for the station), `installed` (the
 * station answered Accepted), `rejected` (the station answered Rejected, A02.FR.07), `revoked` (by the operator:
 * a profile-3 connection presenting it is refused).
 */
export type StationCertificateStatus = 'issued' | 'installed' | 'rejected' | 'revoked';

/** Certificates the CSMS's CA issued to stations (SignCertificate → CertificateSigned, A02 / A03). */
export interface StationCertificatesTable {
  id: Generated<string>;
  station_id: string;
  /** ChargingStationCertificate (1.6: the charge point certificate) or V2GCertificate. */
  certificate_type: string;
  /** Upper-case hex. */
  serial_number: string;
  subject: string;
  issuer: string;
  not_before: Timestamp;
  not_after: Timestamp;
  /** SHA-256 of the DER certificate, lower-case hex: how the edge and the station's answer find the row. */
  fingerprint: string;
  /** The PEM chain sent in CertificateSigned (the certificate first). */
  certificate_chain: string;
  /** Which signer issued it (`built-in`, `command`). */
  signer: string;
  status: StationCertificateStatus;
  issued_at: CreatedAt;
  status_changed_at: Timestamp;
  /** When a renewal (TriggerMessage SignChargingStationCertificate) was last requested for it. */
  renewal_requested_at: Timestamp | null;
}

export interface StationCertificateTables {
  station_certificates: StationCertificatesTable;
}
