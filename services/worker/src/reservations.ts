import { cancelReservation, storeReservation, type ReservationRow } from '@csms/db';
import type { V16, V201 } from '@csms/ocpp';
import type { CommandContext } from './handler.js';

/**
 * After ReserveNow is answered (1.6 §5.13, 2.0.1 H01): an Accepted reservation is stored (replacing an active one
 * with the same id, as the station did: 1.6 §5.13, H01.FR.02) and published as `reservation-created`. Whoever sent
 * it (the reservation service, a typed or generic call), the CSMS knows every reservation its stations accepted.
 * 1.6 connectorId 0 and a 2.0.1 request without evseId are stored as unspecified (null).
 */
export async function afterReserveNow(
  ctx: CommandContext,
  request: V16.ReserveNowRequest | V201.ReserveNowRequest,
  response: V16.ReserveNowResponse | V201.ReserveNowResponse,
): Promise<void> {
  if (response.status !== 'Accepted') return;
  const row = await storeReservation(
    ctx.db,
    'idTag' in request
      ? {
          stationId: ctx.stationId,
          reservationId: request.reservationId,
          ocppVersion: ctx.version,
          evseId: request.connectorId === 0 ? null : request.connectorId,
          idToken: request.idTag,
          groupIdToken: request.parentIdTag,
          expiresAt: new Date(request.expiryDate),
        }
      : {
          stationId: ctx.stationId,
          reservationId: request.id,
          ocppVersion: ctx.version,
          evseId: request.evseId === undefined || request.evseId === 0 ? null : request.evseId,
          connectorType: request.connectorType,
          idToken: request.idToken.idToken,
          idTokenType: request.idToken.type,
          groupIdToken: request.groupIdToken?.idToken,
          groupIdTokenType: request.groupIdToken?.type,
          expiresAt: new Date(request.expiryDateTime),
        },
  );
  ctx.emit('reservation-created', reservationEventData(row));
}

/**
 * After CancelReservation is answered (1.6 §5.3, 2.0.1 H02): Accepted cancels the station's active reservation
 * (H02.FR.02) and publishes `reservation-ended`; Rejected (no such reservation on the station, H02.FR.01) changes
 * nothing.
 */
export async function afterCancelReservation(
  ctx: CommandContext,
  request: V16.CancelReservationRequest | V201.CancelReservationRequest,
  response: V16.CancelReservationResponse | V201.CancelReservationResponse,
): Promise<void> {
  if (response.status !== 'Accepted') return;
  const row = await cancelReservation(ctx.db, ctx.stationId, request.reservationId);
  if (row) ctx.emit('reservation-ended', { reservationId: row.reservation_id, status: row.status });
}

function reservationEventData(row: ReservationRow): Record<string, unknown> {
  return {
    reservationId: row.reservation_id,
    evseId: row.evse_id,
    connectorType: row.connector_type,
    idToken: row.id_token,
    expiresAt: row.expires_at.toISOString(),
  };
}
