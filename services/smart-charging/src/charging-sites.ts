import {
  deleteChargingSite,
  listChargingSites,
  setChargingSite,
  unknownStationIds,
  type ChargingSite,
} from '@csms/db';
import type { smartChargingV1 as api } from '@csms/grpc';
import { ApiErrors, RequestViolations } from '@csms/grpc';
import type { SmartChargingServiceDeps } from './deps.js';

/**
 * Sites (SetChargingSite, ListChargingSites, DeleteChargingSite): stations behind one grid connection and the power
 * the EV schedules the CSMS computes for them (K15-K17) may add up to with the site's other transactions' TxProfiles
 * (packages/db charging-profiles/charging-sites.ts, ev-tx-profile.ts). Setting a site shares its power among its EVs
 * again afterwards (their schedules lowered or raised to equal shares: site-rebalancer.ts); nothing else is sent to
 * stations.
 */

/** Site ids: what an operator names a site, kept short enough to print and index. */
const SITE_ID_MAX = 64;
/** 1 GW: far above any grid connection a station site has; a larger value is a unit mistake. */
const MAX_POWER_W = 1e9;

export async function setSite(
  deps: SmartChargingServiceDeps,
  request: api.SetChargingSiteRequest,
  changed: (siteId: string) => void = () => {},
): Promise<api.SetChargingSiteResponse> {
  const v = new RequestViolations();
  checkSiteId(v, request.siteId);
  v.check(
    Number.isFinite(request.maxPowerW) && request.maxPowerW > 0 && request.maxPowerW <= MAX_POWER_W,
    'max_power_w',
    `must be a number of watts > 0 and <= ${MAX_POWER_W}`,
  );
  const seen = new Set<string>();
  request.stationIds.forEach((id, i) => {
    v.check(id.length > 0, `station_ids[${i}]`, 'must not be empty');
    v.check(!seen.has(id), `station_ids[${i}]`, `${id} is listed twice`);
    seen.add(id);
  });
  v.throwIfAny('invalid SetChargingSite request');
  const unknown = await unknownStationIds(deps.db, request.stationIds);
  if (unknown.length > 0)
    throw ApiErrors.notFound(
      'station',
      unknown.join(', '),
      `not registered: ${unknown.join(', ')} (a site's stations must be registered)`,
    );
  const site = await setChargingSite(deps.db, request);
  changed(site.siteId);
  return { site: toApi(site) };
}

export async function listSites(
  deps: SmartChargingServiceDeps,
  request: api.ListChargingSitesRequest,
): Promise<api.ListChargingSitesResponse> {
  const sites = await listChargingSites(
    deps.db,
    request.siteId === undefined ? {} : { siteId: request.siteId },
  );
  return { sites: sites.map(toApi) };
}

export async function deleteSite(
  deps: SmartChargingServiceDeps,
  request: api.DeleteChargingSiteRequest,
  deleted: () => void = () => {},
): Promise<api.DeleteChargingSiteResponse> {
  const v = new RequestViolations();
  checkSiteId(v, request.siteId);
  v.throwIfAny('invalid DeleteChargingSite request');
  if (!(await deleteChargingSite(deps.db, request.siteId)))
    throw ApiErrors.notFound('charging site', request.siteId);
  deleted();
  return {};
}

function checkSiteId(v: RequestViolations, siteId: string): void {
  v.check(
    siteId.trim().length > 0 && siteId.length <= SITE_ID_MAX,
    'site_id',
    `must be 1-${SITE_ID_MAX} characters, not only spaces`,
  );
}

function toApi(site: ChargingSite): api.ChargingSite {
  return {
    siteId: site.siteId,
    maxPowerW: site.maxPowerW,
    stationIds: [...site.stationIds],
    updateTime: site.updatedAt,
  };
}
