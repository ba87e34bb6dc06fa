import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { checkConnectorId, connectorKey } from './common.js';

/**
 * MeterValues (OCPP 1.6 §4.7, §6.31): stores the samples (through `ctx.transactions`), linked to the
 * transaction when transactionId names one of this station's transactions. An unknown transactionId
 * (e.g. -1, errata v4.0 §3.18) is still answered normally, with the values stored unlinked. A retried
 * message stores nothing new.
 */
export async function onMeterValues(
  ctx: HandlerContext,
  request: V16.MeterValuesRequest,
): Promise<V16.MeterValuesResponse> {
  checkConnectorId(ctx, request.connectorId, 0);
  const { evseId, connectorId } = connectorKey(request.connectorId);
  const recorded = await ctx.transactions.recordMeterValues({
    stationId: ctx.stationId,
    ...(request.transactionId !== undefined ? { v16TransactionId: request.transactionId } : {}),
    evseId,
    connectorId,
    source: 'MeterValues',
    meterValues: request.meterValue,
  });
  if (recorded.transactionFound === false)
    ctx.log.warn(
      { transactionId: request.transactionId },
      'MeterValues for an unknown transactionId; stored without a transaction',
    );
  return {};
}
