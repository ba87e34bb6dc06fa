import { storeStationNotification } from '@csms/db';
import type { HandlerContext } from './handler.js';

/**
 * Stores a station message as received in `station_notifications` (firmware / diagnostics / log
 * status, DataTransfer, informational 2.0.1 notifications). A retry of the same CALL (same message id,
 * same payload: the station did not get our CALLRESULT) is stored once. Returns true when stored.
 */
export function storeNotification(
  ctx: Pick<HandlerContext, 'db' | 'stationId' | 'call'>,
  action: string,
  payload: object,
): Promise<boolean> {
  return storeStationNotification(ctx.db, ctx.stationId, action, payload, ctx.call.messageId);
}
