import { expireReservations, findReservation, listReservations } from '@csms/db';
import {
  abortable,
  apiService,
  ApiErrors,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
  RequestViolations,
  resultOf,
  reservationV1 as api,
  ROW_ID_KEY,
  type ApiService,
  type CallContext,
  type ServiceImplementation,
} from '@csms/grpc';
import type { V16 } from '@csms/ocpp';
import type { ReservationServiceDeps } from './deps.js';
import { reservationVersion, reserveNow } from './reserve-now.js';
import { statusFilterOf, toReservation } from './reservation-view.js';

export type { ReservationServiceDeps } from './deps.js';

const SERVICE_NAME = 'csms.reservation.v1.ReservationService';

/**
 * `csms.reservation.v1.ReservationService`: reserves and cancels reservations on stations (OCPP 1.6 §5.13 / §5.3,
 * 2.0.1 H01 / H02) and lists them. The station's actor stores what the station accepted (after-command hooks of
 * ReserveNow and CancelReservation) and ends reservations on the station's messages; 1.6 stations do not report
 * an expiry, so the reads expire reservations whose time passed (1.6 §5.13 (2)) before answering.
 */
export function createReservationService(deps: ReservationServiceDeps): ApiService {
  const impl: ServiceImplementation<typeof api.ReservationServiceDefinition> = {
    reserveNow: (request, context) => reserveNow(deps, request, context),
    cancelReservation: (request, context) => cancel(deps, request, context),
    getReservation: (request) => get(deps, request),
    listReservations: (request) => list(deps, request),
  };
  return apiService(SERVICE_NAME, api.ReservationServiceDefinition, impl);
}

const now = (deps: ReservationServiceDeps): Date => deps.now?.() ?? new Date();

function checkKey(request: { stationId: string; reservationId: number }, rpc: string): void {
  const v = new RequestViolations();
  v.stationId('station_id', request.stationId);
  v.check(request.reservationId >= 0, 'reservation_id', 'must be a non-negative int32');
  v.throwIfAny(`invalid ${rpc} request`);
}

/**
 * CancelReservation: sent whatever the CSMS knows (the station is the authority on its reservations: one the CSMS
 * does not know gets Rejected, H02.FR.01, OCTT TC_052_CSMS); the actor marks a known one cancelled when Accepted.
 */
async function cancel(
  deps: ReservationServiceDeps,
  request: api.CancelReservationRequest,
  context: CallContext,
): Promise<api.CancelReservationResponse> {
  checkKey(request, 'CancelReservation');
  await reservationVersion(deps, request.stationId);
  await expireReservations(deps.db, now(deps), request.stationId);
  const outcome = await abortable(
    deps.stations.call(request.stationId, 'CancelReservation', { reservationId: request.reservationId }),
    context.signal,
  );
  const answer = resultOf(
    request.stationId,
    'CancelReservation',
    outcome,
  ) as unknown as V16.CancelReservationResponse;
  const after = await findReservation(deps.db, request.stationId, request.reservationId);
  return { status: answer.status, reservation: after ? toReservation(after) : undefined };
}

async function get(
  deps: ReservationServiceDeps,
  request: api.GetReservationRequest,
): Promise<api.GetReservationResponse> {
  checkKey(request, 'GetReservation');
  await expireReservations(deps.db, now(deps), request.stationId);
  const row = await findReservation(deps.db, request.stationId, request.reservationId);
  if (!row) throw ApiErrors.notFound('reservation', `${request.stationId}/${request.reservationId}`);
  return { reservation: toReservation(row) };
}

async function list(
  deps: ReservationServiceDeps,
  request: api.ListReservationsRequest,
): Promise<api.ListReservationsResponse> {
  const v = new RequestViolations();
  if (request.stationId !== '') v.stationId('station_id', request.stationId);
  v.check(request.idToken.length <= 36, 'id_token', 'must be at most 36 characters');
  v.throwIfAny('invalid ListReservations request');
  const status = statusFilterOf(request.status);
  const limit = pageSizeOf(request.pageSize);
  const before = decodePageToken(request.pageToken, ROW_ID_KEY);
  await expireReservations(deps.db, now(deps), request.stationId || undefined);
  const rows = await listReservations(deps.db, {
    limit: limit + 1,
    stationId: request.stationId || undefined,
    status,
    idToken: request.idToken || undefined,
    beforeId: before,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    reservations: page.map(toReservation),
    nextPageToken: rows.length > limit && last ? encodePageToken(last.id) : '',
  };
}
