import { listMonitoringEvents, listMonitors, storeSetMonitors, upsertReportedMonitors } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import { noopCsmsMetrics, type CsmsMetrics } from '@csms/telemetry';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from '../testing/worker-harness.js';
import { bootedStation, collectEvents, type StationEvent } from './testing.js';

/** An eventData on ChargingStation.Power, triggered by monitor `monitorId` unless that is undefined. */
function eventData(eventId: number, monitorId: number | undefined, extra: Partial<V201.EventDataType> = {}) {
  return {
    eventId,
    timestamp: '2031-02-01T08:00:00.000Z',
    trigger: 'Alerting' as const,
    actualValue: '23000',
    eventNotificationType: 'CustomMonitor' as const,
    component: { name: 'ChargingStation' },
    variable: { name: 'Power' },
    ...(monitorId !== undefined ? { variableMonitoringId: monitorId } : {}),
    ...extra,
  };
}

describe('OCPP 2.0.1 NotifyEvent monitor events (N07/N08): severity, event stream, metric', () => {
  let h: WorkerHarness;
  let events: StationEvent[];
  const alerts: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const metrics: CsmsMetrics = {
      ...noopCsmsMetrics(),
      stationAlertsTotal: {
        add: (_value: number, attributes?: Record<string, unknown>) => void alerts.push(attributes ?? {}),
      },
    };
    h = await startWorkerHarness({ metrics });
    events = await collectEvents(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('resolves the severity of the triggering monitor, stores, publishes and counts each monitor event once', async () => {
    const cs = await bootedStation(h, 'NE-ALERT');
    const power = { component: { name: 'ChargingStation' }, variable: { name: 'Power' } };
    await storeSetMonitors(h.database.db, 'NE-ALERT', [
      { id: 4, ...power, type: 'UpperThreshold', value: 22000, severity: 4, transaction: false },
    ]);
    await upsertReportedMonitors(
      h.database.db,
      'NE-ALERT',
      [{ id: 5, ...power, type: 'Periodic', value: 60, severity: 7, transaction: false }],
      1,
    );
    const msg = {
      generatedAt: '2031-02-01T08:00:01.000Z',
      seqNo: 0,
      eventData: [
        eventData(1, 4),
        eventData(2, 5, { trigger: 'Periodic', eventNotificationType: 'HardWiredMonitor' }),
        eventData(3, 99, { cleared: true }),
        eventData(4, undefined, { eventNotificationType: 'HardWiredNotification' }),
      ],
    };
    expect(await cs.ok('NotifyEvent', msg)).toEqual({});
    expect(await cs.ok('NotifyEvent', msg)).toEqual({}); // a retry: nothing new
    const rows = await listMonitoringEvents(h.database.db, 'NE-ALERT', 10);
    expect(rows.map((r) => [r.event_id, r.monitor_id, r.severity, r.trigger, r.cleared])).toEqual([
      [3, 99, null, 'Alerting', true],
      [2, 5, 7, 'Periodic', false],
      [1, 4, 4, 'Alerting', false],
    ]);
    expect(alerts).toEqual([
      { severity: '4', trigger: 'Alerting' },
      { severity: '7', trigger: 'Periodic' },
      { severity: 'unknown', trigger: 'Alerting' },
    ]);
    // The station said monitor 5 is hard-wired.
    const monitors = await listMonitors(h.database.db, 'NE-ALERT', {}, undefined, 10);
    expect(monitors.map((m) => [m.monitor_id, m.kind])).toEqual([
      [4, 'CustomMonitor'],
      [5, 'HardWiredMonitor'],
    ]);
    await vi.waitFor(() =>
      expect(
        events
          .filter((e) => e.stationId === 'NE-ALERT' && e.type === 'monitoring-alert')
          .map((e) => [e.eventId, e.variableMonitoringId, e.severity, e.trigger]),
      ).toEqual([
        [1, 4, 4, 'Alerting'],
        [2, 5, 7, 'Periodic'],
        [3, 99, null, 'Alerting'],
      ]),
    );
    expect(events.filter((e) => e.stationId === 'NE-ALERT' && e.type === 'device-event')).toHaveLength(1);
  });

  it('a monitor id reused for another variable gives no severity', async () => {
    const cs = await bootedStation(h, 'NE-REUSED');
    await storeSetMonitors(h.database.db, 'NE-REUSED', [
      {
        id: 4,
        component: { name: 'EVSE', evse: { id: 1 } },
        variable: { name: 'AvailabilityState' },
        type: 'Delta',
        value: 1,
        severity: 2,
        transaction: false,
      },
    ]);
    const msg = { generatedAt: '2031-02-01T08:00:01.000Z', seqNo: 0, eventData: [eventData(1, 4)] };
    expect(await cs.ok('NotifyEvent', msg)).toEqual({});
    const [row] = await listMonitoringEvents(h.database.db, 'NE-REUSED', 10);
    expect(row).toMatchObject({ monitor_id: 4, severity: null });
  });
});
