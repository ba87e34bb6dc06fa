import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { checkIds, parseTimestamp } from './common.js';

/**
 * MeterValues (J01): values not related to a transaction (2.0.1 has no transactionId here; transaction
 * values come in TransactionEvent, J02). evseId 0 is the main meter of the station. A retry of the same
 * message is not stored twice (`recordMeterValues` in @csms/db, reached through `ctx.transactions`).
 */
export async function onMeterValues(
  ctx: HandlerContext,
  request: V201.MeterValuesRequest,
): Promise<V201.MeterValuesResponse> {
  checkIds(ctx, { evseId: request.evseId });
  for (const [i, mv] of request.meterValue.entries())
    parseTimestamp(mv.timestamp, `meterValue[${i}].timestamp`);
  await ctx.transactions.recordMeterValues({
    stationId: ctx.stationId,
    evseId: request.evseId,
    connectorId: null,
    source: 'MeterValues',
    meterValues: request.meterValue,
  });
  return {};
}
