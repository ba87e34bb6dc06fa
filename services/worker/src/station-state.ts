import type { RegistrationStatus, SecurityProfile } from './types.js';
import type { OcppVersion } from '@csms/ocpp';

/** The live connection of a station, as last reported by an edge. */
export interface StationConnection {
  readonly version: OcppVersion;
  readonly connectionId: string;
  readonly edgeId: string;
  readonly securityProfile: SecurityProfile;
  readonly since: string;
}

/** What a station actor keeps in memory about its station. */
export interface StationState {
  connection: StationConnection | undefined;
  /** Last BootNotification answer (restored from the database on activation). */
  registration: RegistrationStatus | undefined;
  /** OCPP version of the last connection or boot (restored from the database). */
  version: OcppVersion | undefined;
  /**
   * Station→CSMS actions allowed while not Accepted because the CSMS asked for them (TriggerMessage,
   * GetBaseReport / GetReport: OCPP 2.0.1 B02.FR.02 / B02.FR.09; 1.6 §4.2 TriggerMessage).
   */
  readonly allowedWhileNotAccepted: Set<string>;
}
