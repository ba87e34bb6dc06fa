import { randomInt } from 'node:crypto';
import {
  findMonitoringReportRequest,
  listCoveredMonitors,
  recordMonitoringReportAnswer,
  startMonitoringReportRequest,
  type MonitoringReportCriteria,
} from '@csms/db';
import {
  RequestViolations,
  abortable,
  pollUntil,
  type monitoringV1 as api,
  type CallContext,
} from '@csms/grpc';
import { INT32_MAX, type V201 } from '@csms/ocpp';
import type { StationServiceDeps } from '../deps.js';
import { callStation, requireV201Station } from '../display-messages/v201-station.js';
import { reportFilterOf, toMonitor } from './monitoring-convert.js';
import { apiEnum } from './monitoring-enums.js';

/** How long a refresh waits for the report by default, and at most (report_wait_seconds). */
const DEFAULT_REPORT_WAIT_SECONDS = 30;
const MAX_REPORT_WAIT_SECONDS = 120;
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
  const wait = request.reportWaitSeconds ?? DEFAULT_REPORT_WAIT_SECONDS;
  v.check(
    Number.isInteger(wait) && wait >= 0 && wait <= MAX_REPORT_WAIT_SECONDS,
    'report_wait_seconds',
    `must be between 0 and ${MAX_REPORT_WAIT_SECONDS}`,
  );
  await requireV201Station(deps, request.stationId, v, 'invalid RefreshMonitors request');
  const { stationId } = request;
  const requestId = await newRequest(deps, stationId, filter);
  const answer = await callStation<V201.GetMonitoringReportResponse>(
    deps,
    stationId,
    'GetMonitoringReport',
    { requestId, ...filter },
    context,
  );
  await deps.db
    .transaction()
    .execute((trx) => recordMonitoringReportAnswer(trx, stationId, requestId, answer.status));
  const complete =
    answer.status !== 'Accepted' ||
    (await abortable(waitForReport(deps, stationId, requestId, wait * 1000, context.signal), context.signal));
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

/** Records a request with a requestId this station never used, so that an old report is not read as the new one. */
async function newRequest(
  deps: StationServiceDeps,
  stationId: string,
  filter: MonitoringReportCriteria,
): Promise<number> {
  for (;;) {
    const requestId = randomInt(1, INT32_MAX);
    if (await startMonitoringReportRequest(deps.db, stationId, requestId, filter)) return requestId;
  }
}

/** Whether the report of `requestId` became complete within `waitMs` (or before the call was cancelled). */
async function waitForReport(
  deps: StationServiceDeps,
  stationId: string,
  requestId: number,
  waitMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const row = await pollUntil(
    () => findMonitoringReportRequest(deps.db, stationId, requestId),
    (r) => r?.complete === true,
    waitMs,
    signal,
  );
  return row?.complete === true;
}
