import type { PrunedTable } from '../prune-batch.js';
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Stores a station message as received in `station_notifications` (firmware / diagnostics / log status,
 * DataTransfer, informational 2.0.1 notifications, 1.6 stops of unknown transactions). It is stored once
 * per (action, `messageId`, payload): with the CALL's message id a retry of the same CALL (the station did
 * not get our CALLRESULT) is a no-op; with `messageId` '' (the default) an identical message is kept once
 * whatever its message id, for messages a station may resend as new CALLs. Returns true when stored.
 */
export async function storeStationNotification(
  db: Kysely<Database>,
  stationId: string,
  action: string,
  payload: object,
  messageId = '',
): Promise<boolean> {
  const json = JSON.stringify(payload);
  const dedupeKey = createHash('sha256').update([action, messageId, json].join('\u0000')).digest('base64url');
  const r = await db
    .insertInto('station_notifications')
    .values({ station_id: stationId, action, payload: json, dedupe_key: dedupeKey })
    .onConflict((oc) => oc.columns(['station_id', 'dedupe_key']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/**
 * History of this domain the retention sweep prunes (CSMS_REPORT_RETENTION_DAYS): raw stored notifications and device
 * events. Not `device_reports`: the newest reports are the CSMS's view of each station's device model (limits, tariff
 * support), and not `security_events` ({@link SECURITY_EVENT_HISTORY}, a retention of its own).
 */
export const STATION_REPORT_HISTORY: readonly PrunedTable[] = [
  { table: 'station_notifications', column: 'received_at' },
  { table: 'device_events', column: 'received_at' },
];

/** The security event log (A04), kept for CSMS_SECURITY_EVENT_RETENTION_DAYS. */
export const SECURITY_EVENT_HISTORY: readonly PrunedTable[] = [
  { table: 'security_events', column: 'received_at' },
];
