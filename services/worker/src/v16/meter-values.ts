import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeMeterValues } from '../meter-values.js';
import { checkConnectorId, connectorKey, findV16Transaction } from './common.js';

/**
 * MeterValues (OCPP 1.6 §4.7, §6.31): stores the samples, linked to the transaction when transactionId
 * names one of this station's transactions. An unknown transactionId (e.g. -1, errata v4.0 §3.18) is
 * still answered normally, with the values stored unlinked. A retried message stores nothing new.
 */
export async function onMeterValues(
  ctx: HandlerContext,
  request: V16.MeterValuesRequest,
): Promise<V16.MeterValuesResponse> {
  checkConnectorId(ctx, request.connectorId, 0);
  let transactionRef: string | null = null;
  if (request.transactionId !== undefined) {
    const tx = await findV16Transaction(ctx.db, ctx.stationId, request.transactionId);
    if (tx) transactionRef = tx.id;
    else
      ctx.log.warn(
        { transactionId: request.transactionId },
        'MeterValues for an unknown transactionId; stored without a transaction',
      );
  }
  const { evseId, connectorId } = connectorKey(request.connectorId);
  await storeMeterValues(ctx.db, {
    stationId: ctx.stationId,
    transactionRef,
    evseId,
    connectorId,
    source: 'MeterValues',
    meterValues: request.meterValue,
  });
  return {};
}
