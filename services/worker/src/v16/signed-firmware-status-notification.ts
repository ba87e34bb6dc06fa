import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * SignedFirmwareStatusNotification (OCPP 1.6 security whitepaper ed. 3 §5.19, use case L01): progress
 * of a SignedUpdateFirmware, with the requestId of that request.
 */
export async function onSignedFirmwareStatusNotification(
  ctx: HandlerContext,
  request: V16.SignedFirmwareStatusNotificationRequest,
): Promise<V16.SignedFirmwareStatusNotificationResponse> {
  await storeNotification(ctx, 'SignedFirmwareStatusNotification', { ...request });
  ctx.emit('firmware-status', {
    action: 'SignedFirmwareStatusNotification',
    status: request.status,
    requestId: request.requestId ?? null,
  });
  return {};
}
