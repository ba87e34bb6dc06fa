import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import { upsertStation } from '../stations/stations.js';
import {
  clearExternalChargingLimits,
  listExternalChargingLimits,
  storeExternalChargingLimit,
  type ExternalChargingLimit,
} from './external-limits.js';

const schedule = (limit: number) => ({
  chargingRateUnit: 'A',
  chargingSchedulePeriod: [{ startPeriod: 0, limit }],
});

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

describe.each([['postgres'], ['pglite-memory']] as const)('external charging limits on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });

  const limit = (
    stationId: string,
    evseId: number | undefined,
    source: string,
    limits: number[] = [],
  ): ExternalChargingLimit => ({
    stationId,
    evseId,
    chargingLimitSource: source,
    isGridCritical: source === 'SO' ? true : undefined,
    schedules: limits.map(schedule),
  });
  const listed = async (stationId: string, evseIds?: number[]) =>
    (await listExternalChargingLimits(handle.db, stationId, evseIds)).map((r) => [
      r.evse_id,
      r.charging_limit_source,
      r.is_grid_critical,
      r.schedules,
    ]);

  it('keeps one limit per EVSE and source, the latest replacing the one before (with its receive time)', async () => {
    await upsertStation(handle.db, { id: 'XL-1', securityProfile: 0 });
    await storeExternalChargingLimit(handle.db, limit('XL-1', undefined, 'EMS', [20]));
    await storeExternalChargingLimit(handle.db, limit('XL-1', 1, 'SO', [10]));
    const [before] = await listExternalChargingLimits(handle.db, 'XL-1', [0]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await storeExternalChargingLimit(handle.db, limit('XL-1', 0, 'EMS', [12, 8]));
    expect(await listed('XL-1')).toEqual([
      [0, 'EMS', null, [schedule(12), schedule(8)]],
      [1, 'SO', true, [schedule(10)]],
    ]);
    const [after] = await listExternalChargingLimits(handle.db, 'XL-1', [0]);
    expect(after!.received_at.getTime()).toBeGreaterThan(before!.received_at.getTime());
    expect(await listed('XL-1', [1])).toEqual([[1, 'SO', true, [schedule(10)]]]);
    expect(await listed('XL-1', [])).toEqual([]);
  });

  it('clears the source on one EVSE, or on every EVSE without one; other stations keep theirs', async () => {
    await upsertStation(handle.db, { id: 'XL-2', securityProfile: 0 });
    await upsertStation(handle.db, { id: 'XL-3', securityProfile: 0 });
    for (const l of [
      limit('XL-2', undefined, 'EMS'),
      limit('XL-2', 1, 'EMS'),
      limit('XL-2', 2, 'EMS'),
      limit('XL-2', 2, 'SO'),
      limit('XL-3', 1, 'EMS'),
    ])
      await storeExternalChargingLimit(handle.db, l);
    expect(await clearExternalChargingLimits(handle.db, 'XL-2', 'EMS', 2)).toBe(1);
    expect(await clearExternalChargingLimits(handle.db, 'XL-2', 'EMS', undefined)).toBe(2);
    expect(await clearExternalChargingLimits(handle.db, 'XL-2', 'Other', undefined)).toBe(0);
    expect((await listed('XL-2')).map(([evse, source]) => [evse, source])).toEqual([[2, 'SO']]);
    expect((await listed('XL-3')).map(([evse, source]) => [evse, source])).toEqual([[1, 'EMS']]);
  });
});
