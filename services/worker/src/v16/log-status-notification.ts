import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * LogStatusNotification (OCPP 1.6 security whitepaper ed. 3 §5.13, use case N01): progress of a GetLog
 * upload, with the requestId of that GetLog (N01.FR.07).
 */
export async function onLogStatusNotification(
  ctx: HandlerContext,
  request: V16.LogStatusNotificationRequest,
): Promise<V16.LogStatusNotificationResponse> {
  await storeNotification(ctx, 'LogStatusNotification', { ...request });
  ctx.emit('log-status', { status: request.status, requestId: request.requestId ?? null });
  return {};
}
