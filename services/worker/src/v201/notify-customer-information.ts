import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * NotifyCustomerInformation (N09 / N10): a part of the customer data asked for (or cleared) by CustomerInformation.
 * Stored in station_notifications as received, once (a retry of the same CALL, same message id and payload, is
 * not stored again); the auth service's Get- / ClearCustomerInformation read the parts back by requestId
 * (`customerInformationParts`). Empty response per schema.
 */
export async function onNotifyCustomerInformation(
  ctx: HandlerContext,
  request: V201.NotifyCustomerInformationRequest,
): Promise<V201.NotifyCustomerInformationResponse> {
  await storeNotification(ctx, 'NotifyCustomerInformation', request);
  return {};
}
