import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * NotifyDisplayMessages (O03/O04): the display messages asked for by GetDisplayMessages. Stored in
 * station_notifications once (a retry of the same CALL, same message id and payload, is not stored again);
 * empty response per schema.
 */
export async function onNotifyDisplayMessages(
  ctx: HandlerContext,
  request: V201.NotifyDisplayMessagesRequest,
): Promise<V201.NotifyDisplayMessagesResponse> {
  await storeNotification(ctx, 'NotifyDisplayMessages', request);
  return {};
}
