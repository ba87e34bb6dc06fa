import { recordHeartbeat } from '@csms/db';
import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';

/** Heartbeat (OCPP 1.6 §4.6): notes that the station is alive and gives it the CSMS time. */
export async function onHeartbeat(
  ctx: HandlerContext,
  _request: V16.HeartbeatRequest,
): Promise<V16.HeartbeatResponse> {
  const now = ctx.now();
  await recordHeartbeat(ctx.db, ctx.stationId, now);
  return { currentTime: now.toISOString() };
}
