import type { SecurityProfile } from '@csms/bus';

/**
 * Where the edge learns how a station must authenticate. Implemented by the app (backed by the auth service
 * or the database); the edge only reads through this seam.
 */
export interface StationCredentialStore {
  /** The station's credentials as configured (read once per upgrade), or undefined if unknown. */
  lookup(stationId: string): Promise<StationCredentials | undefined>;
  /** Records a station that connected while unknown, with the profile its connection presented. */
  autoRegister(stationId: string, securityProfile: SecurityProfile): Promise<void>;
  /**
   * Raises the station's configured profile to `securityProfile` (never lowers it): the station connected with a
   * higher one, so it may not use the lower one again (2.0.1 A05.FR.07).
   */
  raiseSecurityProfile(stationId: string, securityProfile: SecurityProfile): Promise<void>;
}

/** What the store knows of one station, from a single read. */
export interface StationCredentials {
  readonly securityProfile: SecurityProfile;
  /**
   * Whether `password` is the station's Basic-auth password as read (compare against a salted hash,
   * A01.FR.08). A binary OCPP 1.6 key arrives as uppercase hex (see `parseBasicAuthorization`).
   */
  checkPassword(password: string): Promise<boolean>;
  /**
   * Whether the client certificate with this SHA-256 fingerprint (lower-case hex) was issued by the CSMS and revoked
   * since: a profile-3 connection presenting it is refused.
   */
  certificateRevoked(fingerprint: string): Promise<boolean>;
}
