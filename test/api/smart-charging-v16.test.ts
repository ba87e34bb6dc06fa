/**
 * csms.smart_charging.v1.SmartChargingService against a whole embedded CSMS on PostgreSQL: real gRPC server and
 * client, real OCPP 1.6 and 2.0.1 stations (ocpp-rpc, strict mode: they validate every CALL against the OCA
 * schemas) through the edge and their actors. Checks the exact payloads the stations receive and what the CSMS
 * stores.
 */
import type { smartChargingV1 as api } from '@csms/grpc';
import { Status } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { charging16, Tx201 } from '../support/octt-states.js';
import { addIdToken, eventually } from '../support/scenario.js';
import { rejection } from '../support/grpc-rejection.js';
import {
  C,
  CS,
  LATER,
  NOW,
  P,
  S,
  U,
  absolute,
  booted16Station,
  booted201Station,
  client,
  csms,
  storedIds,
  useSmartChargingApi,
} from '../support/smart-charging-api.js';

useSmartChargingApi();

// ---------------------------------------------------------------------------------------------------------------
// OCPP 1.6

describe('TC_056_CSMS: Central Smart Charging - TxDefaultProfile', () => {
  it('sends SetChargingProfile.req with a TxDefaultProfile and stores it once Accepted', async () => {
    const cp = await booted16Station();
    cp.respond('SetChargingProfile', { status: 'Accepted' });
    const profile = absolute(101, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6);
    const answer = await client.setChargingProfile({ stationId: cp.id, evseId: 1, profile });
    expect(answer).toEqual({ status: S.CHARGING_PROFILE_STATUS_ACCEPTED, statusInfo: undefined });
    expect(cp.requests('SetChargingProfile')).toEqual([
      {
        connectorId: 1,
        csChargingProfiles: {
          chargingProfileId: 101,
          stackLevel: 1,
          chargingProfilePurpose: 'TxDefaultProfile',
          chargingProfileKind: 'Absolute',
          validFrom: NOW.toISOString(),
          validTo: LATER.toISOString(),
          chargingSchedule: {
            duration: 3600,
            startSchedule: NOW.toISOString(),
            chargingRateUnit: 'A',
            chargingSchedulePeriod: [{ startPeriod: 0, limit: 6, numberPhases: 1 }],
          },
        },
      },
    ]);
    const stored = await client.getChargingProfiles({ stationId: cp.id });
    expect(stored.profiles).toEqual([
      { stationId: cp.id, evseId: 1, profile, ocppVersion: 'ocpp1.6', updateTime: expect.any(Date) as Date },
    ]);
  });
});

describe('TC_057_CSMS: Central Smart Charging - TxProfile', () => {
  it('sends a TxProfile with the transactionId of the running transaction', async () => {
    const cp = await booted16Station();
    const idTag = await addIdToken(csms, 'SC57');
    const start = await charging16(cp, idTag);
    expect(start.idTagInfo.status).toBe('Accepted');
    cp.respond('SetChargingProfile', { status: 'Accepted' });
    const profile = absolute(102, P.CHARGING_PROFILE_PURPOSE_TX_PROFILE, 10, {
      transactionId: String(start.transactionId),
    });
    const answer = await client.setChargingProfile({ stationId: cp.id, evseId: 1, profile });
    expect(answer.status).toBe(S.CHARGING_PROFILE_STATUS_ACCEPTED);
    expect(cp.requests('SetChargingProfile')[0]).toMatchObject({
      connectorId: 1,
      csChargingProfiles: { chargingProfilePurpose: 'TxProfile', transactionId: start.transactionId },
    });
    expect(await storedIds(cp.id, { purpose: P.CHARGING_PROFILE_PURPOSE_TX_PROFILE })).toEqual([102]);
  });
});

describe('TxProfiles end with their transaction (1.6 §3.13.2, 2.0.1 K02.FR.05)', () => {
  it('1.6: StopTransaction deletes the stored TxProfile of the transaction, nothing else', async () => {
    const cp = await booted16Station();
    const idTag = await addIdToken(csms, 'SCEND16');
    const start = await charging16(cp, idTag);
    cp.respond('SetChargingProfile', { status: 'Accepted' });
    const set = (profile: api.ChargingProfile, evseId = 1) =>
      client.setChargingProfile({ stationId: cp.id, evseId, profile });
    // The transaction's TxProfile (its id given with a leading zero: stored as the station's integer), a
    // default profile, and a TxProfile of another transaction on connector 2.
    await set(
      absolute(201, P.CHARGING_PROFILE_PURPOSE_TX_PROFILE, 10, { transactionId: `0${start.transactionId}` }),
    );
    await set(absolute(203, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 16));
    const other = await charging16(cp, idTag, 2);
    await set(
      absolute(204, P.CHARGING_PROFILE_PURPOSE_TX_PROFILE, 8, { transactionId: String(other.transactionId) }),
      2,
    );
    expect(await storedIds(cp.id)).toEqual([201, 203, 204]);

    await cp.call('StopTransaction', {
      transactionId: start.transactionId,
      meterStop: 2000,
      timestamp: new Date().toISOString(),
    });
    expect(await storedIds(cp.id)).toEqual([203, 204]);
  });

  it('2.0.1: the Ended TransactionEvent deletes the stored TxProfile of the transaction', async () => {
    const cs = await booted201Station();
    const idToken: V201.IdTokenType = {
      idToken: await addIdToken(csms, 'SCEND201', { type: 'ISO14443' }),
      type: 'ISO14443',
    };
    const tx = new Tx201(cs, { idToken });
    await tx.energyTransferStarted();
    cs.respond('SetChargingProfile', { status: 'Accepted' });
    await client.setChargingProfile({
      stationId: cs.id,
      evseId: 1,
      profile: absolute(301, P.CHARGING_PROFILE_PURPOSE_TX_PROFILE, 10, { transactionId: tx.transactionId }),
    });
    await client.setChargingProfile({
      stationId: cs.id,
      evseId: 1,
      profile: absolute(302, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 16),
    });
    expect(await storedIds(cs.id)).toEqual([301, 302]);
    await tx.event('ChargingStateChanged', { info: { chargingState: 'SuspendedEV' } });
    expect(await storedIds(cs.id)).toEqual([301, 302]);
    await tx.evDisconnected();
    expect(await storedIds(cs.id)).toEqual([302]);
  });
});

describe('TC_066_CSMS: Get Composite Schedule', () => {
  it('sends GetCompositeSchedule.req and returns the typed schedule', async () => {
    const cp = await booted16Station();
    const scheduleStart = NOW.toISOString();
    cp.respond('GetCompositeSchedule', {
      status: 'Accepted',
      connectorId: 1,
      scheduleStart,
      chargingSchedule: {
        duration: 300,
        startSchedule: scheduleStart,
        chargingRateUnit: 'W',
        chargingSchedulePeriod: [
          { startPeriod: 0, limit: 10000, numberPhases: 3 },
          { startPeriod: 120, limit: 6000.5 },
        ],
      },
    });
    const answer = await client.getCompositeSchedule({
      stationId: cp.id,
      evseId: 1,
      durationSeconds: 300,
      chargingRateUnit: U.CHARGING_RATE_UNIT_W,
    });
    expect(cp.requests('GetCompositeSchedule')).toEqual([
      { connectorId: 1, duration: 300, chargingRateUnit: 'W' },
    ]);
    const schedule = {
      evseId: 1,
      scheduleStart: NOW,
      duration: 300,
      chargingRateUnit: U.CHARGING_RATE_UNIT_W,
      periods: [
        { startPeriod: 0, limit: 10000, numberPhases: 3 },
        { startPeriod: 120, limit: 6000.5 },
      ],
    };
    // OCPP 1.6 has no external limits: the limited schedule is the station's.
    expect(answer).toEqual({
      status: CS.COMPOSITE_SCHEDULE_STATUS_ACCEPTED,
      schedule,
      statusInfo: undefined,
      externalLimits: [],
      limitedSchedule: schedule,
    });
  });
});

describe('TC_067_CSMS: Clear Charging Profile', () => {
  it('sets three profiles, clears one by id, one by criteria, then all; the store follows', async () => {
    const cp = await booted16Station();
    cp.respond('SetChargingProfile', { status: 'Accepted' });
    cp.respond('ClearChargingProfile', { status: 'Accepted' });
    for (const [id, stackLevel] of [
      [201, 1],
      [202, 2],
      [203, 3],
    ] as const) {
      const profile = absolute(id, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 16, { stackLevel });
      expect((await client.setChargingProfile({ stationId: cp.id, evseId: 1, profile })).status).toBe(
        S.CHARGING_PROFILE_STATUS_ACCEPTED,
      );
    }
    expect(
      cp.requests('SetChargingProfile').map((r) => [r.connectorId, r.csChargingProfiles.stackLevel]),
    ).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    expect(await storedIds(cp.id)).toEqual([201, 202, 203]);

    const byId = await client.clearChargingProfile({ stationId: cp.id, profileId: 201 });
    expect(byId.status).toBe(C.CLEAR_CHARGING_PROFILE_STATUS_ACCEPTED);
    expect(await storedIds(cp.id)).toEqual([202, 203]);

    await client.clearChargingProfile({
      stationId: cp.id,
      evseId: 1,
      purpose: P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE,
      stackLevel: 2,
    });
    expect(await storedIds(cp.id)).toEqual([203]);

    await client.clearChargingProfile({ stationId: cp.id });
    expect(cp.requests('ClearChargingProfile')).toEqual([
      { id: 201 },
      { connectorId: 1, chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 2 },
      {},
    ]);
    expect(await storedIds(cp.id)).toEqual([]);
  });
});

describe('OCPP 1.6 smart charging errors', () => {
  it('does not store a profile the Charge Point rejects; a replacement by stack level and purpose replaces', async () => {
    const cp = await booted16Station();
    cp.respond('SetChargingProfile', { status: 'Accepted' });
    await client.setChargingProfile({
      stationId: cp.id,
      evseId: 0,
      profile: absolute(301, P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE, 32),
    });
    expect(cp.requests('SetChargingProfile')[0]?.csChargingProfiles.chargingProfilePurpose).toBe(
      'ChargePointMaxProfile',
    );
    // 1.6 §5.16.4: same stackLevel / purpose replaces the one the Charge Point had.
    await client.setChargingProfile({
      stationId: cp.id,
      evseId: 0,
      profile: absolute(302, P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE, 24),
    });
    expect(await storedIds(cp.id)).toEqual([302]);
    cp.respond('SetChargingProfile', { status: 'Rejected' });
    const rejected = await client.setChargingProfile({
      stationId: cp.id,
      evseId: 1,
      profile: absolute(303, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6),
    });
    expect(rejected.status).toBe(S.CHARGING_PROFILE_STATUS_REJECTED);
    expect(await storedIds(cp.id)).toEqual([302]);
  });

  it('answers FAILED_PRECONDITION STATION_CALL_ERROR for a CALLERROR, and UNAVAILABLE once the station left', async () => {
    const cp = await booted16Station();
    // No responder: ocpp-rpc answers CALLERROR NotImplemented.
    const callError = await rejection(
      client.setChargingProfile({
        stationId: cp.id,
        evseId: 1,
        profile: absolute(401, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 6),
      }),
    );
    expect([callError.code, callError.reason, callError.metadata.code]).toEqual([
      Status.FAILED_PRECONDITION,
      'STATION_CALL_ERROR',
      'NotImplemented',
    ]);
    expect(await storedIds(cp.id)).toEqual([]);
    await cp.close();
    const offline = await eventually(async () => {
      const error = await rejection(
        client.getCompositeSchedule({ stationId: cp.id, evseId: 0, durationSeconds: 60 }),
      );
      return error.code === Status.UNAVAILABLE && error;
    });
    expect(offline.reason).toBe('STATION_OFFLINE');
  });
});
