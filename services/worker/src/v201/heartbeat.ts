import { recordHeartbeat } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';

/** Heartbeat (G02): records that the station is alive and answers with the CSMS time (G02.FR.03). */
export async function onHeartbeat(
  ctx: HandlerContext,
  _request: V201.HeartbeatRequest,
): Promise<V201.HeartbeatResponse> {
  const now = ctx.now();
  await recordHeartbeat(ctx.db, ctx.stationId, now);
  return { currentTime: now.toISOString() };
}
