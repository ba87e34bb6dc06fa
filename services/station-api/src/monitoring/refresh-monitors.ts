import {
  findMonitoringReportRequest,
  listCoveredMonitors,
  recordMonitoringReportAnswer,
  startMonitoringReportRequest,
} from '@csms/db';
import { RequestViolations, type monitoringV1 as api, type CallContext } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import type { StationServiceDeps } from '../deps.js';
import { requireV201Station } from '../display-messages/v201-station.js';
import { reportWaitSeconds, requestReport } from '../report-request.js';
import { reportFilterOf, toMonitor } from './monitoring-convert.js';
import { apiEnum } from './monitoring-enums.js';

/** The most monitors a refresh returns. */
const RETURNED_LIMIT = 1000;

/**
 * RefreshMonitors (N02): records a GetMonitoringReportRequest with a new requestId and its filter, sends it, and,
 * when the station answers Accepted, waits (boundedly) until the station actor stored the report's last part and
 * reconciled the store with it (NotifyMonitoringReport handler); EmptyResultSet reconciles here (the station has no
 * matching monitor and sends no report, N02.FR.10). Returns the stored monitors the filter covers.
 */
export async function refreshMonitors(
  deps: StationServiceDeps,
  request: api.RefreshMonitorsRequest,
  context: CallContext,
): Promise<api.RefreshMonitorsResponse> {
  const v = new RequestViolations();
  const filter = reportFilterOf(v, request);
  const wait = reportWaitSeconds(v, request.reportWaitSeconds);
  await requireV201Station(deps, request.stationId, v, 'invalid RefreshMonitors request');
  const { stationId } = request;
  const { requestId, answer, complete } = await requestReport<V201.GetMonitoringReportResponse>(
    deps,
    stationId,
    {
      action: 'GetMonitoringReport',
      start: (id) => startMonitoringReportRequest(deps.db, stationId, id, filter),
      payload: (id) => ({ requestId: id, ...filter }),
      recordAnswer: (trx, id, a) => recordMonitoringReportAnswer(trx, stationId, id, a.status),
      reportFollows: (a) => a.status === 'Accepted',
      isComplete: async (id) =>
        (await findMonitoringReportRequest(deps.db, stationId, id))?.complete === true,
    },
    wait,
    context,
  );
  const rows = await listCoveredMonitors(deps.db, stationId, filter, RETURNED_LIMIT);
  deps.logger.debug({ stationId, requestId, complete, monitors: rows.length }, 'monitors refreshed');
  return {
    requestId,
    status: apiEnum.deviceModelStatus(answer.status),
    statusReason: answer.statusInfo?.reasonCode ?? '',
    complete,
    monitors: rows.map(toMonitor),
  };
}
