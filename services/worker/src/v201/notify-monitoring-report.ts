import { storeMonitoringReportPart, type MonitorInput } from '@csms/db';
import { INT32_MAX, type V201 } from '@csms/ocpp';
import { CallErrorResponse, type HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';
import { checkIds } from './common.js';

/**
 * NotifyMonitoringReport (N02): one part of a station's answer to a GetMonitoringReportRequest, with its requestId
 * (N02.FR.04) and tbc on every part but the last. In the CALL's transaction its monitors are written to the
 * station's monitor store as reported and, on the last part, the store is reconciled with the whole report for the
 * request's filter (see monitoring-reports.ts of @csms/db). Idempotent: a retried part writes the same monitors
 * again, a retried last part reconciles nothing more. The message is also stored as received in
 * station_notifications once (a retry of the same CALL, same message id and payload, is not stored again). Empty
 * response per schema.
 */
export async function onNotifyMonitoringReport(
  ctx: HandlerContext,
  request: V201.NotifyMonitoringReportRequest,
): Promise<V201.NotifyMonitoringReportResponse> {
  const monitors = monitorsOf(ctx, request.monitor ?? []);
  await storeNotification(ctx, 'NotifyMonitoringReport', request);
  await storeMonitoringReportPart(ctx.db, {
    stationId: ctx.stationId,
    requestId: request.requestId,
    monitors,
    tbc: request.tbc ?? false,
  });
  return {};
}

/**
 * The reported monitors, one per VariableMonitoringType. Refuses (PropertyConstraintViolation) EVSE / connector ids
 * the CSMS does not store and monitor ids or severities that are no OCPP integer (32-bit, part 2 §2.1.4).
 */
function monitorsOf(ctx: HandlerContext, reported: readonly V201.MonitoringDataType[]): MonitorInput[] {
  return reported.flatMap((m) => {
    checkIds(ctx, { evseId: m.component.evse?.id, connectorId: m.component.evse?.connectorId });
    return m.variableMonitoring.map((vm) => {
      for (const [field, value] of [
        ['variableMonitoring.id', vm.id],
        ['variableMonitoring.severity', vm.severity],
      ] as const)
        if (value < 0 || value > INT32_MAX)
          throw new CallErrorResponse('PropertyConstraintViolation', `${field} ${value} is out of range`, {
            field,
          });
      return {
        id: vm.id,
        component: m.component,
        variable: m.variable,
        type: vm.type,
        value: vm.value,
        severity: vm.severity,
        transaction: vm.transaction,
      };
    });
  });
}
