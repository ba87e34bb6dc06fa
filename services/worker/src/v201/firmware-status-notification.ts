import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/** FirmwareStatusNotification (L01/L02): logged in station_notifications and published. */
export async function onFirmwareStatusNotification(
  ctx: HandlerContext,
  request: V201.FirmwareStatusNotificationRequest,
): Promise<V201.FirmwareStatusNotificationResponse> {
  await storeNotification(ctx, 'FirmwareStatusNotification', request);
  ctx.emit('firmware-status', {
    status: request.status,
    ...(request.requestId !== undefined ? { requestId: request.requestId } : {}),
  });
  return {};
}
