import {
  abortable,
  apiService,
  invalidRequest,
  requireStationId,
  smartChargingV1 as api,
  type ApiService,
  type CallContext,
  type ServiceImplementation,
} from '@csms/grpc';
import type { V16, V201 } from '@csms/ocpp';
import { deleteSite, listSites, setSite } from './charging-sites.js';
import { clearChargingProfile } from './clear-charging-profile.js';
import {
  fromV16CompositeSchedule,
  fromV201CompositeSchedule,
  toGetCompositeSchedule,
} from './composite-schedule.js';
import type { SmartChargingServiceDeps } from './deps.js';
import { listEvCharging } from './ev-charging-list.js';
import { renegotiateChargingSchedule } from './ev-renegotiate.js';
import { listExternalLimits, withExternalLimits } from './external-limits.js';
import { getChargingProfiles } from './get-charging-profiles.js';
import { setChargingProfile } from './set-charging-profile.js';
import { SiteRebalancer, type SiteRebalancerOptions } from './site-rebalancer.js';
import { callStation } from './station-call.js';
import { stationVersion } from './station-version.js';

export type { SmartChargingServiceDeps } from './deps.js';

const SERVICE_NAME = 'csms.smart_charging.v1.SmartChargingService';

/** The service with its background work: the site rebalancer (site-rebalancer.ts). */
export interface SmartChargingApiService extends ApiService {
  /** Resolves once the rebalancer follows the site stations' events (site-rebalancer.ts); rejects if it failed. */
  readonly ready: Promise<void>;
  readonly rebalancer: SiteRebalancer;
  /** Unsubscribes the rebalancer and waits for the rebalance in progress. */
  close(): Promise<void>;
}

/**
 * `csms.smart_charging.v1.SmartChargingService`: sets, lists and clears the charging profiles of
 * stations (OCPP 1.6 Smart Charging, OCPP 2.0.1 K01/K10) and asks them for their composite schedule
 * (K08). Profiles are stored once the station accepted them and deleted once it accepted a clear. What a
 * 2.0.1 station reports it has installed (K09) is listed apart, as reported (GetChargingProfiles), and so are
 * the external limits it notifies (K11-K14: ListExternalChargingLimits, applied to composite schedules).
 */
export function createSmartChargingService(
  deps: SmartChargingServiceDeps,
  options: { readonly rebalancer?: SiteRebalancerOptions } = {},
): SmartChargingApiService {
  const rebalancer = new SiteRebalancer(deps, options.rebalancer);
  const ready = rebalancer.start();
  ready.catch((error: unknown) => deps.logger.error({ err: error }, 'site rebalancer could not start'));
  // A site set or deleted: follow its stations' events from now on, and give the site's EVs what it now allows.
  const siteChanged = (siteId: string) => {
    void rebalancer.membersChanged();
    void rebalancer.enqueue({ siteId }).catch(() => undefined);
  };
  const impl: ServiceImplementation<typeof api.SmartChargingServiceDefinition> = {
    setChargingProfile: (request, context) => setChargingProfile(deps, request, context),
    getChargingProfiles: (request, context) => getChargingProfiles(deps, request, context),
    clearChargingProfile: (request, context) => clearChargingProfile(deps, request, context),
    getCompositeSchedule: (request, context) => getCompositeSchedule(deps, request, context),
    listExternalChargingLimits: (request) => listExternalLimits(deps.db, request),
    // K16 (ISO 15118): a new TxProfile for the EV's transaction; K15-K17: what EVs sent.
    renegotiateChargingSchedule: (request, context) => renegotiateChargingSchedule(deps, request, context),
    listEvCharging: (request) => listEvCharging(deps, request),
    // Sites: the power the EV schedules of a site's stations may add up to.
    setChargingSite: (request) => setSite(deps, request, siteChanged),
    listChargingSites: (request) => listSites(deps, request),
    deleteChargingSite: (request) => deleteSite(deps, request, () => void rebalancer.membersChanged()),
  };
  return {
    ...apiService(SERVICE_NAME, api.SmartChargingServiceDefinition, impl),
    ready,
    rebalancer,
    async close() {
      await ready.catch(() => undefined);
      await rebalancer.stop();
    },
  };
}

/**
 * GetCompositeSchedule (2.0.1 K08): asks the station and converts its answer, with the stored external limits
 * applied (external-limits.ts); nothing is stored.
 */
async function getCompositeSchedule(
  deps: SmartChargingServiceDeps,
  request: api.GetCompositeScheduleRequest,
  context: CallContext,
): Promise<api.GetCompositeScheduleResponse> {
  requireStationId(request.stationId);
  const version = await stationVersion(deps.db, request.stationId);
  const conversion = toGetCompositeSchedule(version, request);
  if (!conversion.ok) throw invalidRequest('invalid composite schedule request', conversion.violations);
  const send = <R>() =>
    abortable(
      callStation<R>(deps.stations, request.stationId, 'GetCompositeSchedule', conversion.value),
      context.signal,
    );
  const response =
    version === 'ocpp1.6'
      ? fromV16CompositeSchedule(request.evseId, await send<V16.GetCompositeScheduleResponse>())
      : fromV201CompositeSchedule(await send<V201.GetCompositeScheduleResponse>());
  return withExternalLimits(deps.db, version, request, response);
}
