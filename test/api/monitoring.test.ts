/**
 * csms.station.v1.MonitoringService on a whole embedded CSMS (PostgreSQL, the real gRPC API) with real OCPP stations
 * (ocpp-rpc, strict mode): input checks and their gRPC status details, what is stored for each station answer, the
 * store's filters and pages, the monitoring base's effect on the store, and the bounded wait of a refresh.
 */
import { Status } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import {
  BASE,
  CRITERION,
  DM,
  SET,
  SOURCE,
  T,
  acceptMonitors,
  client,
  csms,
  cv,
  monitoringStation,
  refresh,
  reported,
  setting,
  storedIds,
  useMonitoringApi,
} from '../support/monitoring-api.js';
import { booted16 } from '../support/octt-states.js';
import { connect16, uniqueId } from '../support/scenario.js';

useMonitoringApi();

const delta = (id?: number) => setting(cv('EVSE', 'AvailabilityState', 1), T.MONITOR_TYPE_DELTA, { id });

describe('MonitoringService input checks', () => {
  it('NOT_FOUND for an unknown station, OCPP_VERSION_UNSUPPORTED with the version for a 1.6 station', async () => {
    const unknown = await rejection(client.setMonitoringLevel({ stationId: 'NO-SUCH-MON', severity: 4 }));
    expect([unknown.code, unknown.reason]).toEqual([Status.NOT_FOUND, 'NOT_FOUND']);
    const cp = await connect16(csms, { id: uniqueId('MON16') });
    expect((await booted16(cp, 1)).status).toBe('Accepted');
    // One call at a time: a call started before the previous one is awaited could reject unobserved.
    for (const call of [
      () => client.setVariableMonitoring({ stationId: cp.id, monitors: [delta()] }),
      () => client.clearVariableMonitoring({ stationId: cp.id, ids: [1] }),
      () => client.setMonitoringBase({ stationId: cp.id, monitoringBase: BASE.MONITORING_BASE_ALL }),
      () => client.setMonitoringLevel({ stationId: cp.id, severity: 4 }),
      () => client.listMonitors({ stationId: cp.id }),
      () => client.refreshMonitors({ stationId: cp.id }),
    ]) {
      const error = await rejection(call());
      expect([error.code, error.reason, error.metadata.ocppVersion]).toEqual([
        Status.FAILED_PRECONDITION,
        'OCPP_VERSION_UNSUPPORTED',
        'ocpp1.6',
      ]);
    }
    expect(cp.received).toEqual([]);
  });

  it('INVALID_ARGUMENT with field violations, severity out of range included; nothing is sent', async () => {
    const cs = await monitoringStation();
    for (const severity of [-1, 10]) {
      const level = await rejection(client.setMonitoringLevel({ stationId: cs.id, severity }));
      expect([level.code, level.reason, level.violations]).toEqual([
        Status.INVALID_ARGUMENT,
        'INVALID_ARGUMENT',
        [{ field: 'severity', description: 'must be between 0 and 9' }],
      ]);
    }
    const bad = {
      id: -1,
      variable: { ...cv('', ''), connectorId: 1 },
      type: 0 as never,
      value: Number.NaN,
      severity: 12,
      transaction: false,
    };
    const set = await rejection(
      client.setVariableMonitoring({
        stationId: cs.id,
        monitors: [bad, setting(cv('EVSE', 'x'.repeat(51)), T.MONITOR_TYPE_DELTA, { value: -1 })],
      }),
    );
    expect(set.violations.map((v) => v.field)).toEqual([
      'monitors[0].id',
      'monitors[0].variable.component_name',
      'monitors[0].variable.connector_id',
      'monitors[0].variable.variable_name',
      'monitors[0].type',
      'monitors[0].value',
      'monitors[0].severity',
      'monitors[1].variable.variable_name',
      'monitors[1].value',
    ]);
    expect(
      (await rejection(client.setVariableMonitoring({ stationId: cs.id, monitors: [] }))).violations,
    ).toEqual([{ field: 'monitors', description: 'at least one monitor' }]);
    const clear = await rejection(client.clearVariableMonitoring({ stationId: 'bad:id', ids: [-3] }));
    expect(clear.violations.map((v) => v.field)).toEqual(['ids[0]', 'station_id']);
    const base = await rejection(client.setMonitoringBase({ stationId: cs.id, monitoringBase: 0 }));
    expect(base.violations.map((v) => v.field)).toEqual(['monitoring_base']);
    const list = await rejection(
      client.listMonitors({ stationId: cs.id, types: [9 as never], source: 7 as never, pageToken: 'nope' }),
    );
    expect(list.violations.map((v) => v.field)).toEqual(['types[0]', 'source']);
    const wait = await rejection(
      client.refreshMonitors({
        stationId: cs.id,
        monitoringCriteria: [CRITERION.MONITORING_CRITERION_UNSPECIFIED],
        componentVariables: [cv('')],
        reportWaitSeconds: 121,
      }),
    );
    expect(wait.violations.map((v) => v.field)).toEqual([
      'monitoring_criteria[0]',
      'component_variables[0].component_name',
      'report_wait_seconds',
    ]);
    expect(cs.received).toEqual([]);
  });
});

describe('MonitoringService store', () => {
  it('a station answering Rejected (or anything but Accepted) leaves the store and settings unchanged', async () => {
    const cs = await monitoringStation();
    acceptMonitors(cs, 10);
    await client.setVariableMonitoring({ stationId: cs.id, monitors: [delta()] });
    cs.respond('SetVariableMonitoring', ({ setMonitoringData }) => ({
      setMonitoringResult: setMonitoringData.map((d, i) => ({
        status: (['Rejected', 'Duplicate', 'UnknownVariable'] as const)[i % 3]!,
        statusInfo: { reasonCode: 'NoWay' },
        type: d.type,
        severity: d.severity,
        component: d.component,
        variable: d.variable,
      })),
    }));
    const r = await client.setVariableMonitoring({
      stationId: cs.id,
      monitors: [delta(10), setting(cv('ChargingStation', 'Power'), T.MONITOR_TYPE_UPPER_THRESHOLD), delta()],
    });
    expect(r.results.map((x) => [x.status, x.id, x.statusReason])).toEqual([
      [SET.SET_MONITORING_STATUS_REJECTED, undefined, 'NoWay'],
      [SET.SET_MONITORING_STATUS_DUPLICATE, undefined, 'NoWay'],
      [SET.SET_MONITORING_STATUS_UNKNOWN_VARIABLE, undefined, 'NoWay'],
    ]);
    cs.respond('SetMonitoringBase', { status: 'Rejected' });
    const base = await client.setMonitoringBase({
      stationId: cs.id,
      monitoringBase: BASE.MONITORING_BASE_HARD_WIRED_ONLY,
    });
    expect([base.status, base.monitorsRemoved]).toEqual([DM.DEVICE_MODEL_STATUS_REJECTED, 0]);
    cs.respond('SetMonitoringLevel', { status: 'Rejected' });
    await client.setMonitoringLevel({ stationId: cs.id, severity: 3 });
    const listed = await client.listMonitors({ stationId: cs.id });
    expect(listed.monitors).toMatchObject([{ id: 10, value: 1, severity: 8 }]);
    expect([listed.monitoringBase, listed.monitoringLevel]).toEqual([
      BASE.MONITORING_BASE_UNSPECIFIED,
      undefined,
    ]);
    // A refresh the station rejects keeps the store too.
    const { response } = await refresh(cs, {}, 'Rejected');
    expect([response.status, response.complete]).toEqual([DM.DEVICE_MODEL_STATUS_REJECTED, true]);
    expect(await storedIds(cs.id)).toEqual([10]);
  });

  it('replaces a monitor by id, filters and pages, and drops custom monitors on FactoryDefault (N03.FR.04)', async () => {
    const cs = await monitoringStation();
    acceptMonitors(cs, 1);
    await client.setVariableMonitoring({
      stationId: cs.id,
      monitors: [
        delta(),
        setting(cv('ChargingStation', 'Power'), T.MONITOR_TYPE_UPPER_THRESHOLD, {
          value: 22000.5,
          severity: 4,
        }),
        setting(cv('EVSE', 'Power', 1), T.MONITOR_TYPE_LOWER_THRESHOLD, { transaction: true }),
      ],
    });
    await client.setVariableMonitoring({ stationId: cs.id, monitors: [{ ...delta(1), severity: 2 }] });
    expect(cs.requests('SetVariableMonitoring').at(-1)!.setMonitoringData[0]!.id).toBe(1);
    await refresh(cs, { componentVariables: [cv('Connector')] }, 'Accepted', [
      [reported(50, { name: 'Connector', evse: { id: 1, connectorId: 1 } }, 'AvailabilityState', 'Delta')],
    ]);
    const all = (await client.listMonitors({ stationId: cs.id })).monitors;
    expect(all.map((m) => [m.id, m.severity, m.value, m.transaction, m.source])).toEqual([
      [1, 2, 1, false, SOURCE.MONITOR_SOURCE_CSMS],
      [2, 4, 22000.5, false, SOURCE.MONITOR_SOURCE_CSMS],
      [3, 8, 1, true, SOURCE.MONITOR_SOURCE_CSMS],
      [50, 8, 1, false, SOURCE.MONITOR_SOURCE_STATION],
    ]);
    expect(await storedIds(cs.id, { variableName: 'Power' })).toEqual([2, 3]);
    expect(await storedIds(cs.id, { evseId: 1, componentName: 'EVSE' })).toEqual([1, 3]);
    expect(await storedIds(cs.id, { source: SOURCE.MONITOR_SOURCE_STATION })).toEqual([50]);
    const first = await client.listMonitors({ stationId: cs.id, pageSize: 3 });
    const second = await client.listMonitors({
      stationId: cs.id,
      pageSize: 3,
      pageToken: first.nextPageToken,
    });
    expect([second.monitors.map((m) => m.id), second.nextPageToken]).toEqual([[50], '']);
    cs.respond('SetMonitoringBase', { status: 'Accepted' });
    const base = await client.setMonitoringBase({
      stationId: cs.id,
      monitoringBase: BASE.MONITORING_BASE_FACTORY_DEFAULT,
    });
    expect([base.status, base.monitorsRemoved]).toEqual([DM.DEVICE_MODEL_STATUS_ACCEPTED, 4]);
    expect(await storedIds(cs.id)).toEqual([]);
  });

  it('a refresh waits at most report_wait_seconds; the late last part still reconciles the store', async () => {
    const cs = await monitoringStation();
    acceptMonitors(cs, 1);
    await client.setVariableMonitoring({ stationId: cs.id, monitors: [delta(), delta()] });
    const filter = { monitoringCriteria: [CRITERION.MONITORING_CRITERION_DELTA], reportWaitSeconds: 0 };
    const { request, response } = await refresh(cs, filter, 'Accepted');
    expect([response.status, response.complete]).toEqual([DM.DEVICE_MODEL_STATUS_ACCEPTED, false]);
    expect(response.monitors.map((m) => m.id)).toEqual([1, 2]);
    expect(
      await cs.call('NotifyMonitoringReport', {
        requestId: request.requestId,
        seqNo: 0,
        generatedAt: new Date().toISOString(),
        monitor: [reported(2, { name: 'EVSE', evse: { id: 1 } }, 'AvailabilityState', 'Delta')],
      }),
    ).toEqual({});
    expect(await storedIds(cs.id)).toEqual([2]);
  });

  it('clears the ids answered Accepted or NotFound, keeps Rejected ones', async () => {
    const cs = await monitoringStation();
    acceptMonitors(cs, 1);
    await client.setVariableMonitoring({ stationId: cs.id, monitors: [delta(), delta(), delta()] });
    cs.respond('ClearVariableMonitoring', {
      clearMonitoringResult: [
        { id: 1, status: 'Accepted' },
        { id: 2, status: 'NotFound' },
        { id: 3, status: 'Rejected', statusInfo: { reasonCode: 'HardWired' } },
      ],
    });
    const r = await client.clearVariableMonitoring({ stationId: cs.id, ids: [1, 2, 3, 3] });
    expect(cs.requests('ClearVariableMonitoring').map((c) => c.id)).toEqual([[1, 2, 3]]);
    expect(r.results.map((x) => x.statusReason)).toEqual(['', '', 'HardWired']);
    expect(await storedIds(cs.id)).toEqual([3]);
  });
});
