import {
  findOverlappingReservation,
  findReservation,
  findStationOcppVersion,
  reportedEvseIds,
  storeReservation,
  type NewReservation,
} from '@csms/db';
import {
  abortable,
  ApiErrors,
  RequestViolations,
  requireOcppVersion,
  resultOf,
  type CallContext,
  type reservationV1 as api,
} from '@csms/grpc';
import type { V16, V201 } from '@csms/ocpp';
import type { ReservationServiceDeps } from './deps.js';
import { toReservation } from './reservation-view.js';

export type ReservationVersion = 'ocpp1.6' | 'ocpp2.0.1';
const SUPPORTED: readonly ReservationVersion[] = ['ocpp1.6', 'ocpp2.0.1'];
const INT32_MAX = 2_147_483_647;
/** 2.0.1 ConnectorEnumType. */
const CONNECTOR_TYPES = new Set([
  'cCCS1', 'cCCS2', 'cG105', 'cTesla', 'cType1', 'cType2', 's309-1P-16A', 's309-1P-32A', 's309-3P-16A',
  's309-3P-32A', 'sBS1361', 'sCEE-7-7', 'sType2', 'sType3', 'Other1PhMax16A', 'Other1PhOver16A', 'Other3Ph',
  'Pan', 'wInductive', 'wResonant', 'Undetermined', 'Unknown',
]); // prettier-ignore

/** The station's OCPP version for reservations (NOT_FOUND, OCPP_VERSION_UNKNOWN / _UNSUPPORTED otherwise). */
export async function reservationVersion(
  deps: ReservationServiceDeps,
  stationId: string,
): Promise<ReservationVersion> {
  return requireOcppVersion(stationId, await findStationOcppVersion(deps.db, stationId), SUPPORTED);
}

/**
 * ReserveNow: checks the request against the station (its version, reported EVSEs, active reservations), sends 1.6
 * ReserveNow.req or 2.0.1 ReserveNowRequest, and returns the station's answer with the reservation the station's
 * actor stored when it was Accepted (the actor's after-command hook stores it and publishes `reservation-created`).
 */
export async function reserveNow(
  deps: ReservationServiceDeps,
  request: api.ReserveNowRequest,
  context: CallContext,
): Promise<api.ReserveNowResponse> {
  const now = deps.now?.() ?? new Date();
  checkRequest(request, now);
  const version = await reservationVersion(deps, request.stationId);
  const evseId = request.evseId === undefined || request.evseId === 0 ? null : request.evseId;
  await checkAgainstStation(deps, request, version, evseId, now);
  const payload = version === 'ocpp1.6' ? toV16(request, evseId) : toV201(request, evseId);
  const outcome = await abortable(
    deps.stations.call(request.stationId, 'ReserveNow', payload as unknown as Record<string, unknown>),
    context.signal,
  );
  const answer = resultOf(request.stationId, 'ReserveNow', outcome) as unknown as V16.ReserveNowResponse;
  if (answer.status !== 'Accepted') return { status: answer.status, reservation: undefined };
  let row = await findReservation(deps.db, request.stationId, request.reservationId);
  if (row?.status !== 'active') {
    // The actor's hook failed (logged there): the station holds the reservation, so the CSMS keeps it too.
    row = await storeReservation(deps.db, storedOf(request, version, evseId));
  }
  return { status: answer.status, reservation: toReservation(row) };
}

function checkRequest(request: api.ReserveNowRequest, now: Date): void {
  const v = new RequestViolations();
  v.stationId('station_id', request.stationId);
  v.check(request.reservationId >= 0, 'reservation_id', 'must be a non-negative int32');
  v.check(request.evseId === undefined || request.evseId >= 0, 'evse_id', 'must be >= 0');
  v.check(
    request.idToken.length > 0 && request.idToken.length <= 36,
    'id_token',
    'must be 1 to 36 characters',
  );
  v.check(request.groupIdToken.length <= 36, 'group_id_token', 'must be at most 36 characters');
  v.check(
    request.connectorType === '' || CONNECTOR_TYPES.has(request.connectorType),
    'connector_type',
    `must be an OCPP 2.0.1 ConnectorEnumType (${[...CONNECTOR_TYPES].join(', ')})`,
  );
  if (request.expireTime === undefined) v.add('expire_time', 'is required');
  else v.check(request.expireTime.getTime() > now.getTime(), 'expire_time', 'must be in the future');
  v.throwIfAny('invalid ReserveNow request');
}

/** INVALID_ARGUMENT for an EVSE the station does not have; ALREADY_EXISTS / RESERVATION_OVERLAP for conflicts. */
async function checkAgainstStation(
  deps: ReservationServiceDeps,
  request: api.ReserveNowRequest,
  version: ReservationVersion,
  evseId: number | null,
  now: Date,
): Promise<void> {
  const v = new RequestViolations();
  if (version === 'ocpp1.6')
    v.check(request.connectorType === '', 'connector_type', 'OCPP 1.6 ReserveNow has no connector type');
  if (evseId !== null) {
    const known = await reportedEvseIds(deps.db, request.stationId);
    const highest = known.at(-1) ?? INT32_MAX;
    v.check(
      evseId <= highest,
      'evse_id',
      `station ${request.stationId} reported EVSEs / connectors 1..${highest} only`,
    );
  }
  v.throwIfAny('invalid ReserveNow request');
  const same = await findReservation(deps.db, request.stationId, request.reservationId);
  if (same?.status === 'active' && same.expires_at.getTime() > now.getTime())
    throw ApiErrors.alreadyExists('reservation', `${request.stationId}/${request.reservationId}`);
  const overlap = await findOverlappingReservation(deps.db, request.stationId, evseId, now);
  if (overlap !== undefined)
    throw ApiErrors.failedPrecondition(
      'RESERVATION_OVERLAP',
      `station ${request.stationId} has active reservation ${overlap.reservation_id} on ` +
        (evseId === null ? 'an unspecified EVSE' : `EVSE ${evseId}`),
      { stationId: request.stationId, reservationId: String(overlap.reservation_id) },
    );
}

function toV16(request: api.ReserveNowRequest, evseId: number | null): V16.ReserveNowRequest {
  return {
    // 1.6 §5.13: connectorId 0 = any connector (ReserveConnectorZeroSupported).
    connectorId: evseId ?? 0,
    expiryDate: (request.expireTime as Date).toISOString(),
    idTag: request.idToken,
    ...(request.groupIdToken !== '' ? { parentIdTag: request.groupIdToken } : {}),
    reservationId: request.reservationId,
  };
}

function toV201(request: api.ReserveNowRequest, evseId: number | null): V201.ReserveNowRequest {
  return {
    id: request.reservationId,
    expiryDateTime: (request.expireTime as Date).toISOString(),
    idToken: { idToken: request.idToken, type: (request.idTokenType || 'ISO14443') as V201.IdTokenEnumType },
    ...(evseId !== null ? { evseId } : {}),
    ...(request.connectorType !== ''
      ? { connectorType: request.connectorType as V201.ConnectorEnumType }
      : {}),
    ...(request.groupIdToken !== ''
      ? {
          groupIdToken: {
            idToken: request.groupIdToken,
            type: (request.groupIdTokenType || 'Central') as V201.IdTokenEnumType,
          },
        }
      : {}),
  };
}

function storedOf(
  request: api.ReserveNowRequest,
  version: ReservationVersion,
  evseId: number | null,
): NewReservation {
  return {
    stationId: request.stationId,
    reservationId: request.reservationId,
    ocppVersion: version,
    evseId,
    connectorType: request.connectorType || null,
    idToken: request.idToken,
    idTokenType: version === 'ocpp1.6' ? null : request.idTokenType || 'ISO14443',
    groupIdToken: request.groupIdToken || null,
    groupIdTokenType:
      version === 'ocpp1.6' || request.groupIdToken === '' ? null : request.groupIdTokenType || 'Central',
    expiresAt: request.expireTime as Date,
  };
}
