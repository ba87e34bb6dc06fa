import type { Generated } from 'kysely';
import type { CreatedAt, Timestamp } from '../column-types.js';

/**
 * Where a reservation stands: `active` (the station accepted ReserveNow), `used` (a transaction consumed it:
 * 1.6 StartTransaction / 2.0.1 TransactionEvent with its reservationId), `cancelled` (the station accepted
 * CancelReservation), `expired` (its expiry passed: 1.6 has no ReservationStatusUpdate, the CSMS expires it by time;
 * 2.0.1 ReservationStatusUpdate Expired, H04.FR.01), `removed` (2.0.1 ReservationStatusUpdate Removed, H01.FR.16/17;
 * 1.6: its connector became Faulted or Unavailable, §5.13 (3)).
 */
export type ReservationStatus = 'active' | 'used' | 'cancelled' | 'expired' | 'removed';

/** Reservations the stations accepted (1.6 §5.13 ReserveNow / §5.3 CancelReservation, 2.0.1 H01-H04). */
export interface ReservationsTable {
  /** Surrogate key. */
  id: Generated<string>;
  station_id: string;
  /** The OCPP reservationId (1.6 ReserveNow.reservationId, 2.0.1 ReserveNowRequest.id), unique per station. */
  reservation_id: number;
  ocpp_version: string;
  /** 2.0.1 evseId, 1.6 connectorId; null = unspecified (2.0.1 no evseId, 1.6 connectorId 0). */
  evse_id: number | null;
  /** 2.0.1 connectorType, when the reservation asked for one. */
  connector_type: string | null;
  id_token: string;
  /** 2.0.1 IdTokenType.type; null for 1.6. */
  id_token_type: string | null;
  /** 2.0.1 groupIdToken.idToken, 1.6 parentIdTag. */
  group_id_token: string | null;
  group_id_token_type: string | null;
  expires_at: Timestamp;
  status: ReservationStatus;
  /** The transaction (`transactions.transaction_id`) that consumed it, when `used`. */
  transaction_id: string | null;
  created_at: CreatedAt;
  ended_at: Timestamp | null;
}

export interface ReservationTables {
  reservations: ReservationsTable;
}
