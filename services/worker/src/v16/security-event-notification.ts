import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { parseTimestamp } from './common.js';

/**
 * SecurityEventNotification (OCPP 1.6 security whitepaper ed. 3 §5.15, use case A04). Stations queue
 * these "with a guaranteed delivery" (A04.FR.02), so the same event may arrive twice: it is stored once,
 * keyed by (station, type, timestamp), and every delivery is confirmed (A04.FR.03).
 */
export async function onSecurityEventNotification(
  ctx: HandlerContext,
  request: V16.SecurityEventNotificationRequest,
): Promise<V16.SecurityEventNotificationResponse> {
  const timestamp = parseTimestamp(request.timestamp, 'timestamp');
  const result = await ctx.db
    .insertInto('security_events')
    .values({ station_id: ctx.stationId, type: request.type, timestamp, tech_info: request.techInfo ?? null })
    .onConflict((oc) => oc.columns(['station_id', 'type', 'timestamp']).doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0n) > 0) {
    ctx.emit('security-event', {
      eventType: request.type,
      timestamp: timestamp.toISOString(),
      techInfo: request.techInfo ?? null,
    });
  }
  return {};
}
