import { ApiErrors, reservationV1 as api } from '@csms/grpc';
import type { ReservationRow, ReservationStatus } from '@csms/db';

const TO_API: Readonly<Record<ReservationStatus, api.ReservationStatus>> = {
  active: api.ReservationStatus.RESERVATION_STATUS_ACTIVE,
  used: api.ReservationStatus.RESERVATION_STATUS_USED,
  cancelled: api.ReservationStatus.RESERVATION_STATUS_CANCELLED,
  expired: api.ReservationStatus.RESERVATION_STATUS_EXPIRED,
  removed: api.ReservationStatus.RESERVATION_STATUS_REMOVED,
};

/** A stored reservation as the API shows it. */
export function toReservation(row: ReservationRow): api.Reservation {
  return {
    stationId: row.station_id,
    reservationId: row.reservation_id,
    ...(row.evse_id !== null ? { evseId: row.evse_id } : {}),
    connectorType: row.connector_type ?? '',
    idToken: row.id_token,
    idTokenType: row.id_token_type ?? '',
    groupIdToken: row.group_id_token ?? '',
    expireTime: row.expires_at,
    status: TO_API[row.status],
    transactionId: row.transaction_id ?? '',
    createTime: row.created_at,
    endTime: row.ended_at ?? undefined,
    ocppVersion: row.ocpp_version,
  };
}

/** The stored status of an API status filter; undefined for UNSPECIFIED (no filter). */
export function statusFilterOf(status: api.ReservationStatus): ReservationStatus | undefined {
  if (status === api.ReservationStatus.RESERVATION_STATUS_UNSPECIFIED) return undefined;
  const found = (Object.keys(TO_API) as ReservationStatus[]).find((s) => TO_API[s] === status);
  if (found === undefined)
    throw ApiErrors.invalidArgument('invalid ListReservations request', [
      { field: 'status', description: 'unknown reservation status' },
    ]);
  return found;
}
