import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/** LogStatusNotification (N01): logged in station_notifications and published. */
export async function onLogStatusNotification(
  ctx: HandlerContext,
  request: V201.LogStatusNotificationRequest,
): Promise<V201.LogStatusNotificationResponse> {
  await storeNotification(ctx, 'LogStatusNotification', request);
  ctx.emit('log-status', {
    status: request.status,
    ...(request.requestId !== undefined ? { requestId: request.requestId } : {}),
  });
  return {};
}
