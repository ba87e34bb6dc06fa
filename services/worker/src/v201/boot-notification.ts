import { recordBoot, type RegistrationStatus } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { OCPP_201 } from './common.js';

/**
 * BootNotification (B01-B03). The answer is the station's own `boot_policy`, else the CSMS default:
 * Accepted carries the heartbeat interval (B01.FR.04), Pending / Rejected the retry interval after which
 * the station boots again (B02.FR.08, B03.FR.06). A station without a registry row (the edge admits only
 * registered or auto-registered stations, so this should not happen) is Rejected.
 */
export async function onBootNotification(
  ctx: HandlerContext,
  request: V201.BootNotificationRequest,
): Promise<V201.BootNotificationResponse> {
  const now = ctx.now();
  const cs = request.chargingStation;
  // One statement (an autocommit action): it answers with the station's boot policy or the CSMS default and
  // stores what the station reported.
  const recorded = await recordBoot(
    ctx.db,
    ctx.stationId,
    {
      ocppVersion: OCPP_201,
      vendor: cs.vendorName,
      model: cs.model,
      serialNumber: cs.serialNumber,
      firmwareVersion: cs.firmwareVersion,
      modemIccid: cs.modem?.iccid,
      modemImsi: cs.modem?.imsi,
    },
    ctx.config.defaultBootPolicy,
    now,
  );
  if (recorded === undefined)
    ctx.log.warn(
      { reason: request.reason },
      'BootNotification from a station without a registry row: Rejected',
    );
  const status: RegistrationStatus = recorded ?? 'Rejected';
  const interval = status === 'Accepted' ? ctx.config.heartbeatIntervalSec : ctx.config.bootRetryIntervalSec;
  // Only now that the boot is recorded: the registration gate follows the answer. A (re)boot also ends
  // whatever the CSMS had asked the station to send before (TriggerMessage, GetBaseReport: B02.FR.02).
  ctx.station.registration = status;
  ctx.station.allowedWhileNotAccepted.clear();
  ctx.emit('booted', {
    status,
    interval,
    reason: request.reason,
    vendor: cs.vendorName,
    model: cs.model,
    ...(cs.serialNumber !== undefined ? { serialNumber: cs.serialNumber } : {}),
    ...(cs.firmwareVersion !== undefined ? { firmwareVersion: cs.firmwareVersion } : {}),
  });
  return { currentTime: now.toISOString(), interval, status };
}
