import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import { upsertStation } from '../stations/stations.js';
import { saveAcceptedProfile } from './profiles.js';
import {
  findChargingProfilesReport,
  hasChargingProfilesReport,
  storeReportedProfiles,
  type ReportedProfilesPart,
} from './reported-profiles.js';

/** A reported profile (only the fields these tests need; the store keeps whatever it is given as JSON). */
const profile = (id: number, stackLevel: number) => ({ id, stackLevel });

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

describe.each([['postgres'], ['pglite-memory']] as const)('reported charging profiles on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });

  function part(stationId: string, extra: Partial<ReportedProfilesPart>): ReportedProfilesPart {
    return {
      stationId,
      requestId: 1,
      evseId: 1,
      chargingLimitSource: 'CSO',
      profiles: [profile(1, 0)],
      tbc: false,
      messageId: 'm1',
      ...extra,
    };
  }
  const ids = async (stationId: string, requestId: number) =>
    (await findChargingProfilesReport(handle.db, stationId, requestId)).profiles.map((p) => p.profile_id);

  it('stores one row per profile, in order, with the part; complete once a part has tbc false', async () => {
    await upsertStation(handle.db, { id: 'RP-STORE', securityProfile: 0 });
    const receivedAt = new Date('2031-03-01T10:00:00.000Z');
    const first = part('RP-STORE', {
      profiles: [profile(5, 1), profile(4, 0)],
      tbc: true,
      receivedAt,
    });
    expect(await storeReportedProfiles(handle.db, first)).toBe(true);
    expect(await findChargingProfilesReport(handle.db, 'RP-STORE', 1)).toMatchObject({ complete: false });
    expect(await hasChargingProfilesReport(handle.db, 'RP-STORE', 1)).toBe(true);
    expect(await hasChargingProfilesReport(handle.db, 'RP-STORE', 2)).toBe(false);
    const last = part('RP-STORE', {
      evseId: 0,
      chargingLimitSource: 'EMS',
      profiles: [{ id: -1 }],
      messageId: 'm2',
    });
    expect(await storeReportedProfiles(handle.db, last)).toBe(true);
    const report = await findChargingProfilesReport(handle.db, 'RP-STORE', 1);
    expect(report.complete).toBe(true);
    expect(
      report.profiles.map((p) => [
        p.request_id,
        p.evse_id,
        p.charging_limit_source,
        p.profile_id,
        p.profile,
        p.tbc,
        p.position,
      ]),
    ).toEqual([
      [1, 1, 'CSO', 5, profile(5, 1), true, 0],
      [1, 1, 'CSO', 4, profile(4, 0), true, 1],
      [1, 0, 'EMS', -1, { id: -1 }, false, 0],
    ]);
    expect(report.profiles[0]!.received_at).toEqual(receivedAt);
  });

  it('is a no-op for a retried CALL; a new report for a reused requestId replaces the ended one', async () => {
    await upsertStation(handle.db, { id: 'RP-RETRY', securityProfile: 0 });
    const first = part('RP-RETRY', { profiles: [{ id: 1 }], tbc: true, messageId: 'a' });
    const last = part('RP-RETRY', { profiles: [{ id: 2 }], messageId: 'b' });
    expect(await storeReportedProfiles(handle.db, first)).toBe(true);
    expect(await storeReportedProfiles(handle.db, first)).toBe(false);
    expect(await storeReportedProfiles(handle.db, last)).toBe(true);
    expect(await storeReportedProfiles(handle.db, last)).toBe(false);
    expect(await ids('RP-RETRY', 1)).toEqual([1, 2]);
    // The same message id with another payload is another CALL (a station that restarted its message ids).
    expect(await storeReportedProfiles(handle.db, { ...last, profiles: [{ id: 3 }] })).toBe(true);
    expect(await ids('RP-RETRY', 1)).toEqual([3]);
    expect(await storeReportedProfiles(handle.db, part('RP-RETRY', { requestId: 2, messageId: 'c' }))).toBe(
      true,
    );
    expect(await ids('RP-RETRY', 1)).toEqual([3]);
    expect(await ids('RP-RETRY', 2)).toEqual([1]);
  });

  it('never touches the profiles the CSMS installed; reports go with their station', async () => {
    await upsertStation(handle.db, { id: 'RP-APART', securityProfile: 0 });
    await saveAcceptedProfile(handle.db, {
      stationId: 'RP-APART',
      evseId: 1,
      ocppVersion: 'ocpp2.0.1',
      profileId: 1,
      purpose: 'TxDefaultProfile',
      stackLevel: 0,
      transactionId: undefined,
      validFrom: undefined,
      validTo: undefined,
      payload: { id: 1 },
    });
    await storeReportedProfiles(handle.db, part('RP-APART', { profiles: [profile(1, 7)] }));
    const installed = await handle.db
      .selectFrom('charging_profiles')
      .select(['profile_id', 'stack_level', 'profile'])
      .where('station_id', '=', 'RP-APART')
      .execute();
    expect(installed).toEqual([{ profile_id: 1, stack_level: 0, profile: { id: 1 } }]);
    await handle.db.deleteFrom('stations').where('id', '=', 'RP-APART').execute();
    expect(await ids('RP-APART', 1)).toEqual([]);
  });
});
