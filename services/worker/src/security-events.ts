import { storeSecurityEvent } from '@csms/db';
import type { V16, V201 } from '@csms/ocpp';
import type { HandlerContext } from './handler.js';
import { parseTimestamp } from './timestamps.js';

/**
 * SecurityEventNotification, the same message in OCPP 2.0.1 (A04) and the 1.6 Security Whitepaper
 * (§5.15). Stations queue these with guaranteed delivery (A04.FR.02), so the same event may arrive
 * twice: it is stored once, keyed by (station, type, timestamp), and every delivery is confirmed
 * (A04.FR.03).
 */
export async function onSecurityEventNotification(
  ctx: HandlerContext,
  request: V16.SecurityEventNotificationRequest | V201.SecurityEventNotificationRequest,
): Promise<Record<string, never>> {
  const timestamp = parseTimestamp(request.timestamp, 'timestamp');
  const stored = await storeSecurityEvent(ctx.db, {
    stationId: ctx.stationId,
    type: request.type,
    timestamp,
    techInfo: request.techInfo ?? null,
  });
  if (stored) {
    // Not `type`: that key names the station event itself.
    ctx.emit('security-event', {
      eventType: request.type,
      timestamp: timestamp.toISOString(),
      techInfo: request.techInfo ?? null,
    });
  }
  return {};
}
