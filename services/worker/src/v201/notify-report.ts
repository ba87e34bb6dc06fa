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
  const r = await ctx.db
    .insertInto('device_reports')
    .values({
      station_id: ctx.stationId,
      request_id: request.requestId,
      seq_no: request.seqNo,
      generated_at: generatedAt,
      tbc,
      report_data: JSON.stringify(request.reportData ?? []),
    })
    .onConflict((oc) => oc.columns(['station_id', 'request_id', 'seq_no']).doNothing())
    .executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0n) > 0) {
    ctx.emit('report-part', { requestId: request.requestId, seqNo: request.seqNo, tbc });
  }
  return {};
}
