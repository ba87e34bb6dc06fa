import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import { upsertStation } from '../stations/stations.js';
import { storeDeviceReport } from './device-reports.js';
import { reportedVariableValues, saveMessageLimits, storedMessageLimits } from './message-limits.js';

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

describe.each([['postgres'], ['pglite-memory']] as const)('station message limits on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
    for (const id of ['LIM-1', 'LIM-2'])
      await upsertStation(handle.db, { id, securityProfile: 0, bootPolicy: null });
  });
  afterAll(async () => {
    await handle.close();
  });

  it('stores limits per station and name, a newer value replacing the older; null = not reported', async () => {
    const { db } = handle;
    await saveMessageLimits(db, 'LIM-1', [
      { name: 'GetConfigurationMaxKeys', value: 2, source: 'asked' },
      { name: 'SendLocalListMaxLength', value: null, source: 'asked' },
    ]);
    await saveMessageLimits(db, 'LIM-1', [{ name: 'GetConfigurationMaxKeys', value: 5, source: 'answer' }]);
    const rows = await storedMessageLimits(db, 'LIM-1', [
      'GetConfigurationMaxKeys',
      'SendLocalListMaxLength',
      'X',
    ]);
    expect(rows.map((r) => [r.name, r.value]).sort()).toEqual([
      ['GetConfigurationMaxKeys', 5],
      ['SendLocalListMaxLength', null],
    ]);
    expect(await storedMessageLimits(db, 'LIM-2', ['GetConfigurationMaxKeys'])).toEqual([]);
    // A station that does not exist (deleted meanwhile) is skipped, not an error.
    await saveMessageLimits(db, 'NO-SUCH-STATION', [
      { name: 'GetConfigurationMaxKeys', value: 1, source: 'answer' },
    ]);
    expect(await storedMessageLimits(db, 'NO-SUCH-STATION', ['GetConfigurationMaxKeys'])).toEqual([]);
  });

  it('finds the newest reported Actual value of a variable in the stored NotifyReport parts', async () => {
    const { db } = handle;
    const entry = (instance: string | undefined, value: string) => ({
      component: { name: instance ? 'DeviceDataCtrlr' : 'LocalAuthListCtrlr' },
      variable: { name: 'ItemsPerMessage', ...(instance ? { instance } : {}) },
      variableAttribute: [
        { type: 'MaxSet', value: '999' },
        { type: 'Actual', value, mutability: 'ReadOnly' },
      ],
    });
    const part = (requestId: number, reportData: unknown[]) =>
      storeDeviceReport(db, {
        stationId: 'LIM-2',
        requestId,
        seqNo: 0,
        generatedAt: new Date(),
        tbc: false,
        reportData,
      });
    await part(1, [entry('GetVariables', '3'), entry(undefined, '20')]);
    await new Promise((r) => setTimeout(r, 5));
    await part(2, [entry('GetVariables', '4'), { component: { name: 'Other' }, variable: { name: 'X' } }]);
    const found = await reportedVariableValues(db, 'LIM-2', [
      { component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage', instance: 'GetVariables' },
      { component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage', instance: 'SetVariables' },
      { component: 'LocalAuthListCtrlr', variable: 'ItemsPerMessage' },
    ]);
    expect(found.map((f) => [f.ref.component, f.ref.instance, f.value])).toEqual([
      ['DeviceDataCtrlr', 'GetVariables', '4'],
      ['LocalAuthListCtrlr', undefined, '20'],
    ]);
    expect(
      await reportedVariableValues(db, 'LIM-1', [
        { component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage' },
      ]),
    ).toEqual([]);
  });
});
