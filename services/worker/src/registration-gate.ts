import type { OcppVersion } from '@csms/ocpp';
import type { StationState } from './station-state.js';

/**
 * Which station CALLs a station may send before it is Accepted, and which CSMS commands may be sent to
 * it. Pure functions over the actor's state, so the rules are unit-tested on their own.
 */

/**
 * OCPP 2.0.1 B02.FR.09 / B03.FR.07: while Pending or Rejected, a CALL other than BootNotification (or
 * one the CSMS asked for) is answered with CALLERROR SecurityError. OCPP 1.6 §4.2 has the same rule
 * ("SHALL NOT send request messages ... unless instructed by TriggerMessage") without naming an error;
 * we answer SecurityError there too. A station that never booted is treated as not yet accepted.
 */
export function inboundAllowed(state: StationState, action: string): boolean {
  if (action === 'BootNotification') return true;
  if (state.registration === 'Accepted') return true;
  if (state.registration === 'Rejected') return false; // B03.FR.07: nothing but BootNotification
  return state.allowedWhileNotAccepted.has(action);
}

export interface OutboundRefusal {
  readonly reason: 'station-rejected' | 'station-pending';
  readonly description: string;
}

/** Why a CSMS-initiated command may not be sent now, or undefined when it may. */
export function outboundRefusal(
  state: StationState,
  version: OcppVersion,
  action: string,
): OutboundRefusal | undefined {
  if (state.registration === 'Rejected') {
    // B03.FR.03: the CSMS SHALL NOT initiate any messages to a Rejected station.
    return {
      reason: 'station-rejected',
      description: 'the station was Rejected at its last BootNotification (OCPP 2.0.1 B03.FR.03)',
    };
  }
  if (
    state.registration === 'Pending' &&
    version === 'ocpp1.6' &&
    (action === 'RemoteStartTransaction' || action === 'RemoteStopTransaction')
  ) {
    return {
      reason: 'station-pending',
      description: `${action} is not allowed while the station is Pending (OCPP 1.6 §4.2)`,
    };
  }
  return undefined;
}

/** TriggerMessage `requestedMessage` → the station action it makes the station send. */
const TRIGGERED_ACTIONS: Readonly<Record<OcppVersion, Readonly<Record<string, string>>>> = {
  'ocpp1.6': {
    BootNotification: 'BootNotification',
    DiagnosticsStatusNotification: 'DiagnosticsStatusNotification',
    FirmwareStatusNotification: 'FirmwareStatusNotification',
    Heartbeat: 'Heartbeat',
    MeterValues: 'MeterValues',
    StatusNotification: 'StatusNotification',
    // Security whitepaper ExtendedTriggerMessage values.
    LogStatusNotification: 'LogStatusNotification',
    SignChargePointCertificate: 'SignCertificate',
    SignedFirmwareStatusNotification: 'SignedFirmwareStatusNotification',
  },
  'ocpp2.0.1': {
    BootNotification: 'BootNotification',
    LogStatusNotification: 'LogStatusNotification',
    FirmwareStatusNotification: 'FirmwareStatusNotification',
    Heartbeat: 'Heartbeat',
    MeterValues: 'MeterValues',
    SignChargingStationCertificate: 'SignCertificate',
    SignV2GCertificate: 'SignCertificate',
    StatusNotification: 'StatusNotification',
    TransactionEvent: 'TransactionEvent',
    SignCombinedCertificate: 'SignCertificate',
    PublishFirmwareStatusNotification: 'PublishFirmwareStatusNotification',
  },
  'ocpp2.1': {},
};

/**
 * The station actions a CSMS command asks the station to send (which are then allowed while Pending):
 * TriggerMessage / ExtendedTriggerMessage → the requested message; 2.0.1 GetBaseReport / GetReport →
 * NotifyReport (B02.FR.02); GetMonitoringReport → NotifyMonitoringReport; GetLog → LogStatusNotification.
 */
export function actionsRequestedBy(
  version: OcppVersion,
  action: string,
  payload: Record<string, unknown>,
): string[] {
  switch (action) {
    case 'TriggerMessage':
    case 'ExtendedTriggerMessage': {
      const requested = payload.requestedMessage;
      const mapped = typeof requested === 'string' ? TRIGGERED_ACTIONS[version][requested] : undefined;
      return mapped ? [mapped] : [];
    }
    case 'GetBaseReport':
    case 'GetReport':
      return ['NotifyReport'];
    case 'GetMonitoringReport':
      return ['NotifyMonitoringReport'];
    case 'GetLog':
      return ['LogStatusNotification'];
    default:
      return [];
  }
}
