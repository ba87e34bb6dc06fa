/**
 * OCPP 2.0.1 Part 6 §3 (K Smart Charging), CSMS cases of K09 Get Charging Profiles with each kind of criterion
 * (TC_K_31 to TC_K_36) and of K05 Remote start with a charging profile (TC_K_37): a whole embedded CSMS on
 * PostgreSQL, real gRPC servers and clients (SmartChargingService; the typed command API
 * csms.ocpp201.v1.Ocpp201Service for RequestStartTransaction) and a real OCPP 2.0.1 station (ocpp-rpc, strict
 * mode: it validates every CALL against the OCA schemas).
 *
 * The CSMS sends the GetChargingProfilesRequest when the operator asks for the station's view
 * (SmartChargingService/GetChargingProfiles, CHARGING_PROFILES_VIEW_STATION); the test checks the request the OCTT
 * received (the tool validations of step 1), answers every ReportChargingProfilesRequest (steps 3-4) and reads
 * the report the CSMS returns, compared with the profiles it installed.
 */
import { Status } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import { Tx201 } from '../support/octt-states.js';
import { addIdToken } from '../support/scenario.js';
import {
  P,
  booted201Station,
  client,
  csms,
  storedIds,
  useSmartChargingApi,
} from '../support/smart-charging-api.js';
import {
  G,
  L,
  R,
  STATION_VIEW,
  askStation,
  generated,
  installed,
  ocpp201,
  part,
  setStored,
  summary,
  useOcpp201Commands,
} from '../support/smart-charging-reports.js';

useSmartChargingApi();
useOcpp201Commands();

const { CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE: TX_DEFAULT } = P;

describe('TC_K_31_CSMS: Get Charging Profile - No EvseId', () => {
  it('asks for every installed profile without evseId and reads the report of every EVSE (K09.FR.03, K09.FR.06)', async () => {
    const cs = await booted201Station();
    await setStored(cs, 0, 3100, P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE);
    await setStored(cs, 1, 3101, TX_DEFAULT);
    await setStored(cs, 2, 3102, TX_DEFAULT);

    // Steps 1-4, repeated per EVSE: the OCTT reports EVSE 0, 1 and 2, tbc true until the last.
    const { request, report } = await askStation(cs, {}, (requestId) => [
      part(requestId, 0, [installed(cs, 3100)], true),
      part(requestId, 1, [installed(cs, 3101)], true),
      part(requestId, 2, [generated(-3102, 'ChargingStationExternalConstraints')], false, 'EMS'),
    ]);
    // Tool validation of step 1: evseId omitted. K09.FR.03 needs a criterion: every charging limit source.
    expect(request).toEqual({
      requestId: report.requestId,
      chargingProfile: { chargingLimitSource: ['EMS', 'Other', 'SO', 'CSO'] },
    });
    expect(summary(report)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_ACCEPTED,
      complete: true,
      profiles: [
        [0, L.CHARGING_LIMIT_SOURCE_CSO, 3100, R.PROFILE_RECONCILIATION_INSTALLED_BY_CSMS],
        [1, L.CHARGING_LIMIT_SOURCE_CSO, 3101, R.PROFILE_RECONCILIATION_INSTALLED_BY_CSMS],
        [2, L.CHARGING_LIMIT_SOURCE_EMS, -3102, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS],
      ],
      // Asked for everything: the profile the CSMS set on EVSE 2 and the station did not report is missing.
      missing: [3102],
    });
    expect(await storedIds(cs.id)).toEqual([3100, 3101, 3102]);
  });
});

describe('TC_K_32_CSMS: Get Charging Profile - chargingProfileId', () => {
  it('asks for one profile by its id alone and reads the report (K09.FR.03)', async () => {
    const cs = await booted201Station();
    await setStored(cs, 1, 3201, TX_DEFAULT);
    await setStored(cs, 1, 3202, TX_DEFAULT, { stackLevel: 2 });
    const { request, report } = await askStation(cs, { chargingProfileIds: [3201] }, (requestId) => [
      part(requestId, 1, [installed(cs, 3201)]),
    ]);
    // Tool validation of step 1: chargingProfileId <received chargingProfileId> and requestId <Generated Id>.
    expect(request).toEqual({ requestId: report.requestId, chargingProfile: { chargingProfileId: [3201] } });
    expect(summary(report)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_ACCEPTED,
      complete: true,
      profiles: [[1, L.CHARGING_LIMIT_SOURCE_CSO, 3201, R.PROFILE_RECONCILIATION_INSTALLED_BY_CSMS]],
      // Only the asked id can be missing: 3202 was not asked for.
      missing: [],
    });
    // The CSMS view filters the same way.
    expect(await storedIds(cs.id, { chargingProfileIds: [3202, 9999] })).toEqual([3202]);
  });

  it('refuses ids together with other criteria before anything reaches the station (K09.FR.03)', async () => {
    const cs = await booted201Station();
    const error = await rejection(
      client.getChargingProfiles({
        stationId: cs.id,
        view: STATION_VIEW,
        chargingProfileIds: [1, 1],
        stackLevel: 0,
      }),
    );
    expect([error.code, error.violations.map((v) => v.field)]).toEqual([
      Status.INVALID_ARGUMENT,
      ['charging_profile_ids', 'charging_profile_ids'],
    ]);
    expect(cs.received).toEqual([]);
  });
});

describe('TC_K_33_CSMS: Get Charging Profile - EvseId > 0 + stackLevel', () => {
  it('asks for the profiles of one stack level on EVSE 1 and reads the report (K09.FR.04)', async () => {
    const cs = await booted201Station();
    await setStored(cs, 1, 3301, TX_DEFAULT, { stackLevel: 3 });
    await setStored(cs, 1, 3302, TX_DEFAULT, { stackLevel: 4 });
    const { request, report } = await askStation(cs, { evseId: 1, stackLevel: 3 }, (requestId) => [
      part(requestId, 1, [installed(cs, 3301), generated(9033, 'TxDefaultProfile', 3)]),
    ]);
    // Tool validation of step 1: evseId <Configured evseId> and chargingProfile.stackLevel <Configured stackLevel>.
    expect(request).toEqual({ requestId: report.requestId, evseId: 1, chargingProfile: { stackLevel: 3 } });
    expect(summary(report)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_ACCEPTED,
      complete: true,
      profiles: [
        [1, L.CHARGING_LIMIT_SOURCE_CSO, 3301, R.PROFILE_RECONCILIATION_INSTALLED_BY_CSMS],
        [1, L.CHARGING_LIMIT_SOURCE_CSO, 9033, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS],
      ],
      missing: [],
    });
  });
});

describe('TC_K_34_CSMS: Get Charging Profile - EvseId > 0 + chargingLimitSource', () => {
  it('asks for the profiles of one charging limit source on EVSE 1 and reads the report (K09.FR.04)', async () => {
    const cs = await booted201Station();
    // A profile the CSMS installed (CSO) on EVSE 1: not asked for, so not missing either.
    await setStored(cs, 1, 3401, TX_DEFAULT);
    const { request, report } = await askStation(
      cs,
      { evseId: 1, chargingLimitSources: [L.CHARGING_LIMIT_SOURCE_EMS] },
      (requestId) => [
        part(requestId, 1, [generated(-34, 'ChargingStationExternalConstraints')], false, 'EMS'),
      ],
    );
    // Tool validation of step 1: evseId <Configured evseId>, chargingLimitSource <Configured chargingLimitSource>.
    expect(request).toEqual({
      requestId: report.requestId,
      evseId: 1,
      chargingProfile: { chargingLimitSource: ['EMS'] },
    });
    expect(summary(report)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_ACCEPTED,
      complete: true,
      profiles: [[1, L.CHARGING_LIMIT_SOURCE_EMS, -34, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS]],
      missing: [],
    });
    // The CSMS installs as the CSO: its own view has nothing from the EMS.
    expect(await storedIds(cs.id, { chargingLimitSources: [L.CHARGING_LIMIT_SOURCE_EMS] })).toEqual([]);
    expect(await storedIds(cs.id, { chargingLimitSources: [L.CHARGING_LIMIT_SOURCE_CSO] })).toEqual([3401]);
  });
});

describe('TC_K_35_CSMS: Get Charging Profile - EvseId > 0 + chargingProfilePurpose', () => {
  it('asks for the profiles of one purpose on EVSE 1 and reads the report (K09.FR.04)', async () => {
    const cs = await booted201Station();
    await setStored(cs, 1, 3501, TX_DEFAULT);
    await setStored(cs, 2, 3502, TX_DEFAULT);
    const { request, report } = await askStation(cs, { evseId: 1, purpose: TX_DEFAULT }, (requestId) => [
      part(requestId, 1, [installed(cs, 3501)]),
    ]);
    // Tool validation of step 1: evseId <Configured evseId>, chargingProfilePurpose <Configured purpose>.
    expect(request).toEqual({
      requestId: report.requestId,
      evseId: 1,
      chargingProfile: { chargingProfilePurpose: 'TxDefaultProfile' },
    });
    expect(summary(report)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_ACCEPTED,
      complete: true,
      profiles: [[1, L.CHARGING_LIMIT_SOURCE_CSO, 3501, R.PROFILE_RECONCILIATION_INSTALLED_BY_CSMS]],
      missing: [],
    });
  });
});

describe('TC_K_36_CSMS: Get Charging Profile - EvseId > 0 + chargingProfilePurpose + stackLevel', () => {
  it('asks for the profiles of one purpose and stack level on EVSE 1; an unreported one is missing', async () => {
    const cs = await booted201Station();
    await setStored(cs, 1, 3601, TX_DEFAULT, { stackLevel: 2 });
    await setStored(cs, 1, 3602, TX_DEFAULT, { stackLevel: 5 });
    const { request, report } = await askStation(
      cs,
      { evseId: 1, purpose: TX_DEFAULT, stackLevel: 2 },
      (requestId) => [part(requestId, 1, [generated(9036, 'TxDefaultProfile', 2)])],
    );
    // Tool validation of step 1: evseId, chargingProfilePurpose and stackLevel as configured.
    expect(request).toEqual({
      requestId: report.requestId,
      evseId: 1,
      chargingProfile: { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 2 },
    });
    expect(summary(report)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_ACCEPTED,
      complete: true,
      profiles: [[1, L.CHARGING_LIMIT_SOURCE_CSO, 9036, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS]],
      // 3601 matches the criteria and was not reported; 3602 is on another stack level.
      missing: [3601],
    });
  });
});

describe('TC_K_37_CSMS: Remote start transaction with charging profile - Success', () => {
  it('sends RequestStartTransactionRequest with a Relative TxProfile without transactionId; accepts the RemoteStart event (K05.FR.02, F01.FR.08-11)', async () => {
    const cs = await booted201Station();
    const idToken: V201.IdTokenType = {
      idToken: await addIdToken(csms, 'SCK37', { type: 'ISO14443' }),
      type: 'ISO14443',
    };
    const chargingProfile: V201.ChargingProfileType = {
      id: 3701,
      stackLevel: 0,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: [
        { id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
      ],
    };
    // Steps 1-2.
    cs.respond('RequestStartTransaction', { status: 'Accepted' });
    const answer = await ocpp201.requestStartTransaction({
      stationId: cs.id,
      payload: { idToken, remoteStartId: 37, evseId: 1, chargingProfile },
    });
    expect(answer.payload).toMatchObject({ status: 'Accepted' });
    // Tool validation of step 1: idToken, evseId, a Relative TxProfile without transactionId.
    expect(cs.requests('RequestStartTransaction')).toEqual([
      { idToken, remoteStartId: 37, evseId: 1, chargingProfile },
    ]);
    // Steps 3-4: the station starts the transaction with triggerReason RemoteStart and the remoteStartId.
    const tx = new Tx201(cs, { idToken });
    expect(
      await tx.event('RemoteStart', {
        idToken,
        evse: { id: 1, connectorId: 1 },
        info: { remoteStartId: 37 },
      }),
    ).toEqual({ idTokenInfo: { status: 'Accepted' } });
    const row = await csms.database.db
      .selectFrom('transactions')
      .select(['remote_start_id', 'id_token'])
      .where('station_id', '=', cs.id)
      .where('transaction_id', '=', tx.transactionId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ remote_start_id: 37, id_token: idToken.idToken });
  });
});
