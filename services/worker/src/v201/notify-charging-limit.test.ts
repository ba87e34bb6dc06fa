import { listExternalChargingLimits } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from '../testing/worker-harness.js';
import { bootedStation } from './testing.js';

/** A 2.0.1 ChargingScheduleType as an external system sets it. */
function schedule(limit: number): V201.ChargingScheduleType {
  return {
    id: 1,
    startSchedule: '2031-02-01T08:00:00.000Z',
    chargingRateUnit: 'A',
    chargingSchedulePeriod: [{ startPeriod: 0, limit }],
  };
}

function notify(
  source: V201.ChargingLimitSourceEnumType,
  evseId?: number,
  limit?: number,
): Record<string, unknown> {
  const request: V201.NotifyChargingLimitRequest = {
    chargingLimit: { chargingLimitSource: source, isGridCritical: source === 'SO' },
    ...(evseId !== undefined ? { evseId } : {}),
    ...(limit !== undefined ? { chargingSchedule: [schedule(limit)] } : {}),
  };
  return { ...request };
}

describe('OCPP 2.0.1 NotifyChargingLimit / ClearedChargingLimit (K11-K14)', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await startWorkerHarness({ config: { maxConnectorId: 4 } });
  });
  afterAll(async () => {
    await h.close();
  });

  const stored = async (stationId: string) =>
    (await listExternalChargingLimits(h.database.db, stationId)).map((r) => [
      r.evse_id,
      r.charging_limit_source,
      r.is_grid_critical,
      r.schedules,
    ]);

  it('keeps the latest limit per EVSE and source (evseId omitted = 0), replaced by a newer notification', async () => {
    const cs = await bootedStation(h, 'NCL-KEEP');
    expect(await cs.ok('NotifyChargingLimit', notify('EMS', undefined, 20))).toEqual({});
    expect(await cs.ok('NotifyChargingLimit', notify('SO', 1, 10))).toEqual({});
    expect(await cs.ok('NotifyChargingLimit', notify('EMS', 1))).toEqual({});
    expect(await stored('NCL-KEEP')).toEqual([
      [0, 'EMS', false, [schedule(20)]],
      [1, 'EMS', false, []],
      [1, 'SO', true, [schedule(10)]],
    ]);
    // K11.FR.02 / K12.FR.02: a changed limit is notified again and replaces the one before.
    expect(await cs.ok('NotifyChargingLimit', notify('EMS', undefined, 12))).toEqual({});
    expect(await stored('NCL-KEEP')).toEqual([
      [0, 'EMS', false, [schedule(12)]],
      [1, 'EMS', false, []],
      [1, 'SO', true, [schedule(10)]],
    ]);
    // Still stored as received, once per CALL.
    const raw = await h.database.db
      .selectFrom('station_notifications')
      .select('action')
      .where('station_id', '=', 'NCL-KEEP')
      .execute();
    expect(raw.filter((r) => r.action === 'NotifyChargingLimit')).toHaveLength(4);
  });

  it('forgets the released limits: one EVSE, or the whole source when no EVSE is named (K13)', async () => {
    const cs = await bootedStation(h, 'NCL-CLEAR');
    for (const request of [
      notify('EMS', undefined, 20),
      notify('EMS', 1, 16),
      notify('EMS', 2, 16),
      notify('SO', 1, 10),
    ])
      expect(await cs.ok('NotifyChargingLimit', request)).toEqual({});
    expect(await cs.ok('ClearedChargingLimit', { chargingLimitSource: 'EMS', evseId: 2 })).toEqual({});
    expect((await stored('NCL-CLEAR')).map(([evse, source]) => [evse, source])).toEqual([
      [0, 'EMS'],
      [1, 'EMS'],
      [1, 'SO'],
    ]);
    expect(await cs.ok('ClearedChargingLimit', { chargingLimitSource: 'EMS' })).toEqual({});
    expect((await stored('NCL-CLEAR')).map(([evse, source]) => [evse, source])).toEqual([[1, 'SO']]);
    // Releasing a limit the CSMS does not know is acknowledged all the same.
    expect(await cs.ok('ClearedChargingLimit', { chargingLimitSource: 'Other', evseId: 3 })).toEqual({});
    expect((await stored('NCL-CLEAR')).map(([evse, source]) => [evse, source])).toEqual([[1, 'SO']]);
  });

  it('refuses an EVSE id above the configured maximum without storing anything', async () => {
    const cs = await bootedStation(h, 'NCL-EVSE');
    const outcome = await cs.call('NotifyChargingLimit', notify('EMS', 99, 10));
    expect(outcome.type).toBe('error');
    expect(await stored('NCL-EVSE')).toEqual([]);
  });
});
