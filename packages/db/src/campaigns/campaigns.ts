import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { registeredStationIds } from '../stations/stations.js';
import { ACTIVE_STATUSES } from './campaign-stations.js';
import type { CampaignKind, CampaignRow, CampaignState } from './schema.js';

/**
 * Firmware update and log upload campaigns (`campaigns`): created with their station rows, listed,
 * canceled, completed, and leased to the one service instance that sends their commands.
 */

/** What a campaign does: its kind and its parameters as given (stored as JSON). */
export interface NewCampaign {
  readonly kind: CampaignKind;
  readonly parameters: object;
}

const INSERT_BATCH = 1000;

/**
 * Creates a campaign and its station rows in one transaction: registered stations start `pending`,
 * unknown ids `failed` ("unknown station"). A campaign without a pending station completes at once.
 */
export async function insertCampaign(
  db: Kysely<Database>,
  plan: NewCampaign,
  stationIds: readonly string[],
  maxConcurrency: number,
): Promise<CampaignRow> {
  return db.transaction().execute(async (tx) => {
    const known = await registeredStationIds(tx, stationIds);
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
