import { createHash } from 'node:crypto';
import type { Database, Kysely } from '@csms/db';
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
  return insertNotification(ctx.db, ctx.stationId, action, payload, ctx.call.messageId);
}

/**
 * Stores a station message unless an identical one (same action, same payload) was stored before,
 * whatever its message id: for messages that must be kept once even when resent as new CALLs.
 */
export function storeNotificationOnce(
  db: Kysely<Database>,
  stationId: string,
  action: string,
  payload: object,
): Promise<boolean> {
  return insertNotification(db, stationId, action, payload, '');
}

async function insertNotification(
  db: Kysely<Database>,
  stationId: string,
  action: string,
  payload: object,
  scope: string,
): Promise<boolean> {
  const json = JSON.stringify(payload);
  const dedupeKey = createHash('sha256').update([action, scope, json].join('\u0000')).digest('base64url');
  const r = await db
    .insertInto('station_notifications')
    .values({ station_id: stationId, action, payload: json, dedupe_key: dedupeKey })
    .onConflict((oc) => oc.columns(['station_id', 'dedupe_key']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}
