import { storeDisplayMessagesPart } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * NotifyDisplayMessages (O03/O04): one part of a station's answer to a GetDisplayMessagesRequest, with its requestId
 * (O03.FR.05) and tbc on every part but the last (O03.FR.04). In the CALL's transaction its messages are written to
 * the station's display message catalogue as reported and, on the last part, the catalogue is reconciled with the
 * whole report for the request's criteria (see message-reports.ts of @csms/db). The message is also stored as
 * received in station_notifications once (a retry of the same CALL, same message id and payload, is not stored
 * again), as before. Empty response per schema.
 */
export async function onNotifyDisplayMessages(
  ctx: HandlerContext,
  request: V201.NotifyDisplayMessagesRequest,
): Promise<V201.NotifyDisplayMessagesResponse> {
  await storeNotification(ctx, 'NotifyDisplayMessages', request);
  await storeDisplayMessagesPart(ctx.db, {
    stationId: ctx.stationId,
    requestId: request.requestId,
    messages: request.messageInfo ?? [],
    tbc: request.tbc ?? false,
  });
  return {};
}
