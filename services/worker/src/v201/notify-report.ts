import { storeDeviceReport } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { parseTimestamp } from './common.js';

/**
 * NotifyReport (B07/B08): each part of a report (requestId, seqNo; `tbc` = more parts follow) is stored
 * in device_reports; a part received before (a retry) is a no-op. Answered with an empty response.
 */
export async function onNotifyReport(
  ctx: HandlerContext,
  request: V201.NotifyReportRequest,
): Promise<V201.NotifyReportResponse> {
  const generatedAt = parseTimestamp(request.generatedAt, 'generatedAt');
  const tbc = request.tbc ?? false;
  const stored = await storeDeviceReport(ctx.db, {
    stationId: ctx.stationId,
    requestId: request.requestId,
    seqNo: request.seqNo,
    generatedAt,
    tbc,
    reportData: request.reportData ?? [],
  });
  if (stored) {
    ctx.emit('report-part', { requestId: request.requestId, seqNo: request.seqNo, tbc });
  }
  return {};
}
