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
  const r = await ctx.db
    .insertInto('device_events')
    .values({
      station_id: ctx.stationId,
      seq_no: request.seqNo,
      generated_at: generatedAt,
      tbc,
      event_data: JSON.stringify(request.eventData),
    })
    .onConflict((oc) => oc.columns(['station_id', 'generated_at', 'seq_no']).doNothing())
    .executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0n) > 0) {
    ctx.emit('device-event', {
      seqNo: request.seqNo,
      generatedAt: generatedAt.toISOString(),
      count: request.eventData.length,
    });
  }
  return {};
}
