import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ChargingProfileRow, EvChargingNeedsRow } from './schema.js';

/**
 * Sites (`charging_sites`, `charging_site_stations`): stations behind one grid connection, with the most power the
 * schedules the CSMS computes for EVs at those stations (ISO 15118 smart charging, K15-K17) may add up to. A station
 * belongs to one site at most; setting a site with a station of another site moves the station.
 */

export interface ChargingSite {
  readonly siteId: string;
  /** W. */
  readonly maxPowerW: number;
  /** Sorted. */
  readonly stationIds: readonly string[];
  readonly updatedAt: Date;
}

/** The ids of `stationIds` that are not registered stations (sorted, without duplicates). */
export async function unknownStationIds(
  db: Kysely<Database>,
  stationIds: readonly string[],
): Promise<string[]> {
  if (stationIds.length === 0) return [];
  const known = new Set(
    (await db.selectFrom('stations').select('id').where('id', 'in', stationIds).execute()).map((r) => r.id),
  );
  return [...new Set(stationIds.filter((id) => !known.has(id)))].sort();
}

/**
 * Creates or replaces a site: its limit and exactly these stations (a station of another site moves here; the site's
 * stations not listed leave it). The stations must be registered (see {@link unknownStationIds}). One transaction.
 */
export async function setChargingSite(
  db: Kysely<Database>,
  site: { readonly siteId: string; readonly maxPowerW: number; readonly stationIds: readonly string[] },
): Promise<ChargingSite> {
  const stationIds = [...new Set(site.stationIds)].sort();
  const updatedAt = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('charging_sites')
      .values({ site_id: site.siteId, max_power_w: site.maxPowerW })
      .onConflict((oc) =>
        oc.column('site_id').doUpdateSet({ max_power_w: site.maxPowerW, updated_at: sql<Date>`now()` }),
      )
      .returning('updated_at')
      .executeTakeFirstOrThrow();
    let leaving = trx.deleteFrom('charging_site_stations').where('site_id', '=', site.siteId);
    if (stationIds.length > 0) leaving = leaving.where('station_id', 'not in', stationIds);
    await leaving.execute();
    if (stationIds.length > 0)
      await trx
        .insertInto('charging_site_stations')
        .values(stationIds.map((id) => ({ station_id: id, site_id: site.siteId })))
        .onConflict((oc) => oc.column('station_id').doUpdateSet({ site_id: site.siteId }))
        .execute();
    return row.updated_at;
  });
  return { siteId: site.siteId, maxPowerW: site.maxPowerW, stationIds, updatedAt: new Date(updatedAt) };
}

/** Every site (or the one named), by id, with its stations. */
export async function listChargingSites(
  db: Kysely<Database>,
  filter: { readonly siteId?: string } = {},
): Promise<ChargingSite[]> {
  let sites = db.selectFrom('charging_sites').selectAll().orderBy('site_id');
  let members = db.selectFrom('charging_site_stations').selectAll().orderBy('station_id');
  if (filter.siteId !== undefined) {
    sites = sites.where('site_id', '=', filter.siteId);
    members = members.where('site_id', '=', filter.siteId);
  }
  const [siteRows, memberRows] = await Promise.all([sites.execute(), members.execute()]);
  const stationsOf = new Map<string, string[]>();
  for (const m of memberRows) {
    const ids = stationsOf.get(m.site_id);
    if (ids) ids.push(m.station_id);
    else stationsOf.set(m.site_id, [m.station_id]);
  }
  return siteRows.map((row) => ({
    siteId: row.site_id,
    maxPowerW: Number(row.max_power_w),
    stationIds: stationsOf.get(row.site_id) ?? [],
    updatedAt: new Date(row.updated_at),
  }));
}

/** Deletes a site (its stations then belong to none); false when there was none. */
export async function deleteChargingSite(db: Kysely<Database>, siteId: string): Promise<boolean> {
  const result = await db.deleteFrom('charging_sites').where('site_id', '=', siteId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * The site of a station, with the TxProfiles the CSMS installed for the other active transactions at the site's
 * stations (what it already allotted of the site's power), or undefined when the station belongs to no site.
 * `except` is the transaction whose schedule is being computed.
 */
export async function siteAllotments(
  db: Kysely<Database>,
  except: { readonly stationId: string; readonly transactionId: string },
): Promise<{ siteId: string; maxPowerW: number; txProfiles: ChargingProfileRow[] } | undefined> {
  const site = await siteOf(db, { stationId: except.stationId });
  if (!site) return undefined;
  const txProfiles = (await siteTxProfiles(db, site.site_id)).filter(
    (row) => row.station_id !== except.stationId || row.transaction_id !== except.transactionId,
  );
  return { siteId: site.site_id, maxPowerW: Number(site.max_power_w), txProfiles };
}

/**
 * The TxProfiles the CSMS installed for the active transactions at a site's stations, by station, transaction and
 * descending stack level.
 */
export function siteTxProfiles(db: Kysely<Database>, siteId: string): Promise<ChargingProfileRow[]> {
  return db
    .selectFrom('charging_profiles as p')
    .innerJoin('charging_site_stations as m', 'm.station_id', 'p.station_id')
    .innerJoin('transactions as t', (join) =>
      join.onRef('t.station_id', '=', 'p.station_id').onRef('t.transaction_id', '=', 'p.transaction_id'),
    )
    .selectAll('p')
    .where('m.site_id', '=', siteId)
    .where('p.purpose', '=', 'TxProfile')
    .where('t.state', '=', 'active')
    .orderBy('p.station_id')
    .orderBy('p.transaction_id')
    .orderBy('p.stack_level', 'desc')
    .execute();
}

/**
 * A site's active OCPP 2.0.1 transactions whose EVs sent charging needs (ISO 15118, K15/K17): the latest needs of
 * each, in the order they were received (the EV that came first is served first). `siteId` or the site of
 * `stationId`; undefined when there is no such site.
 */
export async function siteEvChargingNeeds(
  db: Kysely<Database>,
  of: { readonly siteId: string } | { readonly stationId: string },
): Promise<{ siteId: string; maxPowerW: number; needs: EvChargingNeedsRow[] } | undefined> {
  const site = await siteOf(db, of);
  if (!site) return undefined;
  const needs = await db
    .selectFrom('ev_charging_needs as n')
    .innerJoin('charging_site_stations as m', 'm.station_id', 'n.station_id')
    .innerJoin('transactions as t', (join) =>
      join.onRef('t.station_id', '=', 'n.station_id').onRef('t.transaction_id', '=', 'n.transaction_id'),
    )
    .selectAll('n')
    .where('m.site_id', '=', site.site_id)
    .where('t.state', '=', 'active')
    .where('t.ocpp_version', '=', 'ocpp2.0.1')
    .orderBy('n.received_at')
    .orderBy('n.station_id')
    .orderBy('n.transaction_id')
    .execute();
  return { siteId: site.site_id, maxPowerW: Number(site.max_power_w), needs };
}

/** A site by its id or as the site of a station. */
function siteOf(
  db: Kysely<Database>,
  of: { readonly siteId: string } | { readonly stationId: string },
): Promise<{ site_id: string; max_power_w: number } | undefined> {
  const sites = db.selectFrom('charging_sites as s').select(['s.site_id', 's.max_power_w']);
  return 'siteId' in of
    ? sites.where('s.site_id', '=', of.siteId).executeTakeFirst()
    : sites
        .innerJoin('charging_site_stations as m', 'm.site_id', 's.site_id')
        .where('m.station_id', '=', of.stationId)
        .executeTakeFirst();
}
