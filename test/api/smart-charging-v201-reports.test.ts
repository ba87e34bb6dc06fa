/**
 * csms.smart_charging.v1.SmartChargingService/GetChargingProfiles with the station's view (OCPP 2.0.1 K09): a whole
 * embedded CSMS on PostgreSQL, real gRPC server and client, real OCPP 1.6 and 2.0.1 stations (ocpp-rpc, strict
 * mode). Checks the GetChargingProfilesRequest the station receives, how its ReportChargingProfilesRequests are
 * compared with the profiles the CSMS installed, the bounded wait, and that a report never changes that set.
 */
import { findChargingProfilesReport } from '@csms/db';
import { smartChargingV1 as api, Status } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import { eventually, type Station201 } from '../support/scenario.js';
import {
  NOW,
  P,
  S,
  absolute,
  booted16Station,
  booted201Station,
  client,
  csms,
  storedIds,
  useSmartChargingApi,
} from '../support/smart-charging-api.js';

useSmartChargingApi();

const {
  ChargingLimitSource: L,
  GetChargingProfilesStatus: G,
  ProfileReconciliation: R,
  ChargingProfilesView: { CHARGING_PROFILES_VIEW_STATION: STATION_VIEW },
} = api;

async function setStored(cs: Station201, evseId: number, profile: api.ChargingProfile): Promise<void> {
  cs.respond('SetChargingProfile', { status: 'Accepted' });
  const answer = await client.setChargingProfile({ stationId: cs.id, evseId, profile });
  expect(answer.status).toBe(S.CHARGING_PROFILE_STATUS_ACCEPTED);
}

/** The 2.0.1 profile the station accepted with id `id`, as it reports it. */
function installed(cs: Station201, id: number): V201.ChargingProfileType {
  return cs.requests('SetChargingProfile').find((r) => r.chargingProfile.id === id)!.chargingProfile;
}

function external(id: number): V201.ChargingProfileType {
  return {
    id,
    stackLevel: 0,
    chargingProfilePurpose: 'ChargingStationExternalConstraints',
    chargingProfileKind: 'Absolute',
    chargingSchedule: [
      {
        id: 1,
        startSchedule: NOW.toISOString(),
        chargingRateUnit: 'W',
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }],
      },
    ],
  };
}

function part(
  requestId: number,
  evseId: number,
  chargingLimitSource: V201.ChargingLimitSourceEnumType,
  chargingProfile: V201.ChargingProfileType[],
  tbc = false,
): V201.ReportChargingProfilesRequest {
  return { requestId, chargingLimitSource, evseId, chargingProfile, tbc };
}

/** Starts GetChargingProfiles with the station's view; resolves with it and the request the station received. */
async function ask(cs: Station201, request: Partial<api.GetChargingProfilesRequest> = {}) {
  cs.respond('GetChargingProfiles', { status: 'Accepted' });
  const asked = cs.requests('GetChargingProfiles').length;
  const pending = client.getChargingProfiles({ stationId: cs.id, ...request, view: STATION_VIEW });
  pending.catch(() => undefined); // awaited by the caller
  const received = await eventually(() => cs.requests('GetChargingProfiles')[asked], 20_000);
  return { pending, received };
}

const summary = (r: api.StationChargingProfilesReport | undefined) =>
  r && {
    status: r.status,
    complete: r.complete,
    profiles: r.profiles.map((p) => [p.evseId, p.chargingLimitSource, p.profile?.id, p.reconciliation]),
    missing: r.missingProfileIds,
  };

describe('GetChargingProfiles, station view (OCPP 2.0.1 K09)', () => {
  it('asks for every source without other criteria and tells the CSMS’s profiles from the others (K09.FR.03)', async () => {
    const cs = await booted201Station();
    await setStored(cs, 0, absolute(41, P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE, 32));
    await setStored(cs, 1, absolute(42, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 16));
    await setStored(cs, 2, absolute(43, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 16));
    await setStored(
      cs,
      1,
      absolute(44, P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 16, { stackLevel: 2 }),
    );
    const { pending, received } = await ask(cs);
    expect(received).toEqual({
      requestId: received.requestId,
      chargingProfile: { chargingLimitSource: ['EMS', 'Other', 'SO', 'CSO'] },
    });
    const id = received.requestId;
    const limited = structuredClone(installed(cs, 42));
    limited.chargingSchedule[0]!.chargingSchedulePeriod[0]!.limit = 10; // changed locally
    // One part per EVSE and source (K09 remarks), tbc on all but the last (K09.FR.02).
    for (const p of [
      part(id, 0, 'CSO', [installed(cs, 41)], true),
      part(id, 0, 'EMS', [external(-7)], true),
      part(id, 1, 'CSO', [limited, { ...installed(cs, 43), id: 45 }], true),
      part(id, 2, 'CSO', [installed(cs, 44)], false),
    ])
      expect(await cs.call('ReportChargingProfiles', p)).toEqual({});
    const { stationReport, profiles } = await pending;
    expect(profiles).toEqual([]);
    expect(stationReport?.requestId).toBe(id);
    expect(summary(stationReport)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_ACCEPTED,
      complete: true,
      profiles: [
        [0, L.CHARGING_LIMIT_SOURCE_CSO, 41, R.PROFILE_RECONCILIATION_INSTALLED_BY_CSMS],
        [0, L.CHARGING_LIMIT_SOURCE_EMS, -7, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS],
        [1, L.CHARGING_LIMIT_SOURCE_CSO, 42, R.PROFILE_RECONCILIATION_DIFFERS_FROM_CSMS],
        [1, L.CHARGING_LIMIT_SOURCE_CSO, 45, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS],
        // The CSMS set 44 on EVSE 1; the station has it on EVSE 2.
        [2, L.CHARGING_LIMIT_SOURCE_CSO, 44, R.PROFILE_RECONCILIATION_DIFFERS_FROM_CSMS],
      ],
      // 43 is not reported.
      missing: [43],
    });
    const [, externalProfile, differs] = stationReport!.profiles;
    expect(externalProfile!.profile).toMatchObject({
      id: -7,
      purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_EXTERNAL_CONSTRAINTS,
    });
    expect(differs!.profile!.schedules[0]!.periods).toEqual([{ startPeriod: 0, limit: 10, numberPhases: 1 }]);
    for (const p of stationReport!.profiles) expect(p.receiveTime).toBeInstanceOf(Date);
    // Reports never change the profiles the CSMS installed.
    expect(await storedIds(cs.id)).toEqual([41, 42, 43, 44]);
    const [own] = (await client.getChargingProfiles({ stationId: cs.id, evseId: 1, stackLevel: 1 })).profiles;
    expect(own!.profile!.schedules[0]!.periods[0]!.limit).toBe(16);
  });

  it('returns what arrived when the wait ends first (complete false); the report is read whole later by request_id', async () => {
    const cs = await booted201Station();
    // The station sends its first part before it answers, so that the part is stored before the wait starts
    // however loaded the machine is; the last part comes only after the wait ended.
    cs.respond('GetChargingProfiles', async (request) => {
      await cs.call('ReportChargingProfiles', part(request.requestId, 0, 'SO', [external(-1)], true));
      return { status: 'Accepted' };
    });
    const early = (
      await client.getChargingProfiles({
        stationId: cs.id,
        evseId: 0,
        stackLevel: 0,
        view: STATION_VIEW,
        reportWaitSeconds: 1,
      })
    ).stationReport;
    const [received] = cs.requests('GetChargingProfiles');
    expect(received).toEqual({ requestId: early?.requestId, evseId: 0, chargingProfile: { stackLevel: 0 } });
    const id = received!.requestId;
    expect(summary(early)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_ACCEPTED,
      complete: false,
      profiles: [[0, L.CHARGING_LIMIT_SOURCE_SO, -1, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS]],
      missing: [],
    });
    expect(await cs.call('ReportChargingProfiles', part(id, 0, 'Other', [external(-2)]))).toEqual({});
    const whole = await client.getChargingProfiles({
      stationId: cs.id,
      view: STATION_VIEW,
      requestId: id,
      reportWaitSeconds: 0,
    });
    expect(summary(whole.stationReport)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_UNSPECIFIED,
      complete: true,
      profiles: [
        [0, L.CHARGING_LIMIT_SOURCE_SO, -1, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS],
        [0, L.CHARGING_LIMIT_SOURCE_OTHER, -2, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS],
      ],
      missing: [],
    });
    expect(cs.requests('GetChargingProfiles')).toHaveLength(1);
    const stored = await findChargingProfilesReport(csms.database.db, cs.id, id);
    expect(stored.profiles.map((p) => [p.charging_limit_source, p.profile_id, p.tbc])).toEqual([
      ['SO', -1, true],
      ['Other', -2, false],
    ]);
    // A requestId nothing was reported for: an empty, incomplete report once the wait is over.
    const none = await client.getChargingProfiles({
      stationId: cs.id,
      view: STATION_VIEW,
      requestId: id + 1,
      reportWaitSeconds: 0,
    });
    expect(summary(none.stationReport)).toMatchObject({ complete: false, profiles: [], missing: [] });
  });

  it('refuses paging with the station view, its fields with the CSMS view, and OCPP 1.6 stations', async () => {
    const cs = await booted201Station();
    const fields = async (request: Partial<api.GetChargingProfilesRequest>) => {
      const error = await rejection(client.getChargingProfiles({ stationId: cs.id, ...request }));
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      return error.violations.map((v) => v.field);
    };
    expect(await fields({ view: STATION_VIEW, pageSize: 10, pageToken: 'x' })).toEqual([
      'page_size',
      'page_token',
    ]);
    expect(await fields({ view: STATION_VIEW, reportWaitSeconds: 121 })).toEqual(['report_wait_seconds']);
    expect(await fields({ requestId: 1, reportWaitSeconds: 1 })).toEqual([
      'request_id',
      'report_wait_seconds',
    ]);
    expect(await fields({ view: 9 as api.ChargingProfilesView })).toEqual(['view']);
    expect(cs.received).toEqual([]);

    const cp = await booted16Station();
    const error = await rejection(client.getChargingProfiles({ stationId: cp.id, view: STATION_VIEW }));
    expect([error.code, error.reason]).toEqual([Status.FAILED_PRECONDITION, 'OCPP_VERSION_UNSUPPORTED']);
    expect(cp.received).toEqual([]);
  });
});
