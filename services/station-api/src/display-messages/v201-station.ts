import { findStationOcppVersion } from '@csms/db';
import {
  abortable,
  requireOcppVersion,
  resultOf,
  type CallContext,
  type RequestViolations,
} from '@csms/grpc';
import type { StationServiceDeps } from '../deps.js';

// What every DisplayMessageService RPC does with its station: check it is an OCPP 2.0.1 station, send it a CALL.

/** Throws unless `stationId` is valid, registered and an OCPP 2.0.1 station; `v` holds the other violations. */
export async function requireV201Station(
  deps: StationServiceDeps,
  stationId: string,
  v: RequestViolations,
  message: string,
): Promise<void> {
  v.stationId('station_id', stationId);
  v.throwIfAny(message);
  requireOcppVersion(stationId, await findStationOcppVersion(deps.db, stationId), ['ocpp2.0.1']);
}

/** Sends a CALL to a station; its CALLRESULT payload, or the API error of how the call ended. */
export async function callStation<R>(
  deps: StationServiceDeps,
  stationId: string,
  action: string,
  payload: object,
  context: CallContext,
): Promise<R> {
  const outcome = await abortable(
    deps.stations.call(stationId, action, payload as Record<string, unknown>),
    context.signal,
  );
  return resultOf(stationId, action, outcome) as R;
}
