import { recordBoot, type RegistrationStatus } from '@csms/db';
import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { OCPP16 } from './common.js';

/**
 * BootNotification (OCPP 1.6 §4.2): answers with the station's boot policy (or the CSMS default),
 * records what the station reported, and opens or closes the registration gate.
 */
export async function onBootNotification(
  ctx: HandlerContext,
  request: V16.BootNotificationRequest,
): Promise<V16.BootNotificationResponse> {
  const now = ctx.now();
  // One statement (an autocommit action): it answers with the station's boot policy or the CSMS default and
  // stores what the station reported.
  const recorded = await recordBoot(
    ctx.db,
    ctx.stationId,
    {
      ocppVersion: OCPP16,
      vendor: request.chargePointVendor,
      model: request.chargePointModel,
      // chargeBoxSerialNumber is deprecated (§6.3) but still sent by older stations.
      serialNumber: request.chargePointSerialNumber ?? request.chargeBoxSerialNumber,
      firmwareVersion: request.firmwareVersion,
      modemIccid: request.iccid,
      modemImsi: request.imsi,
      meterType: request.meterType,
      meterSerialNumber: request.meterSerialNumber,
    },
    ctx.config.defaultBootPolicy,
    now,
  );
  // Edges register stations before passing their messages on, so a missing row should not happen; without
  // one nothing about the station can be stored, so it is not let in.
  if (recorded === undefined)
    ctx.log.warn({}, 'BootNotification from a station without a stations row; answering Rejected');
  const status: RegistrationStatus = recorded ?? 'Rejected';

  ctx.station.registration = status;
  // Messages allowed by an earlier TriggerMessage while Pending end with the new registration.
  ctx.station.allowedWhileNotAccepted.clear();
  // §4.2: with Accepted the interval is the heartbeat interval; otherwise it is the minimum wait
  // before the next BootNotification.
  const interval = status === 'Accepted' ? ctx.config.heartbeatIntervalSec : ctx.config.bootRetryIntervalSec;
  ctx.emit('booted', {
    status,
    interval,
    ocppVersion: OCPP16,
    vendor: request.chargePointVendor,
    model: request.chargePointModel,
    serialNumber: request.chargePointSerialNumber ?? request.chargeBoxSerialNumber ?? null,
    firmwareVersion: request.firmwareVersion ?? null,
    known: recorded !== undefined,
  });
  return { status, currentTime: now.toISOString(), interval };
}
