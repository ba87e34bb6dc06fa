import {
  RequestViolations,
  apiStationEvents,
  apiService,
  stationV1,
  type ApiService,
  type CallContext,
  type ServiceImplementation,
} from '@csms/grpc';
import { StationLimits } from '@csms/station-limits';
import type { StationServiceDeps } from './deps.js';
import { HistoryRetention } from './history-retention.js';
import { callStation, getQueuedCall } from './station-calls.js';
import {
  createStation,
  getStation,
  listStationPage,
  removeStation,
  updateStation,
} from './station-registry.js';

export type { StationServiceDeps } from './deps.js';

const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;

/** `csms.station.v1.StationService`: the station registry, generic calls and station events. */
export function createStationService(deps: StationServiceDeps): ApiService & { close(): Promise<void> } {
  const limits = new StationLimits(deps);
  const impl: ServiceImplementation<typeof stationV1.StationServiceDefinition> = {
    createStation: (request) => createStation(deps.db, request),
    getStation: (request) => getStation(deps.db, request),
    updateStation: (request) => updateStation(deps.db, request),
    deleteStation: (request) => removeStation(deps, request),
    listStations: (request) => listStationPage(deps.db, request),
    call: (request, context) => callStation(deps.stations, limits, request, context),
    getQueuedCall: (request) => getQueuedCall(deps.db, request),
    streamStationEvents: (request, context) => streamStationEvents(deps, request, context),
  };
  // The api role's background work: station history past its retention is deleted.
  const retention = deps.retention ? new HistoryRetention(deps.db, deps.logger, deps.retention) : undefined;
  retention?.start();
  return {
    ...apiService('csms.station.v1.StationService', stationV1.StationServiceDefinition, impl),
    close: async () => retention?.stop(),
  };
}

/** StreamStationEvents: the bus's station events, optionally of some stations and types, until cancelled. */
async function* streamStationEvents(
  deps: StationServiceDeps,
  request: stationV1.StreamStationEventsRequest,
  context: CallContext,
): AsyncGenerator<stationV1.StreamStationEventsResponse> {
  const v = new RequestViolations();
  request.stationIds.forEach((id, i) => v.stationId(`station_ids[${i}]`, id));
  request.types.forEach((type, i) =>
    v.check(EVENT_TYPE_PATTERN.test(type), `types[${i}]`, 'an event type such as "booted"'),
  );
  v.throwIfAny('invalid event filter');
  for await (const event of apiStationEvents(
    deps.bus,
    { stationIds: request.stationIds, types: request.types },
    context.signal,
  ))
    yield { event };
}
