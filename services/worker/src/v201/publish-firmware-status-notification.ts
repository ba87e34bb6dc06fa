import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * PublishFirmwareStatusNotification (L03): progress of publishing firmware on a Local Controller. Stored in
 * station_notifications once (a retry of the same CALL, same message id and payload, is not stored again);
 * empty response per schema.
 */
export async function onPublishFirmwareStatusNotification(
  ctx: HandlerContext,
  request: V201.PublishFirmwareStatusNotificationRequest,
): Promise<V201.PublishFirmwareStatusNotificationResponse> {
  await storeNotification(ctx, 'PublishFirmwareStatusNotification', request);
  return {};
}
