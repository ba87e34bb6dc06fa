import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * NotifyMonitoringReport (N02): a part of the monitoring report asked for by GetMonitoringReport. Stored in
 * station_notifications once (a retry of the same CALL, same message id and payload, is not stored again);
 * empty response per schema.
 */
export async function onNotifyMonitoringReport(
  ctx: HandlerContext,
  request: V201.NotifyMonitoringReportRequest,
): Promise<V201.NotifyMonitoringReportResponse> {
  await storeNotification(ctx, 'NotifyMonitoringReport', request);
  return {};
}
