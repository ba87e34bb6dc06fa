import type { SecurityProfile } from '@csms/bus';

/**
 * Where the edge learns how a station must authenticate. Implemented by the app (backed by the auth service
 * or the database); the edge only reads through this seam.
 */
export interface StationCredentialStore {
  /** The station's configured security profile, or undefined if unknown. */
  lookup(stationId: string): Promise<{ securityProfile: SecurityProfile } | undefined>;
  /**
   * Whether `password` is the station's current Basic-auth password (compare against a salted hash,
   * A01.FR.08). A binary OCPP 1.6 key arrives as uppercase hex (see `parseBasicAuthorization`).
   */
  checkPassword(stationId: string, password: string): Promise<boolean>;
  /** Records a station that connected while unknown, with the profile its connection presented. */
  autoRegister(stationId: string, securityProfile: SecurityProfile): Promise<void>;
}
