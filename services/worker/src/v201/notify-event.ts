import { storeDeviceEvent } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { parseTimestamp } from './common.js';

/**
 * NotifyEvent (N07/N08): stored in device_events, unique per (station, generatedAt, seqNo) so a retry is
 * a no-op; answered with an empty response (N07.FR.03, N08.FR.02).
 */
export async function onNotifyEvent(
  ctx: HandlerContext,
  request: V201.NotifyEventRequest,
): Promise<V201.NotifyEventResponse> {
  const generatedAt = parseTimestamp(request.generatedAt, 'generatedAt');
  const tbc = request.tbc ?? false;
  const stored = await storeDeviceEvent(ctx.db, {
    stationId: ctx.stationId,
    seqNo: request.seqNo,
    generatedAt,
    tbc,
    eventData: request.eventData,
  });
  if (stored) {
    ctx.emit('device-event', {
      seqNo: request.seqNo,
      generatedAt: generatedAt.toISOString(),
      count: request.eventData.length,
    });
  }
  return {};
}
