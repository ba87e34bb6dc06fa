import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/** FirmwareStatusNotification (OCPP 1.6 §4.5): progress of an UpdateFirmware download/installation. */
export async function onFirmwareStatusNotification(
  ctx: HandlerContext,
  request: V16.FirmwareStatusNotificationRequest,
): Promise<V16.FirmwareStatusNotificationResponse> {
  await storeNotification(ctx, 'FirmwareStatusNotification', { ...request });
  ctx.emit('firmware-status', { action: 'FirmwareStatusNotification', status: request.status });
  return {};
}
