import {
  findMonitors,
  recordMonitorKinds,
  storeDeviceEvent,
  storeMonitoringEvents,
  type MonitorKind,
  type VariableMonitorRow,
} from '@csms/db';
import { INT32_MAX, type V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { parseTimestamp } from './common.js';

/**
 * NotifyEvent (N07/N08): stored in device_events, unique per (station, generatedAt, seqNo) so a retry is a no-op;
 * answered with an empty response (N07.FR.03, N08.FR.02). Each eventData naming the variableMonitoringId that
 * triggered it (N07.FR.06) is a monitor event: stored in monitoring_events with the monitor's severity as the
 * CSMS's monitor store holds it, published as a `monitoring-alert` station event and counted in
 * csms_station_alerts_total (by severity and trigger); its eventNotificationType tells the monitor's kind
 * (HardWiredMonitor, PreconfiguredMonitor, CustomMonitor), recorded on the stored monitor. NotifyEvent is not an
 * autocommit action (services/worker/src/v201/index.ts): its writes commit together.
 */
export async function onNotifyEvent(
  ctx: HandlerContext,
  request: V201.NotifyEventRequest,
): Promise<V201.NotifyEventResponse> {
  const generatedAt = parseTimestamp(request.generatedAt, 'generatedAt');
  const tbc = request.tbc ?? false;
  const stored = await storeDeviceEvent(ctx.db, {
    stationId: ctx.stationId,
    seqNo: request.seqNo,
    generatedAt,
    tbc,
    eventData: request.eventData,
  });
  if (!stored) return {};
  ctx.emit('device-event', {
    seqNo: request.seqNo,
    generatedAt: generatedAt.toISOString(),
    count: request.eventData.length,
  });
  const monitorEvents = request.eventData.filter(
    (e) => isInt32(e.variableMonitoringId) && isInt32(e.eventId),
  );
  if (monitorEvents.length > 0) await recordMonitorEvents(ctx, request.seqNo, generatedAt, monitorEvents);
  return {};
}

const isInt32 = (n: number | undefined): n is number =>
  n !== undefined && Number.isInteger(n) && n >= -INT32_MAX - 1 && n <= INT32_MAX;

const KINDS: ReadonlySet<string> = new Set(['HardWiredMonitor', 'PreconfiguredMonitor', 'CustomMonitor']);

/** The stored monitor an event names, when it is on the event's component and variable (ids may be reused). */
function monitorOf(
  monitors: ReadonlyMap<number, VariableMonitorRow>,
  event: V201.EventDataType,
): VariableMonitorRow | undefined {
  const monitor = monitors.get(event.variableMonitoringId!);
  return monitor?.component_name === event.component.name && monitor.variable_name === event.variable.name
    ? monitor
    : undefined;
}

/** Stores, publishes and counts the monitor events of a new NotifyEvent; learns the kinds of their monitors. */
async function recordMonitorEvents(
  ctx: HandlerContext,
  seqNo: number,
  generatedAt: Date,
  events: readonly V201.EventDataType[],
): Promise<void> {
  const found = await findMonitors(
    ctx.db,
    ctx.stationId,
    events.map((e) => e.variableMonitoringId!),
  );
  const monitors = new Map(found.map((m) => [m.monitor_id, m]));
  const resolved = events.map((event) => ({ event, monitor: monitorOf(monitors, event) }));
  await storeMonitoringEvents(
    ctx.db,
    { stationId: ctx.stationId, generatedAt, seqNo },
    resolved.map(({ event, monitor }) => ({
      eventId: event.eventId,
      monitorId: event.variableMonitoringId!,
      severity: monitor?.severity ?? null,
      trigger: event.trigger,
      notificationType: event.eventNotificationType,
      cleared: event.cleared ?? false,
      actualValue: event.actualValue,
      componentName: event.component.name,
      variableName: event.variable.name,
      timestamp: parseTimestamp(event.timestamp, 'eventData.timestamp'),
    })),
  );
  const kinds = new Map<number, MonitorKind>();
  for (const { event, monitor } of resolved)
    if (monitor && KINDS.has(event.eventNotificationType) && monitor.kind !== event.eventNotificationType)
      kinds.set(monitor.monitor_id, event.eventNotificationType as MonitorKind);
  if (kinds.size > 0) await recordMonitorKinds(ctx.db, ctx.stationId, kinds);
  for (const { event, monitor } of resolved) {
    const severity = monitor?.severity ?? null;
    ctx.emit('monitoring-alert', {
      seqNo,
      generatedAt: generatedAt.toISOString(),
      eventId: event.eventId,
      variableMonitoringId: event.variableMonitoringId,
      severity,
      trigger: event.trigger,
      eventNotificationType: event.eventNotificationType,
      cleared: event.cleared ?? false,
      actualValue: event.actualValue,
      component: event.component,
      variable: event.variable,
      timestamp: event.timestamp,
      ...(event.transactionId !== undefined ? { transactionId: event.transactionId } : {}),
      ...(event.techCode !== undefined ? { techCode: event.techCode } : {}),
    });
    ctx.metrics.stationAlertsTotal.add(1, {
      severity: severity === null ? 'unknown' : String(severity),
      trigger: event.trigger,
    });
  }
}
