import { findChargingProfilesReport } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from '../testing/worker-harness.js';
import { bootedStation, callError, collectEvents, type StationEvent } from './testing.js';

/** A 2.0.1 ChargingProfileType as a station reports it. */
function profile(
  id: number,
  purpose: V201.ChargingProfilePurposeEnumType = 'TxDefaultProfile',
  limit = 16,
): V201.ChargingProfileType {
  return {
    id,
    stackLevel: 0,
    chargingProfilePurpose: purpose,
    chargingProfileKind: 'Absolute',
    chargingSchedule: [
      {
        id: 1,
        startSchedule: '2031-02-01T08:00:00.000Z',
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [{ startPeriod: 0, limit }],
      },
    ],
  };
}

function part(
  requestId: number,
  evseId: number,
  chargingLimitSource: V201.ChargingLimitSourceEnumType,
  profiles: V201.ChargingProfileType[],
  tbc?: boolean,
): Record<string, unknown> {
  const request: V201.ReportChargingProfilesRequest = {
    requestId,
    chargingLimitSource,
    evseId,
    chargingProfile: profiles,
    ...(tbc !== undefined ? { tbc } : {}),
  };
  return { ...request };
}

describe('OCPP 2.0.1 ReportChargingProfiles (K09)', () => {
  let h: WorkerHarness;
  let events: StationEvent[];
  beforeAll(async () => {
    h = await startWorkerHarness({ config: { maxConnectorId: 4 } });
    events = await collectEvents(h);
  });
  afterAll(async () => {
    await h.close();
  });

  const reported = async (stationId: string, requestId: number) =>
    (await findChargingProfilesReport(h.database.db, stationId, requestId)).profiles.map((row) => [
      row.evse_id,
      row.charging_limit_source,
      row.profile_id,
      row.tbc,
    ]);

  it('answers every part with an empty response and stores each profile with its part (K09.FR.01, K09.FR.02)', async () => {
    const cs = await bootedStation(h, 'RCP-PARTS');
    const first = part(
      7,
      0,
      'CSO',
      [profile(1, 'ChargingStationMaxProfile'), profile(2, 'TxDefaultProfile')],
      true,
    );
    const last = part(7, 1, 'EMS', [profile(-3, 'ChargingStationExternalConstraints', 10)]);
    const before = Date.now();
    expect(await cs.ok('ReportChargingProfiles', first)).toEqual({});
    expect((await findChargingProfilesReport(h.database.db, 'RCP-PARTS', 7)).complete).toBe(false);
    expect(await cs.ok('ReportChargingProfiles', last)).toEqual({});
    const report = await findChargingProfilesReport(h.database.db, 'RCP-PARTS', 7);
    expect(report.complete).toBe(true);
    expect(
      report.profiles.map((r) => [r.request_id, r.evse_id, r.charging_limit_source, r.profile, r.tbc]),
    ).toEqual([
      [7, 0, 'CSO', profile(1, 'ChargingStationMaxProfile'), true],
      [7, 0, 'CSO', profile(2, 'TxDefaultProfile'), true],
      // tbc omitted = false (the last part).
      [7, 1, 'EMS', profile(-3, 'ChargingStationExternalConstraints', 10), false],
    ]);
    for (const row of report.profiles)
      expect(row.received_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // Reports are kept apart: the profiles the CSMS installed are untouched.
    expect(
      await h.database.db
        .selectFrom('charging_profiles')
        .select('profile_id')
        .where('station_id', '=', 'RCP-PARTS')
        .execute(),
    ).toEqual([]);
    await vi.waitFor(() =>
      expect(
        events
          .filter((e) => e.stationId === 'RCP-PARTS' && e.type === 'charging-profiles-reported')
          .map((e) => [e.requestId, e.evseId, e.chargingLimitSource, e.profileIds, e.tbc]),
      ).toEqual([
        [7, 0, 'CSO', [1, 2], true],
        [7, 1, 'EMS', [-3], false],
      ]),
    );
  });

  it('stores a retried CALL (same message id and payload) once', async () => {
    const cs = await bootedStation(h, 'RCP-RETRY');
    const first = part(8, 1, 'CSO', [profile(11)], true);
    expect(await cs.call('ReportChargingProfiles', first, 'rcp-1')).toMatchObject({
      type: 'result',
      payload: {},
    });
    expect(await cs.call('ReportChargingProfiles', first, 'rcp-1')).toMatchObject({
      type: 'result',
      payload: {},
    });
    const last = part(8, 2, 'CSO', [profile(12)], false);
    expect(await cs.call('ReportChargingProfiles', last, 'rcp-2')).toMatchObject({
      type: 'result',
      payload: {},
    });
    // The last part retried after the report ended: still a no-op, not the start of a new report.
    expect(await cs.call('ReportChargingProfiles', last, 'rcp-2')).toMatchObject({
      type: 'result',
      payload: {},
    });
    expect(await reported('RCP-RETRY', 8)).toEqual([
      [1, 'CSO', 11, true],
      [2, 'CSO', 12, false],
    ]);
  });

  it('keeps one report per requestId: a reused requestId replaces the ended report, other ids stay', async () => {
    const cs = await bootedStation(h, 'RCP-REUSE');
    expect(await cs.ok('ReportChargingProfiles', part(9, 1, 'CSO', [profile(21)]))).toEqual({});
    expect(await cs.ok('ReportChargingProfiles', part(10, 1, 'CSO', [profile(22)]))).toEqual({});
    expect(await cs.ok('ReportChargingProfiles', part(9, 2, 'SO', [profile(23)], true))).toEqual({});
    expect(await reported('RCP-REUSE', 9)).toEqual([[2, 'SO', 23, true]]);
    expect(
      await cs.ok(
        'ReportChargingProfiles',
        part(9, 0, 'CSO', [profile(24, 'ChargingStationMaxProfile')], false),
      ),
    ).toEqual({});
    expect(await reported('RCP-REUSE', 9)).toEqual([
      [2, 'SO', 23, true],
      [0, 'CSO', 24, false],
    ]);
    expect(await reported('RCP-REUSE', 10)).toEqual([[1, 'CSO', 22, false]]);
  });

  it('refuses an EVSE id beyond the configured limit with PropertyConstraintViolation, storing nothing', async () => {
    const cs = await bootedStation(h, 'RCP-EVSE');
    const outcome = await cs.call('ReportChargingProfiles', part(11, 5, 'CSO', [profile(31)]));
    expect(callError(outcome).code).toBe('PropertyConstraintViolation');
    expect(await reported('RCP-EVSE', 11)).toEqual([]);
  });
});
