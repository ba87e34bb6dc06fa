/**
 * OCPP 2.0.1 Part 6 §3 (K Smart Charging), CSMS cases around K09 Get Charging Profiles and K10 Clear Charging
 * Profile: a whole embedded CSMS on PostgreSQL, real gRPC servers and clients (the SmartChargingService, and the
 * typed command API csms.ocpp201.v1.Ocpp201Service for GetChargingProfiles) and a real OCPP 2.0.1 station
 * (ocpp-rpc, strict mode: it validates every CALL against the OCA schemas).
 *
 * The OCTT's ReportChargingProfilesRequests are answered with an empty ReportChargingProfilesResponse and stored
 * as reported; the operator reads them through SmartChargingService/GetChargingProfiles with the station's view
 * (CHARGING_PROFILES_VIEW_STATION), either asking the station there (TC_K_29_CSMS, TC_K_05_CSMS) or reading the
 * report of a request sent through the typed command API (TC_K_30_CSMS).
 */
import { Status } from '@csms/grpc';
import { createValidator, type V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import { Tx201 } from '../support/octt-states.js';
import { addIdToken, type Station201 } from '../support/scenario.js';
import {
  C,
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
  storedReport,
  summary,
  useOcpp201Commands,
} from '../support/smart-charging-reports.js';

useSmartChargingApi();
useOcpp201Commands();

/**
 * Steps 1-2 of K09 as the OCTT plays them: the CSMS sends GetChargingProfilesRequest (typed API) with `request`,
 * the station answers `status`. Returns the typed answer's payload.
 */
async function getChargingProfiles(
  cs: Station201,
  request: V201.GetChargingProfilesRequest,
  status: V201.GetChargingProfilesResponse['status'] = 'Accepted',
) {
  cs.respond('GetChargingProfiles', { status });
  const answer = await ocpp201.getChargingProfiles({ stationId: cs.id, payload: request });
  expect(answer.queued).toBeUndefined();
  return answer.payload;
}

/** The ReportChargingProfilesRequest the OCTT sends after accepting a GetChargingProfilesRequest (K09.FR.01). */
function report(requestId: number, evseId: number, id: number): V201.ReportChargingProfilesRequest {
  const purpose = evseId === 0 ? 'ChargingStationMaxProfile' : 'TxDefaultProfile';
  return { ...part(requestId, evseId, [generated(id, purpose)]), tbc: false };
}

describe('TC_K_29_CSMS: Get Charging Profile - EvseId 0', () => {
  it('asks for the profiles on EVSE 0 with only the purpose as criterion and reads the report (K09.FR.03, K09.FR.05)', async () => {
    const cs = await booted201Station();
    // Charging State EnergyTransferStarted.
    const idToken: V201.IdTokenType = {
      idToken: await addIdToken(csms, 'SCK29', { type: 'ISO14443' }),
      type: 'ISO14443',
    };
    await new Tx201(cs, { idToken }).energyTransferStarted();
    await setStored(cs, 0, 2901, P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE);

    // Steps 1-4: the OCTT accepts and reports in two parts, each answered with a ReportChargingProfilesResponse.
    const { request, report } = await askStation(
      cs,
      { evseId: 0, purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE },
      (requestId) => [
        part(requestId, 0, [installed(cs, 2901)], true),
        part(requestId, 0, [generated(9029, 'ChargingStationMaxProfile')]),
      ],
    );
    // Tool validation of step 1 (errata 2025-09): evseId 0, chargingProfilePurpose, and stackLevel,
    // chargingLimitSource and chargingProfileId omitted.
    expect(request).toEqual({
      requestId: report.requestId,
      evseId: 0,
      chargingProfile: { chargingProfilePurpose: 'ChargingStationMaxProfile' },
    });
    expect(await storedReport(cs, request.requestId)).toEqual([
      [0, 'CSO', 2901, true],
      [0, 'CSO', 9029, false],
    ]);
    expect(summary(report)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_ACCEPTED,
      complete: true,
      profiles: [
        [0, L.CHARGING_LIMIT_SOURCE_CSO, 2901, R.PROFILE_RECONCILIATION_INSTALLED_BY_CSMS],
        [0, L.CHARGING_LIMIT_SOURCE_CSO, 9029, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS],
      ],
      missing: [],
    });
    // The profile the station reports as the CSMS's is the one the CSMS lists; the other stays in the report only.
    const [own] = (await client.getChargingProfiles({ stationId: cs.id })).profiles;
    expect(report.profiles[0]!.profile).toEqual(own!.profile);
    expect(await storedIds(cs.id)).toEqual([2901]);
  });
});

describe('TC_K_30_CSMS: Get Charging Profile - EvseId > 0', () => {
  it('sends GetChargingProfilesRequest for EVSE 1 (command API) and reads the report of its requestId', async () => {
    const cs = await booted201Station();
    await setStored(cs, 1, 3001, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE);
    const request: V201.GetChargingProfilesRequest = {
      requestId: 30,
      evseId: 1,
      chargingProfile: { chargingProfilePurpose: 'TxDefaultProfile' },
    };
    // Steps 1-2; tool validation of step 1: evseId <Configured evseId>.
    expect(await getChargingProfiles(cs, request)).toEqual({ status: 'Accepted' });
    expect(cs.requests('GetChargingProfiles')).toEqual([request]);
    // Steps 3-4.
    expect(await cs.call('ReportChargingProfiles', part(30, 1, [installed(cs, 3001)]))).toEqual({});
    expect(await storedReport(cs, 30)).toEqual([[1, 'CSO', 3001, false]]);

    // Reading the report of requestId 30 sends nothing to the station.
    const { stationReport } = await client.getChargingProfiles({
      stationId: cs.id,
      evseId: 1,
      purpose: P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE,
      view: STATION_VIEW,
      requestId: 30,
    });
    expect(stationReport?.requestId).toBe(30);
    expect(summary(stationReport)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_UNSPECIFIED,
      complete: true,
      profiles: [[1, L.CHARGING_LIMIT_SOURCE_CSO, 3001, R.PROFILE_RECONCILIATION_INSTALLED_BY_CSMS]],
      missing: [],
    });
    expect(cs.requests('GetChargingProfiles')).toHaveLength(1);
    expect(await storedIds(cs.id)).toEqual([3001]);
  });

  it('reads NoProfiles: the station reports nothing, and the profile the CSMS set on that EVSE is missing', async () => {
    const cs = await booted201Station();
    await setStored(cs, 1, 3002, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE);
    cs.respond('GetChargingProfiles', { status: 'NoProfiles' });
    const { stationReport } = await client.getChargingProfiles({
      stationId: cs.id,
      evseId: 1,
      purpose: P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE,
      view: STATION_VIEW,
    });
    expect(summary(stationReport)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_NO_PROFILES,
      complete: true,
      profiles: [],
      missing: [3002],
    });
    expect(cs.requests('GetChargingProfiles')).toEqual([
      {
        requestId: stationReport!.requestId,
        evseId: 1,
        chargingProfile: { chargingProfilePurpose: 'TxDefaultProfile' },
      },
    ]);
    // The CSMS's store is what the station accepted from the CSMS, not what it reports.
    expect(await storedIds(cs.id)).toEqual([3002]);
  });
});

describe('TC_K_05_CSMS: Clear Charging Profile - With chargingProfileId', () => {
  it('learns the OCTT-generated chargingProfileId from its report and clears that profile by id alone (K10.FR.02)', async () => {
    const cs = await booted201Station();
    await setStored(cs, 0, 501, P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE);
    // Memory State: the CSMS sends a GetChargingProfilesRequest, the OCTT accepts and sends a
    // ReportChargingProfilesRequest with a profile it generated, the CSMS responds.
    const { report } = await askStation(
      cs,
      { purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE },
      (requestId) => [part(requestId, 0, [generated(9005, 'ChargingStationMaxProfile')])],
    );
    expect(summary(report)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_ACCEPTED,
      complete: true,
      profiles: [[0, L.CHARGING_LIMIT_SOURCE_CSO, 9005, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS]],
      missing: [501],
    });
    expect(await storedReport(cs, report.requestId)).toEqual([[0, 'CSO', 9005, false]]);
    const generatedId = report.profiles.find(
      (p) => p.reconciliation === R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS,
    )!.profile!.id;

    // Steps 1-2: chargingProfileId <Generated chargingProfileId>, chargingProfileCriteria omitted.
    cs.respond('ClearChargingProfile', { status: 'Accepted' });
    const answer = await client.clearChargingProfile({ stationId: cs.id, profileId: generatedId });
    expect(answer).toEqual({ status: C.CLEAR_CHARGING_PROFILE_STATUS_ACCEPTED, statusInfo: undefined });
    expect(cs.requests('ClearChargingProfile')).toEqual([{ chargingProfileId: 9005 }]);
    // The profiles the CSMS installed never included it: unchanged.
    expect(await storedIds(cs.id)).toEqual([501]);
  });

  it('deletes a stored profile cleared by id only when the station answers Accepted', async () => {
    const cs = await booted201Station();
    await setStored(cs, 0, 501, P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE);
    await setStored(cs, 1, 502, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE);
    cs.respond('ClearChargingProfile', { status: 'Unknown' });
    const unknown = await client.clearChargingProfile({ stationId: cs.id, profileId: 501 });
    expect(unknown.status).toBe(C.CLEAR_CHARGING_PROFILE_STATUS_UNKNOWN);
    expect(await storedIds(cs.id)).toEqual([501, 502]);
    cs.respond('ClearChargingProfile', { status: 'Accepted' });
    expect((await client.clearChargingProfile({ stationId: cs.id, profileId: 501 })).status).toBe(
      C.CLEAR_CHARGING_PROFILE_STATUS_ACCEPTED,
    );
    expect(cs.requests('ClearChargingProfile')).toEqual([
      { chargingProfileId: 501 },
      { chargingProfileId: 501 },
    ]);
    expect(await storedIds(cs.id)).toEqual([502]);
  });
});

describe('OCPP 2.0.1 F01.FR.09, F01.FR.11, K05.FR.02: the charging profile of a RequestStartTransactionRequest', () => {
  it('is refused before it reaches the station unless it is a TxProfile without transactionId', async () => {
    const cs = await booted201Station();
    cs.respond('RequestStartTransaction', { status: 'Accepted' });
    const chargingProfile: V201.ChargingProfileType = {
      id: 3701,
      stackLevel: 0,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Relative',
      transactionId: 'TX-3701',
      chargingSchedule: [
        { id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
      ],
    };
    const error = await rejection(
      ocpp201.requestStartTransaction({
        stationId: cs.id,
        payload: {
          idToken: { idToken: 'SC-K37', type: 'ISO14443' },
          remoteStartId: 1,
          evseId: 1,
          chargingProfile,
        },
      }),
    );
    expect([error.code, error.violations.map((v) => v.field)]).toEqual([
      Status.INVALID_ARGUMENT,
      ['payload.charging_profile.charging_profile_purpose', 'payload.charging_profile.transaction_id'],
    ]);
    expect(cs.received).toEqual([]);
  });
});

describe('ReportChargingProfiles (K09; OCTT K_05 Memory State, K_29 and K_30 steps 3-4)', () => {
  it('the reports the OCTT sends are valid OCPP 2.0.1', () => {
    const validator = createValidator();
    expect(validator.validateRequest('ocpp2.0.1', 'ReportChargingProfiles', report(29, 0, 9029))).toBe(
      undefined,
    );
    expect(validator.validateRequest('ocpp2.0.1', 'ReportChargingProfiles', report(30, 1, 9030))).toBe(
      undefined,
    );
  });

  it('is answered with a ReportChargingProfilesResponse after an accepted GetChargingProfilesRequest, and stored', async () => {
    const cs = await booted201Station();
    await getChargingProfiles(cs, {
      requestId: 29,
      evseId: 0,
      chargingProfile: { chargingProfilePurpose: 'ChargingStationMaxProfile' },
    });
    expect(await cs.call('ReportChargingProfiles', report(29, 0, 9029))).toEqual({});
    expect(await storedReport(cs, 29)).toEqual([[0, 'CSO', 9029, false]]);
    // Kept as reported, not added to the profiles the CSMS installed.
    expect(await storedIds(cs.id)).toEqual([]);
  });
});
