import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.js';
import { findStationOcppVersion } from '../stations/ocpp-version.js';
import type { CampaignStationRow, CampaignStationStatus } from './schema.js';

/**
 * The stations of campaigns (`campaign_stations`): claimed one at a time for sending, then moved by the
 * station's answer and its status notifications until final.
 */

/** Statuses in which a station still waits for its command or for a final notification. */
export const ACTIVE_STATUSES: readonly CampaignStationStatus[] = ['pending', 'sent', 'accepted'];
export const FINAL_STATUSES: readonly CampaignStationStatus[] = [
  'rejected',
  'offline',
  'failed',
  'succeeded',
  'canceled',
];

/** A station's answer to its campaign command, as a campaign status. */
export interface CampaignStationVerdict {
  readonly status: CampaignStationStatus;
  readonly reason: string | null;
  readonly filename: string | null;
}

/** Stations per status, for each campaign. */
export async function statusCounts(
  db: Kysely<Database>,
  campaignIds: readonly string[],
): Promise<Map<string, Map<CampaignStationStatus, number>>> {
  const counts = new Map<string, Map<CampaignStationStatus, number>>();
  if (campaignIds.length === 0) return counts;
  const rows = await db
    .selectFrom('campaign_stations')
    .select(['campaign_id', 'status', (eb) => eb.fn.countAll<string>().as('count')])
    .where('campaign_id', 'in', campaignIds)
    .groupBy(['campaign_id', 'status'])
    .execute();
  for (const row of rows) {
    let perStatus = counts.get(row.campaign_id);
    if (!perStatus) counts.set(row.campaign_id, (perStatus = new Map<CampaignStationStatus, number>()));
    perStatus.set(row.status, Number(row.count));
  }
  return counts;
}

/** A campaign's stations in the order given, after the cursor (a row id). */
export function listCampaignStations(
  db: Kysely<Database>,
  campaignId: string,
  options: { after?: string; limit: number; statuses: readonly CampaignStationStatus[] },
): Promise<CampaignStationRow[]> {
  let query = db.selectFrom('campaign_stations').selectAll().where('campaign_id', '=', campaignId);
  if (options.after !== undefined) query = query.where('id', '>', options.after);
  if (options.statuses.length > 0) query = query.where('status', 'in', options.statuses);
  return query.orderBy('id').limit(options.limit).execute();
}

/** A station row claimed for sending, with the requestId reserved for its command. */
export interface ClaimedStation {
  readonly id: string;
  readonly stationId: string;
  readonly requestId: number;
  readonly ocppVersion: string | null;
}

/**
 * Claims the next pending station of a campaign (→ `sent`, with a fresh requestId) — atomically, so two
 * senders (e.g. a replica resuming a campaign) never send to the same station twice.
 */
export async function claimNextStation(
  db: Kysely<Database>,
  campaignId: string,
): Promise<ClaimedStation | undefined> {
  const result = await sql<{ id: string; station_id: string; request_id: number }>`
    update campaign_stations
       set status = 'sent', sent_at = now(), updated_at = now(),
           request_id = nextval('campaign_request_id_seq')
     where id = (select id from campaign_stations
                  where campaign_id = ${campaignId} and status = 'pending'
                  order by id limit 1 for update skip locked)
       and status = 'pending'
    returning id, station_id, request_id`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    stationId: row.station_id,
    requestId: Number(row.request_id),
    ocppVersion: (await findStationOcppVersion(db, row.station_id)) ?? null,
  };
}

/** Records which call goes to the station (before sending it, so notifications can find the row). */
export async function recordCall(
  db: Kysely<Database>,
  rowId: string,
  call: { action: string; ocppVersion: string; requestId: number | null },
): Promise<void> {
  await db
    .updateTable('campaign_stations')
    .set({ action: call.action, ocpp_version: call.ocppVersion, request_id: call.requestId })
    .where('id', '=', rowId)
    .execute();
}

/**
 * Records the station's answer. A status notification may have overtaken the answer (the station
 * reports Downloading before the CSMS sees its CALLRESULT), so the status only moves from `sent`. The
 * reason of an accepting answer (AcceptedCanceled: L01.FR.24, N01.FR.12) is kept all the same when the row
 * has none yet: the notification that overtook it moved the row without one.
 */
export async function recordVerdict(
  db: Kysely<Database>,
  rowId: string,
  verdict: CampaignStationVerdict,
): Promise<void> {
  const takesReason =
    verdict.status === 'accepted' ? sql`status = 'sent' or reason is null` : sql`status = 'sent'`;
  await db
    .updateTable('campaign_stations')
    .set({
      status: sql`case when status = 'sent' then ${verdict.status} else status end`,
      reason: sql`case when ${takesReason} then ${verdict.reason}::text else reason end`,
      filename: verdict.filename,
      updated_at: sql`now()`,
    })
    .where('id', '=', rowId)
    .execute();
}

/**
 * Stations left `sent` by a sender that stopped before recording the answer (a live sender records it
 * within the call timeout, far below `olderThanMs`): `failed`, since whether the station got the
 * command is unknown. Returns the campaigns touched.
 */
export function failInterruptedSends(db: Kysely<Database>, olderThanMs: number): Promise<string[]> {
  return failStale(db, {
    status: 'sent',
    since: 'sent_at',
    olderThanMs,
    reason: sql<string>`${'interrupted: the CSMS stopped before the answer to the command was recorded'}`,
  });
}

/**
 * When a row's silence began: its last change, or its campaign's scheduled retrieve / install time when later
 * (firmware campaigns store them as ISO 8601 `retrieveTime` / `installTime` in `parameters`, see
 * services/firmware campaign-parameters.ts; `greatest` ignores the NULLs of campaigns without them).
 */
const silentSince = sql<Date>`greatest(campaign_stations.updated_at, (
  select greatest((c.parameters->>'retrieveTime')::timestamptz, (c.parameters->>'installTime')::timestamptz)
    from campaigns c where c.id = campaign_stations.campaign_id))`;

/**
 * Stations that took the command (`accepted`) but reported nothing for `silentForMs` (no status notification,
 * or none since the last): `failed`, so a station that went quiet (replaced, bricked, never sending its final
 * FirmwareStatusNotification / LogStatusNotification) cannot keep its campaign running forever. The reason
 * names the last status heard. Returns the campaigns touched.
 *
 * Silence counts from the row's last change or, when later, the campaign's retrieve / install time: a station
 * that reported DownloadScheduled / InstallScheduled (L01.FR.13 / L01.FR.16) says nothing more until then.
 */
export function failSilentStations(db: Kysely<Database>, silentForMs: number): Promise<string[]> {
  const hours = Math.round((silentForMs / 3_600_000) * 100) / 100;
  return failStale(db, {
    status: 'accepted',
    since: silentSince,
    olderThanMs: silentForMs,
    reason: sql<string>`${`no final status notification within ${hours} h; last status: `} || coalesce(notification_status, 'none')`,
  });
}

/** Fails the stations in `status` whose `since` time is older than `olderThanMs`; the campaigns touched. */
async function failStale(
  db: Kysely<Database>,
  stale: {
    readonly status: CampaignStationStatus;
    readonly since: 'sent_at' | RawBuilder<Date>;
    readonly olderThanMs: number;
    readonly reason: RawBuilder<string>;
  },
): Promise<string[]> {
  const rows = await db
    .updateTable('campaign_stations')
    .set({ status: 'failed', reason: stale.reason, updated_at: sql`now()` })
    .where('status', '=', stale.status)
    .where(stale.since, '<', sql<Date>`now() - ${`${stale.olderThanMs} milliseconds`}::interval`)
    .returning('campaign_id')
    .execute();
  return [...new Set(rows.map((r) => r.campaign_id))];
}

/** How a status notification names the campaign command it reports on. */
export interface NotifiedCommand {
  readonly stationId: string;
  /** The actions the notification may report on. */
  readonly actions: readonly string[];
  /** The requestId it echoes (2.0.1 L01.FR.20 / N01); without one, the station's latest waiting row. */
  readonly requestId?: number;
  /** Only rows of commands sent in this OCPP version (when the notification is version-specific). */
  readonly ocppVersion?: string;
}

/** The campaign station row a status notification reports on, if any (the latest one that matches). */
export function findNotifiedCampaignStation(
  db: Kysely<Database>,
  command: NotifiedCommand,
): Promise<{ id: string; campaign_id: string } | undefined> {
  let query = db
    .selectFrom('campaign_stations')
    .select(['id', 'campaign_id'])
    .where('station_id', '=', command.stationId)
    .where('action', 'in', command.actions);
  if (command.requestId !== undefined) query = query.where('request_id', '=', command.requestId);
  else query = query.where('status', 'in', ['sent', 'accepted']);
  if (command.ocppVersion !== undefined) query = query.where('ocpp_version', '=', command.ocppVersion);
  return query.orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/**
 * Records a status notification on its row: the notification always, and `status` / `reason` only while
 * the row is in progress (a final status stays final). Notifications may be applied out of order across
 * replicas: one older than the stored one changes nothing. True when the row was updated.
 */
export async function recordCampaignNotification(
  db: Kysely<Database>,
  rowId: string,
  notification: {
    readonly notificationStatus: string;
    readonly at: Date;
    readonly status: CampaignStationStatus;
    readonly reason: string | null;
  },
): Promise<boolean> {
  const { at } = notification;
  const updated = await db
    .updateTable('campaign_stations')
    .set({
      notification_status: notification.notificationStatus,
      notification_at: at,
      status: sql`case when status in ('sent','accepted') then ${notification.status} else status end`,
      reason: sql`case when status in ('sent','accepted') then ${notification.reason}::text else reason end`,
      updated_at: sql`now()`,
    })
    .where('id', '=', rowId)
    .where((eb) => eb.or([eb('notification_at', 'is', null), eb('notification_at', '<=', at)]))
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}
