import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { CreatedAt, Timestamp, UpdatedAt } from '../column-types.js';

export type BootPolicy = 'Accepted' | 'Pending' | 'Rejected';
export type RegistrationStatus = BootPolicy;

export interface StationsTable {
  /** The OCPP identity (last path segment of the connection URL). */
  id: string;
  /** `scrypt$…` hash of the Basic-auth password (Security Profiles 1 and 2); null = none set. */
  password_hash: string | null;
  /** 0 = no authentication (development), 1 = Basic, 2 = TLS + Basic, 3 = mutual TLS. */
  security_profile: number;
  /** Answer to BootNotification for this station; null = the CSMS-wide default. */
  boot_policy: BootPolicy | null;
  /** Created automatically on first connection (embedded default), not by an operator. */
  auto_registered: Generated<boolean>;
  ocpp_version: string | null;
  vendor: string | null;
  model: string | null;
  serial_number: string | null;
  firmware_version: string | null;
  modem_iccid: string | null;
  modem_imsi: string | null;
  meter_type: string | null;
  meter_serial_number: string | null;
  /** The status the last BootNotification was answered with. */
  registration_status: RegistrationStatus | null;
  last_boot_at: Timestamp | null;
  last_heartbeat_at: Timestamp | null;
  /** When a boot last reported a firmware version other than the boot before (null: never). */
  firmware_changed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/**
 * Last reported status per connector. OCPP 1.6 connector N is stored as evse_id = N, connector_id = N,
 * with connector 0 (the whole Charge Point) as (0, 0); OCPP 2.0.1 uses its EVSE/connector ids.
 */
export interface ConnectorsTable {
  station_id: string;
  evse_id: number;
  connector_id: number;
  status: string;
  error_code: string | null;
  info: string | null;
  vendor_id: string | null;
  vendor_error_code: string | null;
  status_at: Timestamp;
  updated_at: UpdatedAt;
}

export interface StationTables {
  stations: StationsTable;
  connectors: ConnectorsTable;
}

export type StationRow = Selectable<StationsTable>;
export type InsertableStationRow = Insertable<StationsTable>;
export type UpdateableStationRow = Updateable<StationsTable>;
export type ConnectorRow = Selectable<ConnectorsTable>;
