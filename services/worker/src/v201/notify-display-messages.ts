import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/** NotifyDisplayMessages (O03/O04): the display messages asked for by GetDisplayMessages. Logged in station_notifications (a retry is logged again); empty response per schema. */
export async function onNotifyDisplayMessages(
  ctx: HandlerContext,
  request: V201.NotifyDisplayMessagesRequest,
): Promise<V201.NotifyDisplayMessagesResponse> {
  await storeNotification(ctx, 'NotifyDisplayMessages', request);
  return {};
}
