/**
 * csms.smart_charging.v1.SmartChargingService against a whole embedded CSMS on PostgreSQL: real gRPC server and
 * client, real OCPP 1.6 and 2.0.1 stations (ocpp-rpc, strict mode: they validate every CALL against the OCA
 * schemas) through the edge and their actors. Checks the exact payloads the stations receive and what the CSMS
 * stores.
 */
import { Status } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { createRPCError } from 'ocpp-rpc';
import { describe, expect, it } from 'vitest';
import { Tx201 } from '../support/octt-states.js';
import { addIdToken } from '../support/scenario.js';
import { rejection } from '../support/grpc-rejection.js';
import {
  K,
  LATER,
  NOW,
  P,
  R,
  S,
  U,
  absolute,
  booted201Station,
  client,
  csms,
  storedIds,
  useSmartChargingApi,
} from '../support/smart-charging-api.js';

useSmartChargingApi();

// ---------------------------------------------------------------------------------------------------------------
// OCPP 2.0.1

describe('TC_K_01_CSMS: Set Charging Profile - TxDefaultProfile - Specific EVSE', () => {
  it('sends SetChargingProfileRequest for EVSE 1 and stores it once Accepted', async () => {
    const cs = await booted201Station();
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    const profile = absolute(1001, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6);
    const answer = await client.setChargingProfile({ stationId: cs.id, evseId: 1, profile });
    expect(answer.status).toBe(S.CHARGING_PROFILE_STATUS_ACCEPTED);
    expect(cs.requests('SetChargingProfile')).toEqual([
      {
        evseId: 1,
        chargingProfile: {
          id: 1001,
          stackLevel: 1,
          chargingProfilePurpose: 'TxDefaultProfile',
          chargingProfileKind: 'Absolute',
          validFrom: NOW.toISOString(),
          validTo: LATER.toISOString(),
          chargingSchedule: [
            {
              id: 1,
              startSchedule: NOW.toISOString(),
              duration: 3600,
              chargingRateUnit: 'A',
              chargingSchedulePeriod: [{ startPeriod: 0, limit: 6, numberPhases: 1 }],
            },
          ],
        },
      },
    ]);
    const stored = await client.getChargingProfiles({ stationId: cs.id, evseId: 1 });
    expect(stored.profiles.map((p) => [p.ocppVersion, p.profile])).toEqual([
      ['ocpp2.0.1', { ...profile, schedules: [{ ...profile.schedules[0], id: 1 }] }],
    ]);
  });
});

describe('TC_K_10_CSMS: Set Charging Profile - TxDefaultProfile - All EVSE', () => {
  it('sends the TxDefaultProfile for EVSE 0', async () => {
    const cs = await booted201Station();
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    await client.setChargingProfile({
      stationId: cs.id,
      evseId: 0,
      profile: absolute(1002, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6000, {
        schedules: [
          {
            startSchedule: NOW,
            duration: 3600,
            chargingRateUnit: U.CHARGING_RATE_UNIT_W,
            periods: [{ startPeriod: 0, limit: 6000 }],
          },
        ],
      }),
    });
    expect(cs.requests('SetChargingProfile')[0]).toMatchObject({
      evseId: 0,
      chargingProfile: {
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        validFrom: NOW.toISOString(),
        validTo: LATER.toISOString(),
        chargingSchedule: [
          {
            startSchedule: NOW.toISOString(),
            chargingRateUnit: 'W',
            chargingSchedulePeriod: [{ startPeriod: 0, limit: 6000 }],
          },
        ],
      },
    });
    expect(await storedIds(cs.id, { evseId: 0 })).toEqual([1002]);
  });
});

describe('TC_K_02_CSMS: Set Charging Profile - TxProfile without ongoing transaction on the specified EVSE', () => {
  it('sends a Relative TxProfile, reads the Rejected answer and stores nothing', async () => {
    const cs = await booted201Station();
    cs.respond('SetChargingProfile', { status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } });
    const answer = await client.setChargingProfile({
      stationId: cs.id,
      evseId: 1,
      profile: absolute(1003, P.CHARGING_PROFILE_PURPOSE_TX_PROFILE, 7, {
        kind: K.CHARGING_PROFILE_KIND_RELATIVE,
        validFrom: undefined,
        validTo: undefined,
        transactionId: 'no-such-transaction',
        schedules: [
          {
            chargingRateUnit: U.CHARGING_RATE_UNIT_A,
            startSchedule: undefined,
            periods: [{ startPeriod: 0, limit: 7 }],
          },
        ],
      }),
    });
    expect(answer).toEqual({
      status: S.CHARGING_PROFILE_STATUS_REJECTED,
      statusInfo: { reasonCode: 'TxNotFound', additionalInfo: '' },
    });
    expect(cs.requests('SetChargingProfile')[0]?.chargingProfile).toMatchObject({
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: [{ chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7 }] }],
    });
    expect(await storedIds(cs.id)).toEqual([]);
  });
});

describe('TC_K_03_CSMS: Set Charging Profile - ChargingStationMaxProfile', () => {
  it('sends the ChargingStationMaxProfile for EVSE 0', async () => {
    const cs = await booted201Station();
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    await client.setChargingProfile({
      stationId: cs.id,
      evseId: 0,
      profile: absolute(1004, P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE, 8),
    });
    expect(cs.requests('SetChargingProfile')[0]).toMatchObject({
      evseId: 0,
      chargingProfile: {
        chargingProfilePurpose: 'ChargingStationMaxProfile',
        chargingProfileKind: 'Absolute',
        validFrom: NOW.toISOString(),
        validTo: LATER.toISOString(),
        chargingSchedule: [
          { startSchedule: NOW.toISOString(), chargingSchedulePeriod: [{ startPeriod: 0, limit: 8 }] },
        ],
      },
    });
    expect(
      await storedIds(cs.id, { purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE }),
    ).toEqual([1004]);
  });
});

describe('TC_K_04_CSMS: Replace charging profile - With chargingProfileId', () => {
  it('sends the second profile with the same id; the stored one is replaced', async () => {
    const cs = await booted201Station();
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    await client.setChargingProfile({
      stationId: cs.id,
      evseId: 1,
      profile: absolute(1005, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 8),
    });
    await client.setChargingProfile({
      stationId: cs.id,
      evseId: 1,
      profile: absolute(1005, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6),
    });
    const sent = cs.requests('SetChargingProfile');
    expect(
      sent.map((r) => [
        r.chargingProfile.id,
        r.chargingProfile.chargingSchedule[0]!.chargingSchedulePeriod[0]!.limit,
      ]),
    ).toEqual([
      [1005, 8],
      [1005, 6],
    ]);
    const { profiles } = await client.getChargingProfiles({ stationId: cs.id });
    expect(profiles.map((p) => [p.profile!.id, p.profile!.schedules[0]!.periods[0]!.limit])).toEqual([
      [1005, 6],
    ]);
  });
});

describe('TC_K_70_CSMS: Set Charging Profile - Multiple Profiles', () => {
  it('sends two profiles with different ids and stack levels; both are stored', async () => {
    const cs = await booted201Station();
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    for (const [id, stackLevel] of [
      [1006, 1],
      [1007, 2],
    ] as const)
      await client.setChargingProfile({
        stationId: cs.id,
        evseId: 1,
        profile: absolute(id, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6, { stackLevel }),
      });
    expect(
      cs.requests('SetChargingProfile').map((r) => [r.chargingProfile.id, r.chargingProfile.stackLevel]),
    ).toEqual([
      [1006, 1],
      [1007, 2],
    ]);
    expect(await storedIds(cs.id)).toEqual([1006, 1007]);
    // K01.FR.06: a third profile at stack level 2 with another id would overlap 1007; it is not sent.
    const conflict = await rejection(
      client.setChargingProfile({
        stationId: cs.id,
        evseId: 1,
        profile: absolute(1008, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6, { stackLevel: 2 }),
      }),
    );
    expect([conflict.code, conflict.reason, conflict.metadata.conflictingProfileId]).toEqual([
      Status.FAILED_PRECONDITION,
      'PROFILE_CONFLICT',
      '1007',
    ]);
    expect(cs.requests('SetChargingProfile')).toHaveLength(2);
  });
});

describe('TC_K_19_CSMS: Set Charging Profile - ChargingProfileKind is Recurring', () => {
  it('sends a Recurring profile with its recurrencyKind', async () => {
    const cs = await booted201Station();
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    await client.setChargingProfile({
      stationId: cs.id,
      evseId: 1,
      profile: absolute(1009, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6, {
        kind: K.CHARGING_PROFILE_KIND_RECURRING,
        recurrencyKind: R.RECURRENCY_KIND_DAILY,
      }),
    });
    expect(cs.requests('SetChargingProfile')[0]).toMatchObject({
      evseId: 1,
      chargingProfile: {
        stackLevel: 1,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Recurring',
        recurrencyKind: 'Daily',
        chargingSchedule: [{ chargingSchedulePeriod: [{ startPeriod: 0 }] }],
      },
    });
  });
});

describe('TC_K_60_CSMS: Set Charging Profile - TxProfile with ongoing transaction on the specified EVSE', () => {
  it('sends a TxProfile with the transactionId of the transaction in EnergyTransferStarted', async () => {
    const cs = await booted201Station();
    const idToken: V201.IdTokenType = {
      idToken: await addIdToken(csms, 'SCK60', { type: 'ISO14443' }),
      type: 'ISO14443',
    };
    const tx = new Tx201(cs, { idToken });
    await tx.energyTransferStarted();
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    const answer = await client.setChargingProfile({
      stationId: cs.id,
      evseId: 1,
      profile: absolute(1010, P.CHARGING_PROFILE_PURPOSE_TX_PROFILE, 10, { transactionId: tx.transactionId }),
    });
    expect(answer.status).toBe(S.CHARGING_PROFILE_STATUS_ACCEPTED);
    expect(cs.requests('SetChargingProfile')[0]).toMatchObject({
      evseId: 1,
      chargingProfile: { chargingProfilePurpose: 'TxProfile', transactionId: tx.transactionId },
    });
    expect(await storedIds(cs.id, { purpose: P.CHARGING_PROFILE_PURPOSE_TX_PROFILE })).toEqual([1010]);
  });
});

describe('TC_K_15_CSMS: Set Charging Profile - Not Supported', () => {
  it('reports the CALLERROR NotSupported as FAILED_PRECONDITION STATION_CALL_ERROR and stores nothing', async () => {
    const cs = await booted201Station();
    cs.respond('SetChargingProfile', () => {
      throw createRPCError('NotSupported', 'no smart charging here') as Error;
    });
    const error = await rejection(
      client.setChargingProfile({
        stationId: cs.id,
        evseId: 1,
        profile: absolute(1011, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6),
      }),
    );
    expect([error.code, error.reason, error.metadata.code]).toEqual([
      Status.FAILED_PRECONDITION,
      'STATION_CALL_ERROR',
      'NotSupported',
    ]);
    expect(cs.requests('SetChargingProfile')[0]).toMatchObject({
      evseId: 1,
      chargingProfile: { chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute' },
    });
    expect(await storedIds(cs.id)).toEqual([]);
  });
});
