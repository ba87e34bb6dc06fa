/**
 * csms.smart_charging.v1.SmartChargingService against a whole embedded CSMS on PostgreSQL: real gRPC server and
 * client, real OCPP 1.6 and 2.0.1 stations (ocpp-rpc, strict mode: they validate every CALL against the OCA
 * schemas) through the edge and their actors. Checks the exact payloads the stations receive and what the CSMS
 * stores.
 */
import {
  connectApi,
  smartChargingV1 as api,
  startApiServer,
  Status,
  type ApiClient,
  type ApiConnection,
  type ApiServer,
} from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { createSmartChargingService } from '@csms/smart-charging';
import { createLogger } from '@csms/telemetry';
import { createRPCError } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201, charging16, Tx201 } from '../support/octt-states.js';
import {
  addIdToken,
  connect16,
  connect201,
  eventually,
  uniqueId,
  type Station16,
  type Station201,
} from '../support/scenario.js';
import { rejection } from '../support/grpc-rejection.js';

const {
  ChargingProfilePurpose: P,
  ChargingProfileKind: K,
  ChargingRateUnit: U,
  RecurrencyKind: R,
  ChargingProfileStatus: S,
  ClearChargingProfileStatus: C,
  CompositeScheduleStatus: CS,
} = api;

let csms: TestCsms;
let server: ApiServer;
let connection: ApiConnection;
let client: ApiClient<typeof api.SmartChargingServiceDefinition>;

beforeAll(async () => {
  csms = await startTestCsms({ database: 'postgres' });
  const logger = createLogger({ service: 'smart-charging-api-test', level: 'silent' });
  server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [
    createSmartChargingService({ db: csms.database.db, stations: csms.stations, logger }),
  ]);
  connection = connectApi({ address: `127.0.0.1:${server.port}` });
  client = connection.client(api.SmartChargingServiceDefinition);
});
afterAll(async () => {
  connection.close();
  await server.stop();
  await csms.close();
});

async function booted16Station(): Promise<Station16> {
  const cp = await connect16(csms, { id: uniqueId('SC16') });
  expect((await booted16(cp, 2)).status).toBe('Accepted');
  return cp;
}

async function booted201Station(): Promise<Station201> {
  const cs = await connect201(csms, { id: uniqueId('SC201') });
  expect(
    (
      await booted201(cs, [
        [1, 1],
        [2, 1],
      ])
    ).status,
  ).toBe('Accepted');
  return cs;
}

async function storedIds(stationId: string, filter: Partial<api.GetChargingProfilesRequest> = {}) {
  const { profiles } = await client.getChargingProfiles({ stationId, ...filter });
  return profiles.map((p) => p.profile!.id);
}

// Whole seconds, as a station echoes them; the OCTT's "now" and "now + duration".
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const LATER = new Date(NOW.getTime() + 3_600_000);

/** An Absolute profile with one schedule of one period, as the OCTT cases configure it. */
function absolute(
  id: number,
  purpose: api.ChargingProfilePurpose,
  limit: number,
  overrides: Partial<api.ChargingProfile> = {},
): api.ChargingProfile {
  return {
    id,
    stackLevel: 1,
    purpose,
    kind: K.CHARGING_PROFILE_KIND_ABSOLUTE,
    recurrencyKind: R.RECURRENCY_KIND_UNSPECIFIED,
    validFrom: NOW,
    validTo: LATER,
    schedules: [
      {
        startSchedule: NOW,
        duration: 3600,
        chargingRateUnit: U.CHARGING_RATE_UNIT_A,
        periods: [{ startPeriod: 0, limit, numberPhases: 1 }],
      },
    ],
    ...overrides,
  };
}

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
    expect(answer).toEqual({
      status: CS.COMPOSITE_SCHEDULE_STATUS_ACCEPTED,
      schedule: {
        evseId: 1,
        scheduleStart: NOW,
        duration: 300,
        chargingRateUnit: U.CHARGING_RATE_UNIT_W,
        periods: [
          { startPeriod: 0, limit: 10000, numberPhases: 3 },
          { startPeriod: 120, limit: 6000.5 },
        ],
      },
      statusInfo: undefined,
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
    expect(answer).toEqual({
      status: CS.COMPOSITE_SCHEDULE_STATUS_ACCEPTED,
      schedule: {
        evseId: 1,
        scheduleStart: NOW,
        duration: 300,
        chargingRateUnit: U.CHARGING_RATE_UNIT_A,
        periods: [{ startPeriod: 0, limit: 10 }],
      },
      statusInfo: undefined,
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
