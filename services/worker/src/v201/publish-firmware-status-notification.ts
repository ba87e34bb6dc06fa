import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * PublishFirmwareStatusNotification (L03): progress of publishing firmware on a Local Controller, which sends one
 * for every new status (L03.FR.01) and, with Published, the URIs it serves the file at (L03.FR.04). Stored in
 * station_notifications once (a retry of the same CALL, same message id and payload, is not stored again) and
 * published as a `publish-firmware-status` station event, so that an operator following the publication (and
 * wanting the locations for the UpdateFirmware of the stations behind the controller) sees it; empty response per
 * schema.
 */
export async function onPublishFirmwareStatusNotification(
  ctx: HandlerContext,
  request: V201.PublishFirmwareStatusNotificationRequest,
): Promise<V201.PublishFirmwareStatusNotificationResponse> {
  if (await storeNotification(ctx, 'PublishFirmwareStatusNotification', request)) {
    ctx.emit('publish-firmware-status', {
      status: request.status,
      ...(request.requestId !== undefined ? { requestId: request.requestId } : {}),
      ...(request.location !== undefined ? { location: request.location } : {}),
    });
  }
  return {};
}
