import {
  acceptedMonitorsOf,
  findMonitoringSettings,
  listMonitors,
  monitorsDroppedBy,
  recordMonitoringBase,
  recordMonitoringLevel,
  removeMonitors,
  storeSetMonitors,
} from '@csms/db';
import {
  ApiErrors,
  INT32_KEY,
  RequestViolations,
  apiService,
  decodePageToken,
  encodePageToken,
  monitoringV1 as api,
  pageSizeOf,
  type ApiService,
  type CallContext,
  type ServiceImplementation,
} from '@csms/grpc';
import { createValidator, type V201 } from '@csms/ocpp';
import { StationLimits } from '@csms/station-limits';
import type { StationServiceDeps } from '../deps.js';
import { callStation, requireV201Station } from '../display-messages/v201-station.js';
import { sendCommand, type CommandSender } from '../split-commands.js';
import {
  checkSeverity,
  fromOcpp,
  listFilterOf,
  toMonitor,
  toSetMonitoringData,
} from './monitoring-convert.js';
import { apiEnum, ocpp } from './monitoring-enums.js';
import { refreshMonitors } from './refresh-monitors.js';

/**
 * `csms.station.v1.MonitoringService`: the variable monitors of OCPP 2.0.1 stations (N02-N06), kept in a per-station
 * store of what each station confirmed (`monitoring` domain of @csms/db), and their monitoring base and level.
 */
export function createMonitoringService(deps: StationServiceDeps): ApiService {
  const sender: CommandSender = {
    stations: deps.stations,
    limits: new StationLimits(deps),
    validator: createValidator(),
  };
  const impl: ServiceImplementation<typeof api.MonitoringServiceDefinition> = {
    setVariableMonitoring: (request, context) => setVariableMonitoring(deps, sender, request, context),
    clearVariableMonitoring: (request, context) => clearVariableMonitoring(deps, sender, request, context),
    setMonitoringBase: (request, context) => setMonitoringBase(deps, request, context),
    setMonitoringLevel: (request, context) => setMonitoringLevel(deps, request, context),
    listMonitors: (request) => listStored(deps, request),
    refreshMonitors: (request, context) => refreshMonitors(deps, request, context),
  };
  return apiService('csms.station.v1.MonitoringService', api.MonitoringServiceDefinition, impl);
}

/** Sends a request through the splitting sender (N04.FR.09, N06.FR.04); the station's joined CALLRESULT payload. */
async function send<R>(
  sender: CommandSender,
  stationId: string,
  action: string,
  payload: Record<string, unknown>,
  context: CallContext,
): Promise<R> {
  const answer = await sendCommand(
    sender,
    { stationId, version: 'ocpp2.0.1', action, payload, options: {} },
    context.signal,
  );
  if (answer.kind !== 'result')
    throw ApiErrors.internal('UNEXPECTED_QUEUED', `${action} was queued unexpectedly`);
  return answer.payload as R;
}

/**
 * SetVariableMonitoring: sends the monitors; each one the station answers Accepted is stored with the id it
 * assigned (N04.FR.08, N04.FR.11); the other statuses store nothing. One result per monitor, in order.
 */
async function setVariableMonitoring(
  deps: StationServiceDeps,
  sender: CommandSender,
  request: api.SetVariableMonitoringRequest,
  context: CallContext,
): Promise<api.SetVariableMonitoringResponse> {
  const v = new RequestViolations();
  const data = toSetMonitoringData(v, request.monitors);
  await requireV201Station(deps, request.stationId, v, 'invalid SetVariableMonitoring request');
  const answer = await send<V201.SetVariableMonitoringResponse>(
    sender,
    request.stationId,
    'SetVariableMonitoring',
    { setMonitoringData: data },
    context,
  );
  const results = answer.setMonitoringResult ?? [];
  const accepted = acceptedMonitorsOf(data, results);
  if (accepted.length < results.filter((r) => r.status === 'Accepted').length)
    deps.logger.warn(
      { stationId: request.stationId },
      'SetVariableMonitoring: an Accepted result without a monitor id is not stored',
    );
  await storeSetMonitors(deps.db, request.stationId, accepted);
  return {
    results: results.map((r) => ({
      status: apiEnum.setStatus(r.status),
      id: r.status === 'Accepted' ? r.id : undefined,
      statusReason: r.statusInfo?.reasonCode ?? '',
      variable: fromOcpp(r.component, r.variable),
      type: apiEnum.type(r.type),
      severity: r.severity,
    })),
  };
}

/**
 * ClearVariableMonitoring: sends the ids (split by the station's ItemsPerMessage[ClearVariableMonitoring],
 * N06.FR.04); those answered Accepted (N06.FR.01) or NotFound (N06.FR.02) leave the store, Rejected ones stay.
 */
async function clearVariableMonitoring(
  deps: StationServiceDeps,
  sender: CommandSender,
  request: api.ClearVariableMonitoringRequest,
  context: CallContext,
): Promise<api.ClearVariableMonitoringResponse> {
  const v = new RequestViolations();
  v.check(request.ids.length > 0, 'ids', 'at least one monitor id');
  request.ids.forEach((id, i) => v.check(id >= 0, `ids[${i}]`, 'must be >= 0'));
  await requireV201Station(deps, request.stationId, v, 'invalid ClearVariableMonitoring request');
  const answer = await send<V201.ClearVariableMonitoringResponse>(
    sender,
    request.stationId,
    'ClearVariableMonitoring',
    { id: [...new Set(request.ids)] },
    context,
  );
  const results = answer.clearMonitoringResult ?? [];
  const gone = results.filter((r) => r.status === 'Accepted' || r.status === 'NotFound').map((r) => r.id);
  await removeMonitors(deps.db, request.stationId, gone);
  return {
    results: results.map((r) => ({
      id: r.id,
      status: apiEnum.clearStatus(r.status),
      statusReason: r.statusInfo?.reasonCode ?? '',
    })),
  };
}

/** SetMonitoringBase: recorded, with the monitors the station drops, when it answers Accepted (N03). */
async function setMonitoringBase(
  deps: StationServiceDeps,
  request: api.SetMonitoringBaseRequest,
  context: CallContext,
): Promise<api.SetMonitoringBaseResponse> {
  const v = new RequestViolations();
  const base = ocpp.base(request.monitoringBase);
  v.check(base !== undefined, 'monitoring_base', 'required: ALL, FACTORY_DEFAULT or HARD_WIRED_ONLY');
  await requireV201Station(deps, request.stationId, v, 'invalid SetMonitoringBase request');
  // Counted before it is sent: the worker's after-command hook drops them as soon as the station accepts.
  const dropped = await monitorsDroppedBy(deps.db, request.stationId, base!);
  const answer = await callStation<V201.SetMonitoringBaseResponse>(
    deps,
    request.stationId,
    'SetMonitoringBase',
    { monitoringBase: base },
    context,
  );
  const removed =
    answer.status === 'Accepted'
      ? Math.max(
          dropped,
          await deps.db.transaction().execute((trx) => recordMonitoringBase(trx, request.stationId, base!)),
        )
      : 0;
  return {
    status: apiEnum.deviceModelStatus(answer.status),
    statusReason: answer.statusInfo?.reasonCode ?? '',
    monitorsRemoved: removed,
  };
}

/** SetMonitoringLevel: severity 0..9 checked before sending; recorded when the station answers Accepted (N05). */
async function setMonitoringLevel(
  deps: StationServiceDeps,
  request: api.SetMonitoringLevelRequest,
  context: CallContext,
): Promise<api.SetMonitoringLevelResponse> {
  const v = new RequestViolations();
  checkSeverity(v, request.severity, 'severity');
  await requireV201Station(deps, request.stationId, v, 'invalid SetMonitoringLevel request');
  const answer = await callStation<V201.SetMonitoringLevelResponse>(
    deps,
    request.stationId,
    'SetMonitoringLevel',
    { severity: request.severity },
    context,
  );
  if (answer.status === 'Accepted') await recordMonitoringLevel(deps.db, request.stationId, request.severity);
  return {
    status: apiEnum.levelStatus(answer.status),
    statusReason: answer.statusInfo?.reasonCode ?? '',
  };
}

/** ListMonitors: the store, filtered, by monitor id, a page at a time, with the station's base and level. */
async function listStored(
  deps: StationServiceDeps,
  request: api.ListMonitorsRequest,
): Promise<api.ListMonitorsResponse> {
  const v = new RequestViolations();
  const filter = listFilterOf(v, request);
  await requireV201Station(deps, request.stationId, v, 'invalid ListMonitors request');
  const pageSize = pageSizeOf(request.pageSize);
  const afterKey = decodePageToken(request.pageToken, INT32_KEY);
  const after = afterKey === undefined ? undefined : Number(afterKey);
  const rows = await listMonitors(deps.db, request.stationId, filter, after, pageSize + 1);
  const page = rows.slice(0, pageSize);
  const settings = await findMonitoringSettings(deps.db, request.stationId);
  return {
    monitors: page.map(toMonitor),
    nextPageToken: rows.length > pageSize ? encodePageToken(page[page.length - 1]!.monitor_id) : '',
    monitoringBase: apiEnum.base(settings?.monitoring_base ?? null),
    monitoringLevel: settings?.monitoring_level ?? undefined,
  };
}
