/**
 * OCPP 2.0.1 Part 6 §3.15 (N Diagnostics), the CSMS cases of monitor events (N07 Alert Event, N08 Periodic Event):
 * a whole embedded CSMS on PostgreSQL and a real OCPP 2.0.1 station (ocpp-rpc, strict mode) playing the OCTT, which
 * sends NotifyEventRequests. The CSMS answers each with an empty NotifyEventResponse (N07.FR.03, N08.FR.02), keeps
 * each monitor event with the severity of the monitor that triggered it, and publishes it as a `monitoring-alert`
 * station event (csms.station.v1.StationService/StreamStationEvents).
 */
import { listMonitoringEvents } from '@csms/db';
import { stationV1 } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import {
  KIND,
  client,
  connection,
  csms,
  monitoringStation,
  refresh,
  reported,
  useMonitoringApi,
} from '../support/monitoring-api.js';
import { at, type Station201 } from '../support/scenario.js';

useMonitoringApi();

const STATION = { name: 'ChargingStation' };

/** An eventData of monitor `monitorId` on ChargingStation.`variable` (Alerting, CustomMonitor unless `extra`). */
function eventData(
  eventId: number,
  monitorId: number | undefined,
  variable: string,
  extra: Partial<V201.EventDataType> = {},
): V201.EventDataType {
  return {
    eventId,
    timestamp: at(),
    trigger: 'Alerting',
    actualValue: '1',
    eventNotificationType: 'CustomMonitor',
    component: STATION,
    variable: { name: variable },
    ...(monitorId !== undefined ? { variableMonitoringId: monitorId } : {}),
    ...extra,
  };
}

let seq = 0;
/** Sends one NotifyEventRequest (seqNo 0 of a new generatedAt) and expects the empty NotifyEventResponse. */
async function notifyEvent(cs: Station201, ...data: V201.EventDataType[]): Promise<void> {
  seq += 1;
  const generatedAt = new Date(Date.now() + seq).toISOString();
  expect(await cs.call('NotifyEvent', { generatedAt, seqNo: 0, eventData: data })).toEqual({});
}

/** The monitor events the CSMS kept for a station, oldest first: [eventId, monitorId, severity, trigger, cleared]. */
async function kept(stationId: string) {
  const rows = await listMonitoringEvents(csms.database.db, stationId, 100);
  return rows.reverse().map((r) => [r.event_id, r.monitor_id, r.severity, r.trigger, r.cleared]);
}

describe('TC_N_21_CSMS: Alert Event - HardWiredMonitor', () => {
  it('answers the hard-wired monitor alert, keeps it with the reported monitor severity and publishes it', async () => {
    const cs = await monitoringStation();
    // The station reported its hard-wired monitor (severity 1) earlier.
    await refresh(cs, {}, 'Accepted', [[reported(2100, STATION, 'Power', 'UpperThreshold', 1)]]);
    const stations = connection.client(stationV1.StationServiceDefinition);
    const controller = new AbortController();
    const alerts: stationV1.StationEvent[] = [];
    const reading = (async () => {
      try {
        for await (const { event } of stations.streamStationEvents(
          { stationIds: [cs.id], types: ['monitoring-alert'] },
          { signal: controller.signal },
        ))
          if (event) alerts.push(event);
      } catch {
        // aborted below
      }
    })();
    await new Promise((r) => setTimeout(r, 300)); // the subscription is live
    await notifyEvent(
      cs,
      eventData(1, 2100, 'Power', { actualValue: '23000', eventNotificationType: 'HardWiredMonitor' }),
    );
    expect(await kept(cs.id)).toEqual([[1, 2100, 1, 'Alerting', false]]);
    await expect.poll(() => alerts.length, { timeout: 5_000 }).toBe(1);
    expect(alerts[0]!.data).toMatchObject({
      eventId: 1,
      variableMonitoringId: 2100,
      severity: 1,
      trigger: 'Alerting',
      eventNotificationType: 'HardWiredMonitor',
      actualValue: '23000',
    });
    controller.abort();
    await reading;
    // The store now knows the monitor is hard-wired.
    const { monitors } = await client.listMonitors({ stationId: cs.id });
    expect(monitors.map((m) => [m.id, m.kind])).toEqual([[2100, KIND.MONITOR_KIND_HARD_WIRED]]);
  });
});

describe('TC_N_24_CSMS: Set Variable Monitoring - Periodic event', () => {
  it('answers every periodic NotifyEventRequest with an empty response', async () => {
    const cs = await monitoringStation();
    for (const eventId of [1, 2, 3])
      await notifyEvent(
        cs,
        eventData(eventId, 2400, 'Power', { trigger: 'Periodic', actualValue: String(eventId) }),
      );
    expect(await kept(cs.id)).toEqual([
      [1, 2400, null, 'Periodic', false],
      [2, 2400, null, 'Periodic', false],
      [3, 2400, null, 'Periodic', false],
    ]);
  });
});

describe('TC_N_48_CSMS: Alert Event - Variable monitoring on write only', () => {
  it('answers an event whose actualValue is empty (N07.FR.10)', async () => {
    const cs = await monitoringStation();
    await notifyEvent(cs, eventData(1, 4800, 'Password', { trigger: 'Delta', actualValue: '' }));
    const [row] = await listMonitoringEvents(csms.database.db, cs.id, 10);
    expect(row).toMatchObject({ event_id: 1, actual_value: '', trigger: 'Delta' });
  });
});

describe('TC_N_49_CSMS: Alert Event - LowerThreshold/UpperThreshold cleared after reboot', () => {
  it('answers an event with cleared true (N07.FR.14)', async () => {
    const cs = await monitoringStation();
    await notifyEvent(cs, eventData(1, 4900, 'Power', { cleared: true }));
    expect(await kept(cs.id)).toEqual([[1, 4900, null, 'Alerting', true]]);
  });
});

describe('TC_N_50_CSMS: Alert Event - Periodic Triggered', () => {
  it('answers an event with trigger Periodic (N08.FR.05)', async () => {
    const cs = await monitoringStation();
    await notifyEvent(cs, eventData(1, 5000, 'Power', { trigger: 'Periodic' }));
    expect(await kept(cs.id)).toEqual([[1, 5000, null, 'Periodic', false]]);
  });
});
