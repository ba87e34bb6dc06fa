import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import { upsertStation } from '../stations/stations.js';
import { listMonitoringEvents, storeMonitoringEvents } from './monitoring-events.js';
import {
  findMonitoringReportRequest,
  recordMonitoringReportAnswer,
  startMonitoringReportRequest,
  storeMonitoringReportPart,
} from './monitoring-reports.js';
import {
  findMonitoringSettings,
  recordMonitoringBase,
  recordMonitoringLevel,
} from './monitoring-settings.js';
import {
  findMonitors,
  listMonitors,
  recordMonitorKinds,
  removeMonitors,
  storeSetMonitors,
  upsertReportedMonitors,
  type MonitorFilter,
  type MonitorInput,
} from './monitors.js';
import type { MonitoringReportCriteria } from './schema.js';

/** A monitor on `component`.`variable` (Delta, severity 8, value 1 unless `extra` says otherwise). */
function mon(
  id: number,
  component: string,
  variable: string,
  extra: Partial<MonitorInput> = {},
): MonitorInput {
  return {
    id,
    component: { name: component },
    variable: { name: variable },
    type: 'Delta',
    value: 1,
    severity: 8,
    transaction: false,
    ...extra,
  };
}

const evse1 = { component: { name: 'EVSE', evse: { id: 1 } } };

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

describe.each([['postgres'], ['pglite-memory']] as const)('variable monitors on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });

  const ids = async (stationId: string, filter: MonitorFilter = {}) =>
    (await listMonitors(handle.db, stationId, filter, undefined, 100)).map((r) => r.monitor_id);
  const station = async (id: string) => {
    await upsertStation(handle.db, { id, securityProfile: 0 });
    return id;
  };
  /** Records a request with `criteria`, answers it Accepted and stores `parts` of its report. */
  async function report(
    s: string,
    requestId: number,
    criteria: MonitoringReportCriteria,
    ...parts: MonitorInput[][]
  ): Promise<void> {
    expect(await startMonitoringReportRequest(handle.db, s, requestId, criteria)).toBe(true);
    await recordMonitoringReportAnswer(handle.db, s, requestId, 'Accepted');
    for (const [i, monitors] of parts.entries())
      await storeMonitoringReportPart(handle.db, {
        stationId: s,
        requestId,
        monitors,
        tbc: i < parts.length - 1,
      });
  }

  it('stores monitors set through the CSMS with every field, replaces by id (N04.FR.12) and removes on clear', async () => {
    const s = await station('MON-SET');
    await storeSetMonitors(handle.db, s, [
      mon(7, 'EVSE', 'AvailabilityState', {
        component: { name: 'EVSE', instance: 'main', evse: { id: 1, connectorId: 2 } },
        variable: { name: 'AvailabilityState', instance: 'x' },
        transaction: true,
      }),
      mon(3, 'ChargingStation', 'Power', { type: 'UpperThreshold', value: 22000.5, severity: 4 }),
    ]);
    const [three, seven] = await listMonitors(handle.db, s, {}, undefined, 10);
    expect(three).toMatchObject({ monitor_id: 3, type: 'UpperThreshold', value: 22000.5, severity: 4 });
    expect(seven).toMatchObject({
      monitor_id: 7,
      component_name: 'EVSE',
      component_instance: 'main',
      evse_id: 1,
      connector_id: 2,
      variable_name: 'AvailabilityState',
      variable_instance: 'x',
      type: 'Delta',
      value: 1,
      severity: 8,
      transaction: true,
      source: 'csms',
      kind: 'CustomMonitor',
      request_id: null,
    });
    await storeSetMonitors(handle.db, s, [mon(3, 'ChargingStation', 'Power', { value: 5, severity: 2 })]);
    expect(await findMonitors(handle.db, s, [3, 99])).toMatchObject([
      { type: 'Delta', value: 5, severity: 2 },
    ]);
    expect(await removeMonitors(handle.db, s, [3, 99])).toBe(1);
    expect(await ids(s)).toEqual([7]);
  });

  it('filters and pages the store', async () => {
    const s = await station('MON-LIST');
    await storeSetMonitors(handle.db, s, [
      mon(1, 'ChargingStation', 'Power', { type: 'UpperThreshold' }),
      mon(2, 'EVSE', 'Power', { ...evse1, type: 'LowerThreshold' }),
      mon(3, 'EVSE', 'AvailabilityState', evse1),
    ]);
    await upsertReportedMonitors(handle.db, s, [mon(4, 'Connector', 'AvailabilityState')], 5);
    expect(await ids(s, { variableName: 'Power' })).toEqual([1, 2]);
    expect(await ids(s, { componentName: 'EVSE', evseId: 1 })).toEqual([2, 3]);
    expect(await ids(s, { types: ['UpperThreshold', 'LowerThreshold'] })).toEqual([1, 2]);
    expect(await ids(s, { source: 'station' })).toEqual([4]);
    const page = await listMonitors(handle.db, s, {}, 1, 2);
    expect(page.map((r) => r.monitor_id)).toEqual([2, 3]);
  });

  it('a report keeps source and kind of the same monitor, and forgets them when the id now names another', async () => {
    const s = await station('MON-REPORTED');
    await storeSetMonitors(handle.db, s, [mon(1, 'EVSE', 'AvailabilityState', evse1), mon(2, 'A', 'B')]);
    await recordMonitorKinds(handle.db, s, new Map([[2, 'HardWiredMonitor' as const]]));
    await upsertReportedMonitors(
      handle.db,
      s,
      [mon(1, 'EVSE', 'AvailabilityState', { ...evse1, severity: 3 }), mon(2, 'C', 'D')],
      9,
    );
    const rows = await listMonitors(handle.db, s, {}, undefined, 10);
    expect(
      rows.map((r) => [r.monitor_id, r.source, r.kind, r.severity, r.component_name, r.request_id]),
    ).toEqual([
      [1, 'csms', 'CustomMonitor', 3, 'EVSE', 9],
      [2, 'station', null, 8, 'C', 9],
    ]);
  });

  it('reconciles a whole report with its filter, keeping monitors set meanwhile (N02.FR.05)', async () => {
    const s = await station('MON-REPORT');
    await storeSetMonitors(handle.db, s, [
      mon(1, 'ChargingStation', 'Power', { type: 'UpperThreshold' }),
      mon(2, 'ChargingStation', 'Power', { type: 'LowerThreshold', severity: 2 }),
      mon(3, 'ChargingStation', 'Power'),
      mon(4, 'EVSE', 'Power', { ...evse1, type: 'UpperThreshold' }),
    ]);
    const criteria = {
      monitoringCriteria: ['ThresholdMonitoring'],
      componentVariable: [{ component: { name: 'ChargingStation' }, variable: { name: 'Power' } }],
    };
    expect(await startMonitoringReportRequest(handle.db, s, 7, criteria)).toBe(true);
    expect(await startMonitoringReportRequest(handle.db, s, 7, {})).toBe(false);
    await recordMonitoringReportAnswer(handle.db, s, 7, 'Accepted');
    await storeSetMonitors(handle.db, s, [mon(5, 'ChargingStation', 'Power', { type: 'UpperThreshold' })]);
    await storeMonitoringReportPart(handle.db, {
      stationId: s,
      requestId: 7,
      monitors: [mon(1, 'ChargingStation', 'Power', { type: 'UpperThreshold', value: 9 })],
      tbc: true,
    });
    expect(await ids(s)).toEqual([1, 2, 3, 4, 5]);
    expect((await findMonitoringReportRequest(handle.db, s, 7))?.complete).toBe(false);
    await storeMonitoringReportPart(handle.db, { stationId: s, requestId: 7, monitors: [], tbc: false });
    // 2 (a threshold of ChargingStation.Power) was not reported; 3 (Delta) and 4 (EVSE) are not covered.
    expect(await ids(s)).toEqual([1, 3, 4, 5]);
    expect(await findMonitoringReportRequest(handle.db, s, 7)).toMatchObject({
      status: 'Accepted',
      complete: true,
      criteria,
    });
    expect((await findMonitors(handle.db, s, [1]))[0]).toMatchObject({ value: 9, request_id: 7 });
  });

  it('a component variable without evse, instance or variable covers every one of them (N02.FR.16-21)', async () => {
    const s = await station('MON-COVER');
    await storeSetMonitors(handle.db, s, [
      mon(1, 'EVSE', 'AvailabilityState', evse1),
      mon(2, 'EVSE', 'AvailabilityState', { component: { name: 'EVSE', evse: { id: 2 } } }),
      mon(3, 'EVSE', 'Power', {
        component: { name: 'EVSE', instance: 'x', evse: { id: 1, connectorId: 1 } },
      }),
      mon(4, 'ChargingStation', 'AvailabilityState'),
    ]);
    await report(s, 1, { componentVariable: [{ component: { name: 'EVSE', evse: { id: 1 } } }] }, []);
    expect(await ids(s)).toEqual([2, 4]);
    await report(s, 2, { componentVariable: [{ component: { name: 'EVSE' } }] }, []);
    expect(await ids(s)).toEqual([4]);
  });

  it('EmptyResultSet removes the covered monitors; Rejected and NotSupported remove nothing; unknown requests remove nothing', async () => {
    const s = await station('MON-EMPTY');
    await storeSetMonitors(handle.db, s, [mon(1, 'A', 'B'), mon(2, 'A', 'B', { type: 'Periodic' })]);
    await startMonitoringReportRequest(handle.db, s, 1, { monitoringCriteria: ['PeriodicMonitoring'] });
    await recordMonitoringReportAnswer(handle.db, s, 1, 'Rejected');
    expect(await findMonitoringReportRequest(handle.db, s, 1)).toMatchObject({ complete: true });
    expect(await ids(s)).toEqual([1, 2]);
    await startMonitoringReportRequest(handle.db, s, 2, { monitoringCriteria: ['PeriodicMonitoring'] });
    await recordMonitoringReportAnswer(handle.db, s, 2, 'EmptyResultSet');
    expect(await ids(s)).toEqual([1]);
    // A report of a request the CSMS did not record: written, nothing removed.
    await storeMonitoringReportPart(handle.db, {
      stationId: s,
      requestId: 99,
      monitors: [mon(5, 'C', 'D')],
      tbc: false,
    });
    expect(await ids(s)).toEqual([1, 5]);
    expect(await findMonitoringReportRequest(handle.db, s, 99)).toMatchObject({
      criteria: null,
      complete: true,
    });
    // A retried last part reconciles nothing more.
    await report(s, 3, {}, [mon(1, 'A', 'B')]);
    expect(await ids(s)).toEqual([1]);
    await storeSetMonitors(handle.db, s, [mon(6, 'E', 'F')]);
    await storeMonitoringReportPart(handle.db, {
      stationId: s,
      requestId: 3,
      monitors: [mon(1, 'A', 'B')],
      tbc: false,
    });
    expect(await ids(s)).toEqual([1, 6]);
  });

  it('a monitoring base drops what the station no longer has (N03.FR.03-05); the level is recorded (N05)', async () => {
    const s = await station('MON-BASE');
    await upsertReportedMonitors(
      handle.db,
      s,
      [mon(1, 'A', 'B'), mon(2, 'A', 'C'), mon(3, 'A', 'D'), mon(4, 'A', 'E')],
      1,
    );
    await storeSetMonitors(handle.db, s, [mon(5, 'A', 'F')]);
    await recordMonitorKinds(
      handle.db,
      s,
      new Map([
        [1, 'HardWiredMonitor' as const],
        [2, 'PreconfiguredMonitor' as const],
        [3, 'CustomMonitor' as const],
      ]),
    );
    expect(await findMonitoringSettings(handle.db, s)).toBeUndefined();
    expect(await recordMonitoringBase(handle.db, s, 'All')).toBe(0);
    expect(await ids(s)).toEqual([1, 2, 3, 4, 5]);
    expect(await recordMonitoringBase(handle.db, s, 'FactoryDefault')).toBe(3);
    expect(await ids(s)).toEqual([1, 2]);
    expect(await recordMonitoringBase(handle.db, s, 'HardWiredOnly')).toBe(1);
    expect(await ids(s)).toEqual([1]);
    await recordMonitoringLevel(handle.db, s, 4);
    expect(await findMonitoringSettings(handle.db, s)).toMatchObject({
      monitoring_base: 'HardWiredOnly',
      monitoring_level: 4,
    });
    await recordMonitoringLevel(handle.db, s, 9);
    expect((await findMonitoringSettings(handle.db, s))?.monitoring_level).toBe(9);
  });

  it('stores the monitor events of a NotifyEvent once, with their severity', async () => {
    const s = await station('MON-EVENTS');
    const notify = { stationId: s, generatedAt: new Date('2031-01-01T00:00:00Z'), seqNo: 0 };
    const event = {
      eventId: 1,
      monitorId: 7,
      severity: 4,
      trigger: 'Alerting',
      notificationType: 'CustomMonitor',
      cleared: false,
      actualValue: '23000',
      componentName: 'ChargingStation',
      variableName: 'Power',
      timestamp: new Date('2030-12-31T23:59:59Z'),
    };
    expect(
      await storeMonitoringEvents(handle.db, notify, [event, { ...event, eventId: 2, severity: null }]),
    ).toBe(2);
    expect(await storeMonitoringEvents(handle.db, notify, [event])).toBe(0);
    const rows = await listMonitoringEvents(handle.db, s, 10);
    expect(rows.map((r) => [r.event_id, r.severity, r.trigger, r.actual_value])).toEqual([
      [2, null, 'Alerting', '23000'],
      [1, 4, 'Alerting', '23000'],
    ]);
    await handle.db.deleteFrom('stations').where('id', '=', s).execute();
    expect(await listMonitoringEvents(handle.db, s, 10)).toEqual([]);
  });
});
