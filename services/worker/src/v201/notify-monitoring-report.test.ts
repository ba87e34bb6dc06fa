import {
  findMonitoringReportRequest,
  listMonitors,
  startMonitoringReportRequest,
  storeSetMonitors,
} from '@csms/db';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from '../testing/worker-harness.js';
import { bootedStation, callError } from './testing.js';

/** A MonitoringDataType of `component`.`variable` with one Delta monitor per id (severity 8). */
function monitored(
  component: V201.ComponentType,
  variable: string,
  ...ids: number[]
): V201.MonitoringDataType {
  return {
    component,
    variable: { name: variable },
    variableMonitoring: ids.map((id) => ({ id, transaction: false, value: 1, type: 'Delta', severity: 8 })),
  };
}

describe('OCPP 2.0.1 NotifyMonitoringReport (N02): the monitor store follows the report', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await startWorkerHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const ids = async (stationId: string) =>
    (await listMonitors(h.database.db, stationId, {}, undefined, 100)).map((r) => [r.monitor_id, r.source]);
  const part = (requestId: number, seqNo: number, tbc: boolean, monitor: V201.MonitoringDataType[]) => ({
    requestId,
    seqNo,
    tbc,
    generatedAt: '2031-02-01T08:00:00.000Z',
    monitor,
  });

  it('upserts every reported monitor and reconciles the recorded filter on the last part, idempotently', async () => {
    const cs = await bootedStation(h, 'NMR-RECONCILE');
    const evse = { name: 'EVSE', evse: { id: 1 } };
    await storeSetMonitors(h.database.db, 'NMR-RECONCILE', [
      {
        id: 1,
        component: evse,
        variable: { name: 'AvailabilityState' },
        type: 'Delta',
        value: 1,
        severity: 8,
        transaction: false,
      },
      {
        id: 2,
        component: evse,
        variable: { name: 'Power' },
        type: 'Delta',
        value: 1,
        severity: 8,
        transaction: false,
      },
      {
        id: 3,
        component: { name: 'ChargingStation' },
        variable: { name: 'Power' },
        type: 'Delta',
        value: 1,
        severity: 8,
        transaction: false,
      },
    ]);
    await startMonitoringReportRequest(h.database.db, 'NMR-RECONCILE', 21, {
      componentVariable: [{ component: { name: 'EVSE', evse: { id: 1 } } }],
    });
    const first = part(21, 0, true, [monitored(evse, 'AvailabilityState', 1)]);
    const send = async (payload: Record<string, unknown>, messageId: string) =>
      expect(await cs.call('NotifyMonitoringReport', payload, messageId)).toEqual({
        type: 'result',
        payload: {},
      });
    await send(first, 'p0');
    await send(first, 'p0'); // a retried part
    expect(await ids('NMR-RECONCILE')).toEqual([
      [1, 'csms'],
      [2, 'csms'],
      [3, 'csms'],
    ]);
    const last = part(21, 1, false, [
      monitored({ name: 'EVSE', evse: { id: 1, connectorId: 1 } }, 'Power', 9),
    ]);
    await send(last, 'p1');
    // 2 is an EVSE #1 monitor the station no longer reports; 3 is not covered by the filter.
    expect(await ids('NMR-RECONCILE')).toEqual([
      [1, 'csms'],
      [3, 'csms'],
      [9, 'station'],
    ]);
    expect(await findMonitoringReportRequest(h.database.db, 'NMR-RECONCILE', 21)).toMatchObject({
      complete: true,
    });
    await send(last, 'p1'); // a retried last part
    expect(await ids('NMR-RECONCILE')).toHaveLength(3);
    const stored = await h.database.db
      .selectFrom('station_notifications')
      .select('action')
      .where('station_id', '=', 'NMR-RECONCILE')
      .execute();
    expect(stored).toHaveLength(2);
  });

  it('a report of an unrecorded request only adds; an id out of range is refused and stores nothing', async () => {
    const cs = await bootedStation(h, 'NMR-UNKNOWN');
    await storeSetMonitors(h.database.db, 'NMR-UNKNOWN', [
      {
        id: 5,
        component: { name: 'A' },
        variable: { name: 'B' },
        type: 'Periodic',
        value: 60,
        severity: 8,
        transaction: false,
      },
    ]);
    expect(
      await cs.ok('NotifyMonitoringReport', part(77, 0, false, [monitored({ name: 'C' }, 'D', 6, 6)])),
    ).toEqual({});
    expect(await ids('NMR-UNKNOWN')).toEqual([
      [5, 'csms'],
      [6, 'station'],
    ]);
    const error = callError(
      await cs.call(
        'NotifyMonitoringReport',
        part(78, 0, false, [monitored({ name: 'C' }, 'D', 7, 2 ** 31)]),
      ),
    );
    expect(error.code).toBe('PropertyConstraintViolation');
    expect(await ids('NMR-UNKNOWN')).toHaveLength(2);
  });
});
