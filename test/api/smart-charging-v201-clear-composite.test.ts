/**
 * csms.smart_charging.v1.SmartChargingService against a whole embedded CSMS on PostgreSQL: real gRPC server and
 * client, real OCPP 1.6 and 2.0.1 stations (ocpp-rpc, strict mode: they validate every CALL against the OCA
 * schemas) through the edge and their actors. Checks the exact payloads the stations receive and what the CSMS
 * stores.
 */
import { Status } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/scenario.js';
import { rejection } from '../support/grpc-rejection.js';
import {
  C,
  CS,
  NOW,
  P,
  U,
  absolute,
  booted201Station,
  client,
  storedIds,
  useSmartChargingApi,
} from '../support/smart-charging-api.js';

useSmartChargingApi();

describe('TC_K_06_CSMS: Clear Charging Profile - With stackLevel/purpose combination for one profile', () => {
  it('sends chargingProfileCriteria and deletes the matching stored profile once Accepted', async () => {
    const cs = await booted201Station();
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    cs.respond('ClearChargingProfile', { status: 'Accepted' });
    for (const [id, evseId] of [
      [1012, 1],
      [1013, 2],
    ] as const)
      await client.setChargingProfile({
        stationId: cs.id,
        evseId,
        profile: absolute(id, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6),
      });
    const answer = await client.clearChargingProfile({
      stationId: cs.id,
      evseId: 1,
      purpose: P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE,
      stackLevel: 1,
    });
    expect(answer.status).toBe(C.CLEAR_CHARGING_PROFILE_STATUS_ACCEPTED);
    expect(cs.requests('ClearChargingProfile')).toEqual([
      { chargingProfileCriteria: { evseId: 1, chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 1 } },
    ]);
    expect(await storedIds(cs.id)).toEqual([1013]);
  });
});

describe('TC_K_08_CSMS: Clear Charging Profile - Without previous charging profile', () => {
  it('reads the Unknown answer and leaves the store as it is', async () => {
    const cs = await booted201Station();
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    await client.setChargingProfile({
      stationId: cs.id,
      evseId: 2,
      profile: absolute(1014, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6),
    });
    cs.respond('ClearChargingProfile', { status: 'Unknown' });
    const answer = await client.clearChargingProfile({
      stationId: cs.id,
      evseId: 1,
      purpose: P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE,
      stackLevel: 1,
    });
    expect(answer).toEqual({ status: C.CLEAR_CHARGING_PROFILE_STATUS_UNKNOWN, statusInfo: undefined });
    expect(cs.requests('ClearChargingProfile')).toEqual([
      { chargingProfileCriteria: { evseId: 1, chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 1 } },
    ]);
    expect(await storedIds(cs.id)).toEqual([1014]);
  });
});

describe('OCPP 2.0.1 Clear Charging Profile by id', () => {
  it('sends only chargingProfileId (criteria omitted) and deletes the stored profile once Accepted', async () => {
    const cs = await booted201Station();
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    cs.respond('ClearChargingProfile', { status: 'Accepted' });
    await client.setChargingProfile({
      stationId: cs.id,
      evseId: 1,
      profile: absolute(1015, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6),
    });
    await client.clearChargingProfile({ stationId: cs.id, profileId: 1015 });
    expect(cs.requests('ClearChargingProfile')).toEqual([{ chargingProfileId: 1015 }]);
    expect(await storedIds(cs.id)).toEqual([]);
  });
});

function compositeAnswer(evseId: number): V201.GetCompositeScheduleResponse {
  return {
    status: 'Accepted',
    schedule: {
      evseId,
      duration: 300,
      scheduleStart: NOW.toISOString(),
      chargingRateUnit: 'A',
      chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }],
    },
  };
}

describe('TC_K_43_CSMS: Get Composite Schedule - Specific EVSE', () => {
  it('sends GetCompositeScheduleRequest for EVSE 1 and returns the typed schedule', async () => {
    const cs = await booted201Station();
    cs.respond('GetCompositeSchedule', compositeAnswer(1));
    const answer = await client.getCompositeSchedule({
      stationId: cs.id,
      evseId: 1,
      durationSeconds: 300,
      chargingRateUnit: U.CHARGING_RATE_UNIT_A,
    });
    expect(cs.requests('GetCompositeSchedule')).toEqual([
      { evseId: 1, duration: 300, chargingRateUnit: 'A' },
    ]);
    const schedule = {
      evseId: 1,
      scheduleStart: NOW,
      duration: 300,
      chargingRateUnit: U.CHARGING_RATE_UNIT_A,
      periods: [{ startPeriod: 0, limit: 10 }],
    };
    // No external limit reported: the limited schedule is the station's.
    expect(answer).toEqual({
      status: CS.COMPOSITE_SCHEDULE_STATUS_ACCEPTED,
      schedule,
      statusInfo: undefined,
      externalLimits: [],
      limitedSchedule: schedule,
    });
  });
});

describe('TC_K_44_CSMS: Get Composite Schedule - Charging Station', () => {
  it('sends GetCompositeScheduleRequest for EVSE 0; a Rejected answer has no schedule', async () => {
    const cs = await booted201Station();
    cs.respond('GetCompositeSchedule', compositeAnswer(0));
    const answer = await client.getCompositeSchedule({ stationId: cs.id, evseId: 0, durationSeconds: 300 });
    expect(cs.requests('GetCompositeSchedule')).toEqual([{ evseId: 0, duration: 300 }]);
    expect(answer.schedule).toMatchObject({
      evseId: 0,
      duration: 300,
      periods: [{ startPeriod: 0, limit: 10 }],
    });
    cs.respond('GetCompositeSchedule', { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEVSE' } });
    const rejected = await client.getCompositeSchedule({ stationId: cs.id, evseId: 9, durationSeconds: 60 });
    expect(rejected).toEqual({
      status: CS.COMPOSITE_SCHEDULE_STATUS_REJECTED,
      schedule: undefined,
      statusInfo: { reasonCode: 'UnknownEVSE', additionalInfo: '' },
      externalLimits: [],
      limitedSchedule: undefined,
    });
  });
});

describe('OCPP 2.0.1 smart charging errors', () => {
  it('refuses a TxProfile without transactionId (K01.FR.03) before anything reaches the station', async () => {
    const cs = await booted201Station();
    const error = await rejection(
      client.setChargingProfile({
        stationId: cs.id,
        evseId: 1,
        profile: absolute(1016, P.CHARGING_PROFILE_PURPOSE_TX_PROFILE, 6),
      }),
    );
    expect([error.code, error.violations.map((v) => v.field)]).toEqual([
      Status.INVALID_ARGUMENT,
      ['profile.transaction_id'],
    ]);
    expect(cs.received).toEqual([]);
  });

  it('answers UNAVAILABLE STATION_OFFLINE when the station is not connected', async () => {
    const cs = await booted201Station();
    await cs.close();
    const error = await eventually(async () => {
      const e = await rejection(client.clearChargingProfile({ stationId: cs.id, profileId: 1 }));
      return e.code === Status.UNAVAILABLE && e;
    });
    expect(error.reason).toBe('STATION_OFFLINE');
  });
});
