import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * DataTransfer from the station (OCPP 1.6 §4.3, §6.15/§6.16).
 *
 * - vendorId is a CiString255Type (case-insensitive, §2.2/§7.18), so it is matched against
 *   `dataTransferVendors` ignoring case.
 * - Unknown vendor: §4.3 "If the recipient of the request has no implementation for the specific
 *   vendorId it SHALL return a status 'UnknownVendor' and the data element SHALL not be present"
 *   (the enum value is UnknownVendorId, §7.23; OCTT TC_064_CSMS accepts it). The message is not
 *   stored: nothing here can interpret it, and `data` has no length limit; a warning is logged
 *   without the data.
 * - Known vendor: stored in station_notifications and answered Accepted. The configuration lists
 *   vendors only, not message ids, so no messageId is answered UnknownMessageId; what a vendor's
 *   messages mean is for whoever reads them.
 */
export async function onDataTransfer(
  ctx: HandlerContext,
  request: V16.DataTransferRequest,
): Promise<V16.DataTransferResponse> {
  const vendor = request.vendorId.toLowerCase();
  const known = ctx.config.dataTransferVendors.some((v) => v.toLowerCase() === vendor);
  if (!known) {
    ctx.log.warn(
      { vendorId: request.vendorId, messageId: request.messageId },
      'DataTransfer from an unknown vendorId',
    );
    return { status: 'UnknownVendorId' };
  }
  await storeNotification(ctx, 'DataTransfer', { ...request });
  ctx.emit('data-transfer', { vendorId: request.vendorId, messageId: request.messageId ?? null });
  return { status: 'Accepted' };
}
