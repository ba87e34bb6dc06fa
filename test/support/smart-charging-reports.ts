/**
 * Steps shared by the OCPP 2.0.1 smart charging scenario tests (`test/scenarios/v201-smart-charging*.test.ts`,
 * `v201-external-limits.test.ts`) on top of {@link useSmartChargingApi}: the typed command API
 * (csms.ocpp201.v1.Ocpp201Service) on its own gRPC server, profiles the CSMS stores, and the OCTT's side of K09
 * (GetChargingProfilesRequest answered, ReportChargingProfilesRequests sent).
 */
import { findChargingProfilesReport } from '@csms/db';
import {
  connectApi,
  ocpp201V1,
  smartChargingV1,
  startApiServer,
  type ApiClient,
  type ApiConnection,
  type ApiServer,
} from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { createOcpp201Service } from '@csms/station-api';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll, expect } from 'vitest';
import { eventually, type Station201 } from './scenario.js';
import { NOW, S, absolute, client, csms, type P } from './smart-charging-api.js';

export const {
  ChargingLimitSource: L,
  GetChargingProfilesStatus: G,
  ProfileReconciliation: R,
  ChargingProfilesView: { CHARGING_PROFILES_VIEW_STATION: STATION_VIEW },
} = smartChargingV1;

export let ocpp201: ApiClient<typeof ocpp201V1.Ocpp201ServiceDefinition>;

/**
 * Registers the hooks that serve the typed command API of the test file's CSMS. Call after
 * useSmartChargingApi(): its hooks run once that CSMS is up, and stop before it closes.
 */
export function useOcpp201Commands(): void {
  let server: ApiServer;
  let connection: ApiConnection;
  beforeAll(async () => {
    const logger = createLogger({ service: 'v201-smart-charging-test', level: 'silent' });
    server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [
      createOcpp201Service({ stations: csms.stations, db: csms.database.db, logger }),
    ]);
    connection = connectApi({ address: `127.0.0.1:${server.port}` });
    ocpp201 = connection.client(ocpp201V1.Ocpp201ServiceDefinition);
  });
  afterAll(async () => {
    connection.close();
    await server.stop();
  });
}

/** Sets a profile through the SmartChargingService (station answers Accepted) so that the CSMS stores it. */
export async function setStored(
  cs: Station201,
  evseId: number,
  id: number,
  purpose: (typeof P)[keyof typeof P],
  overrides: Partial<smartChargingV1.ChargingProfile> = {},
): Promise<void> {
  cs.respond('SetChargingProfile', { status: 'Accepted' });
  const profile = absolute(id, purpose, 16, overrides);
  expect((await client.setChargingProfile({ stationId: cs.id, evseId, profile })).status).toBe(
    S.CHARGING_PROFILE_STATUS_ACCEPTED,
  );
}

/** A profile the station installed from a SetChargingProfileRequest it accepted, as it reports it. */
export function installed(cs: Station201, id: number): V201.ChargingProfileType {
  const request = cs.requests('SetChargingProfile').find((r) => r.chargingProfile.id === id);
  if (!request) throw new Error(`profile ${id} was never set`);
  return request.chargingProfile;
}

/** A profile the OCTT installed itself, with an id it generated: not one the CSMS set. */
export function generated(
  id: number,
  purpose: V201.ChargingProfilePurposeEnumType,
  stackLevel = 0,
): V201.ChargingProfileType {
  return {
    id,
    stackLevel,
    chargingProfilePurpose: purpose,
    chargingProfileKind: 'Absolute',
    chargingSchedule: [
      {
        id: 1,
        startSchedule: NOW.toISOString(),
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }],
      },
    ],
  };
}

/** One ReportChargingProfilesRequest (K09.FR.01: the requestId it was asked with; tbc omitted on the last). */
export function part(
  requestId: number,
  evseId: number,
  chargingProfile: V201.ChargingProfileType[],
  tbc?: boolean,
  chargingLimitSource: V201.ChargingLimitSourceEnumType = 'CSO',
): V201.ReportChargingProfilesRequest {
  return { requestId, chargingLimitSource, evseId, chargingProfile, ...(tbc ? { tbc } : {}) };
}

/**
 * The station's view through SmartChargingService/GetChargingProfiles, asking the station now: the OCTT accepts
 * the GetChargingProfilesRequest and, while the CSMS waits for the report, sends `parts(requestId)`, each
 * answered with an empty ReportChargingProfilesResponse. Returns the request the OCTT received and the report.
 */
export async function askStation(
  cs: Station201,
  filter: Partial<smartChargingV1.GetChargingProfilesRequest>,
  parts: (requestId: number) => V201.ReportChargingProfilesRequest[],
) {
  cs.respond('GetChargingProfiles', { status: 'Accepted' });
  const asked = cs.requests('GetChargingProfiles').length;
  const pending = client.getChargingProfiles({ stationId: cs.id, ...filter, view: STATION_VIEW });
  pending.catch(() => undefined); // awaited below; not unhandled if the station's side fails first
  const request = await eventually(() => cs.requests('GetChargingProfiles')[asked], 20_000);
  for (const p of parts(request.requestId)) expect(await cs.call('ReportChargingProfiles', p)).toEqual({});
  const { stationReport } = await pending;
  return { request, report: stationReport! };
}

/** The stored report of a requestId: [evseId, chargingLimitSource, profile id, tbc] per reported profile. */
export async function storedReport(cs: Station201, requestId: number) {
  const { profiles } = await findChargingProfilesReport(csms.database.db, cs.id, requestId);
  return profiles.map((p) => [p.evse_id, p.charging_limit_source, p.profile_id, p.tbc]);
}

/** A report as [evseId, source, profile id, reconciliation] per profile, with its status and missing ids. */
export function summary(r: smartChargingV1.StationChargingProfilesReport | undefined) {
  return (
    r && {
      status: r.status,
      complete: r.complete,
      profiles: r.profiles.map((p) => [p.evseId, p.chargingLimitSource, p.profile?.id, p.reconciliation]),
      missing: r.missingProfileIds,
    }
  );
}
