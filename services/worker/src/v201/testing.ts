import { Subjects, type CallOutcome } from '@csms/bus';
import { upsertStation, type BootPolicy } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { SimulatedStation, WorkerHarness } from '../testing/worker-harness.js';

/** Helpers for the OCPP 2.0.1 handler tests (not used at run time). */

export const CHARGING_STATION: V201.ChargingStationType = {
  vendorName: 'ACME',
  model: 'Volt-2',
  serialNumber: 'SN-0001',
  firmwareVersion: '2.0.1-rc3',
  modem: { iccid: '8931000000000000001', imsi: '204080000000001' },
};

export function bootRequest(reason: V201.BootReasonEnumType = 'PowerUp'): V201.BootNotificationRequest {
  return { reason, chargingStation: CHARGING_STATION };
}

/** Registers a station, connects it over 2.0.1 and boots it (expects the given answer). */
export async function bootedStation(
  h: WorkerHarness,
  stationId: string,
  bootPolicy: BootPolicy | null = null,
): Promise<SimulatedStation> {
  await upsertStation(h.database.db, { id: stationId, securityProfile: 0, bootPolicy });
  const station = await h.connect(stationId, 'ocpp2.0.1');
  await station.ok('BootNotification', { ...bootRequest() });
  return station;
}

export interface StationEvent {
  readonly stationId: string;
  readonly type: string;
  readonly [key: string]: unknown;
}

/** Collects the station events the actors publish (booted, status-changed, ...). */
export async function collectEvents(h: WorkerHarness): Promise<StationEvent[]> {
  const events: StationEvent[] = [];
  await h.bus.subscribe<StationEvent>(Subjects.eventWildcard, (msg) => {
    events.push(msg.data);
  });
  return events;
}

/** The CALLERROR of an outcome, or a failure when it was a CALLRESULT. */
export function callError(outcome: CallOutcome): {
  code: string;
  description: string;
  details: Record<string, unknown>;
} {
  if (outcome.type !== 'error')
    throw new Error(`expected a CALLERROR, got ${JSON.stringify(outcome.payload)}`);
  return { code: outcome.code, description: outcome.description, details: outcome.details };
}
