import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * DataTransfer from the station (P02). A vendorId this CSMS knows (`dataTransferVendors`) is stored and
 * Accepted (what Accepted / Rejected and `data` mean is left to the vendor agreement, P02.FR.08); any
 * other vendorId gets UnknownVendorId (P02.FR.06; TC_P_02_CSMS accepts it) and is not stored.
 */
export async function onDataTransfer(
  ctx: HandlerContext,
  request: V201.DataTransferRequest,
): Promise<V201.DataTransferResponse> {
  if (!ctx.config.dataTransferVendors.includes(request.vendorId)) {
    return { status: 'UnknownVendorId' };
  }
  await storeNotification(ctx, 'DataTransfer', request);
  ctx.emit('data-transfer', {
    vendorId: request.vendorId,
    ...(request.messageId !== undefined ? { messageId: request.messageId } : {}),
  });
  return { status: 'Accepted' };
}
