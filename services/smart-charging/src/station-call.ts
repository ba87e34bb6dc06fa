import type { StationApi } from '@csms/bus';
import { resultOf } from '@csms/grpc';

/** Sends a CALL; the station's CALLRESULT payload, or the API error of how the call ended. */
export async function callStation<R>(
  stations: StationApi,
  stationId: string,
  action: string,
  payload: object,
): Promise<R> {
  const outcome = await stations.call(stationId, action, payload as Record<string, unknown>);
  return resultOf(stationId, action, outcome) as R;
}
