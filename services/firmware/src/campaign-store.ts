import {
  sql,
  type CampaignKind,
  type CampaignRow,
  type CampaignState,
  type CampaignStationRow,
  type CampaignStationStatus,
  type Database,
  type Kysely,
  type RawBuilder,
} from '@csms/db';
import type { CampaignPlan } from './campaign-parameters.js';
import type { CallVerdict } from './station-command.js';

/** Statuses in which a station still waits for its command or for a final notification. */
export const ACTIVE_STATUSES: readonly CampaignStationStatus[] = ['pending', 'sent', 'accepted'];
export const FINAL_STATUSES: readonly CampaignStationStatus[] = [
  'rejected',
  'offline',
  'failed',
  'succeeded',
  'canceled',
];

const INSERT_BATCH = 1000;

/**
 * Creates a campaign and its station rows in one transaction: registered stations start `pending`,
 * unknown ids `failed` ("unknown station"). A campaign without a pending station completes at once.
 */
export async function insertCampaign(
  db: Kysely<Database>,
  plan: CampaignPlan,
  stationIds: readonly string[],
  maxConcurrency: number,
): Promise<CampaignRow> {
  return db.transaction().execute(async (tx) => {
    const known = new Set<string>();
    for (let i = 0; i < stationIds.length; i += INSERT_BATCH) {
      const rows = await tx
        .selectFrom('stations')
        .select('id')
        .where('id', 'in', stationIds.slice(i, i + INSERT_BATCH))
        .execute();
      for (const row of rows) known.add(row.id);
    }
    const campaign = await tx
      .insertInto('campaigns')
      .values({
        kind: plan.kind,
        state: known.size > 0 ? 'running' : 'completed',
        parameters: JSON.stringify(plan.parameters),
        max_concurrency: maxConcurrency,
        station_count: stationIds.length,
        completed_at: known.size > 0 ? null : new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    for (let i = 0; i < stationIds.length; i += INSERT_BATCH) {
      await tx
        .insertInto('campaign_stations')
        .values(
          stationIds.slice(i, i + INSERT_BATCH).map((stationId) => ({
            campaign_id: campaign.id,
            station_id: stationId,
            status: known.has(stationId) ? ('pending' as const) : ('failed' as const),
            reason: known.has(stationId) ? null : 'unknown station',
          })),
        )
        .execute();
    }
    return campaign;
  });
}

export function findCampaign(db: Kysely<Database>, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
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

/** Campaigns newest first, after the cursor (an id: the page continues with smaller ids). */
export function listCampaigns(
  db: Kysely<Database>,
  options: { before?: string; limit: number; kind?: CampaignKind; state?: CampaignState },
): Promise<CampaignRow[]> {
  let query = db.selectFrom('campaigns').selectAll();
  if (options.before !== undefined) query = query.where('id', '<', options.before);
  if (options.kind !== undefined) query = query.where('kind', '=', options.kind);
  if (options.state !== undefined) query = query.where('state', '=', options.state);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
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

/** Cancels a running campaign: its pending stations become `canceled`. Returns the campaign after. */
export async function cancelCampaign(db: Kysely<Database>, id: string): Promise<CampaignRow | undefined> {
  return db.transaction().execute(async (tx) => {
    const campaign = await tx
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!campaign || campaign.state !== 'running') return campaign;
    await tx
      .updateTable('campaign_stations')
      .set({
        status: 'canceled',
        reason: 'campaign canceled before the command was sent',
        updated_at: sql`now()`,
      })
      .where('campaign_id', '=', id)
      .where('status', '=', 'pending')
      .execute();
    return tx
      .updateTable('campaigns')
      .set({ state: 'canceled', completed_at: sql`now()`, updated_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
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
  const station = await db
    .selectFrom('stations')
    .select('ocpp_version')
    .where('id', '=', row.station_id)
    .executeTakeFirst();
  return {
    id: row.id,
    stationId: row.station_id,
    requestId: Number(row.request_id),
    ocppVersion: station?.ocpp_version ?? null,
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
 * reports Downloading before the CSMS sees its CALLRESULT), so the status only moves from `sent`.
 */
export async function recordVerdict(
  db: Kysely<Database>,
  rowId: string,
  verdict: CallVerdict,
): Promise<void> {
  await db
    .updateTable('campaign_stations')
    .set({
      status: sql`case when status = 'sent' then ${verdict.status} else status end`,
      reason: sql`case when status = 'sent' then ${verdict.reason}::text else reason end`,
      filename: verdict.filename,
      updated_at: sql`now()`,
    })
    .where('id', '=', rowId)
    .execute();
}

/** Completes a running campaign whose stations are all final; true when it did. */
export async function completeIfDone(db: Kysely<Database>, campaignId: string): Promise<boolean> {
  const result = await db
    .updateTable('campaigns')
    .set({ state: 'completed', completed_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', campaignId)
    .where('state', '=', 'running')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('campaign_stations')
            .select(sql`1`.as('one'))
            .where('campaign_id', '=', campaignId)
            .where('status', 'in', ACTIVE_STATUSES),
        ),
      ),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Takes (or renews) the lease to send a running campaign's commands; false when another holds it. */
export async function takeLease(
  db: Kysely<Database>,
  campaignId: string,
  runner: string,
  leaseMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('campaigns')
    .set({ runner, lease_until: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
    .where('id', '=', campaignId)
    .where('state', '=', 'running')
    .where((eb) =>
      eb.or([
        eb('runner', '=', runner),
        eb('lease_until', 'is', null),
        eb('lease_until', '<', sql<Date>`now()`),
      ]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function releaseLease(db: Kysely<Database>, campaignId: string, runner: string): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({ lease_until: null })
    .where('id', '=', campaignId)
    .where('runner', '=', runner)
    .execute();
}

/** Running campaigns with stations still to send whose sender's lease lapsed (or never existed). */
export async function orphanedCampaigns(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('campaigns')
    .select('id')
    .where('state', '=', 'running')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('campaign_stations')
          .select(sql`1`.as('one'))
          .whereRef('campaign_stations.campaign_id', '=', 'campaigns.id')
          .where('campaign_stations.status', '=', 'pending'),
      ),
    )
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
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
 * Stations that took the command (`accepted`) but reported nothing for `silentForMs` (no status notification,
 * or none since the last): `failed`, so a station that went quiet (replaced, bricked, never sending its final
 * FirmwareStatusNotification / LogStatusNotification) cannot keep its campaign running forever. The reason
 * names the last status heard. Returns the campaigns touched.
 */
export function failSilentStations(db: Kysely<Database>, silentForMs: number): Promise<string[]> {
  const hours = Math.round((silentForMs / 3_600_000) * 100) / 100;
  return failStale(db, {
    status: 'accepted',
    since: 'updated_at',
    olderThanMs: silentForMs,
    reason: sql<string>`${`no final status notification within ${hours} h; last status: `} || coalesce(notification_status, 'none')`,
  });
}

/** Fails the stations in `status` whose `since` time is older than `olderThanMs`; the campaigns touched. */
async function failStale(
  db: Kysely<Database>,
  stale: {
    readonly status: CampaignStationStatus;
    readonly since: 'sent_at' | 'updated_at';
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
