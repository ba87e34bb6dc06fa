/**
 * OCPP 2.0.1 Part 6 §3.15 (N Diagnostics), the CSMS cases of monitoring configuration (N02-N06): a whole embedded
 * CSMS on PostgreSQL, its gRPC API (csms.station.v1.MonitoringService, what the OCTT's "Manually instruct CSMS to
 * ..." uses; the typed Ocpp201Service for TC_N_18's GetVariables) and a real OCPP 2.0.1 station (ocpp-rpc, strict
 * mode: every CALL is validated against the OCA schemas) playing the OCTT. Each case asserts the tool validations on
 * the request the station received, and what the CSMS's monitor store holds afterwards (the post scenario
 * validation "Check that CSMS shows ..."). The monitor events (N07/N08) are in v201-monitoring-events.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  BASE,
  CLEAR,
  CRITERION,
  DM,
  LEVEL,
  SET,
  SOURCE,
  T,
  acceptMonitors,
  client,
  cv,
  monitoringStation,
  ocpp201,
  refresh,
  reported,
  setting,
  storedIds,
  useMonitoringApi,
} from '../support/monitoring-api.js';

useMonitoringApi();

const EVSE1 = { name: 'EVSE', evse: { id: 1 } };
const STATION = { name: 'ChargingStation' };

describe('TC_N_01_CSMS: Get Monitoring Report - with monitoringCriteria', () => {
  it('asks for DeltaMonitoring (EmptyResultSet), then ThresholdMonitoring, componentVariable omitted; shows the threshold monitors', async () => {
    const cs = await monitoringStation();
    const empty = await refresh(
      cs,
      { monitoringCriteria: [CRITERION.MONITORING_CRITERION_DELTA] },
      'EmptyResultSet',
    );
    expect(empty.request).toEqual({
      requestId: empty.response.requestId,
      monitoringCriteria: ['DeltaMonitoring'],
    });
    expect([empty.response.status, empty.response.complete]).toEqual([
      DM.DEVICE_MODEL_STATUS_EMPTY_RESULT_SET,
      true,
    ]);
    const { request, response } = await refresh(
      cs,
      { monitoringCriteria: [CRITERION.MONITORING_CRITERION_THRESHOLD] },
      'Accepted',
      [
        [reported(11, STATION, 'Power', 'UpperThreshold', 4)],
        [reported(12, EVSE1, 'Power', 'LowerThreshold')],
      ],
    );
    expect(request).toEqual({ requestId: response.requestId, monitoringCriteria: ['ThresholdMonitoring'] });
    expect([response.status, response.complete]).toEqual([DM.DEVICE_MODEL_STATUS_ACCEPTED, true]);
    expect(response.monitors.map((m) => [m.id, m.type, m.source, m.requestId])).toEqual([
      [11, T.MONITOR_TYPE_UPPER_THRESHOLD, SOURCE.MONITOR_SOURCE_STATION, request.requestId],
      [12, T.MONITOR_TYPE_LOWER_THRESHOLD, SOURCE.MONITOR_SOURCE_STATION, request.requestId],
    ]);
    expect(await storedIds(cs.id)).toEqual([11, 12]);
  });
});

describe('TC_N_02_CSMS: Get Monitoring Report - with component/variable', () => {
  it('asks for ChargingStation.Power (EmptyResultSet), then EVSE #1 AvailabilityState, instances and criteria omitted', async () => {
    const cs = await monitoringStation();
    const empty = await refresh(
      cs,
      { componentVariables: [cv('ChargingStation', 'Power')] },
      'EmptyResultSet',
    );
    expect(empty.request).toEqual({
      requestId: empty.response.requestId,
      componentVariable: [{ component: { name: 'ChargingStation' }, variable: { name: 'Power' } }],
    });
    const { request, response } = await refresh(
      cs,
      { componentVariables: [cv('EVSE', 'AvailabilityState', 1)] },
      'Accepted',
      [[reported(21, EVSE1, 'AvailabilityState', 'Delta')]],
    );
    expect(request).toEqual({
      requestId: response.requestId,
      componentVariable: [
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } },
      ],
    });
    // Post scenario validation: the CSMS shows the monitor for AvailabilityState of EVSE #1.
    const { monitors } = await client.listMonitors({
      stationId: cs.id,
      variableName: 'AvailabilityState',
      evseId: 1,
    });
    expect(monitors.map((m) => [m.id, m.variable?.componentName, m.variable?.evseId, m.type])).toEqual([
      [21, 'EVSE', 1, T.MONITOR_TYPE_DELTA],
    ]);
  });
});

describe('TC_N_03_CSMS: Get Monitoring Report - with component criteria and component/variable', () => {
  it('asks for DeltaMonitoring of EVSE #1 AvailabilityState (EmptyResultSet), then ThresholdMonitoring of ChargingStation.Power', async () => {
    const cs = await monitoringStation();
    const empty = await refresh(
      cs,
      {
        monitoringCriteria: [CRITERION.MONITORING_CRITERION_DELTA],
        componentVariables: [cv('EVSE', 'AvailabilityState', 1)],
      },
      'EmptyResultSet',
    );
    expect(empty.request).toEqual({
      requestId: empty.response.requestId,
      monitoringCriteria: ['DeltaMonitoring'],
      componentVariable: [
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } },
      ],
    });
    const { request, response } = await refresh(
      cs,
      {
        monitoringCriteria: [CRITERION.MONITORING_CRITERION_THRESHOLD],
        componentVariables: [cv('ChargingStation', 'Power')],
      },
      'Accepted',
      [
        [
          reported(31, STATION, 'Power', 'UpperThreshold'),
          reported(32, STATION, 'Power', 'LowerThreshold', 2),
        ],
      ],
    );
    expect(request).toEqual({
      requestId: response.requestId,
      monitoringCriteria: ['ThresholdMonitoring'],
      componentVariable: [{ component: { name: 'ChargingStation' }, variable: { name: 'Power' } }],
    });
    expect(response.monitors.map((m) => [m.id, m.type, m.severity])).toEqual([
      [31, T.MONITOR_TYPE_UPPER_THRESHOLD, 8],
      [32, T.MONITOR_TYPE_LOWER_THRESHOLD, 2],
    ]);
  });
});

describe('TC_N_60_CSMS: Get Monitoring Report - with component criteria and list of components/variables', () => {
  it('asks for thresholds of Power of ChargingStation and EVSE #1 (EmptyResultSet), then deltas of their AvailabilityState', async () => {
    const cs = await monitoringStation();
    const both = (variable: string) => [cv('ChargingStation', variable), cv('EVSE', variable, 1)];
    const asked = (variable: string) => [
      { component: { name: 'ChargingStation' }, variable: { name: variable } },
      { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: variable } },
    ];
    const empty = await refresh(
      cs,
      { monitoringCriteria: [CRITERION.MONITORING_CRITERION_THRESHOLD], componentVariables: both('Power') },
      'EmptyResultSet',
    );
    expect(empty.request).toEqual({
      requestId: empty.response.requestId,
      monitoringCriteria: ['ThresholdMonitoring'],
      componentVariable: asked('Power'),
    });
    const { request, response } = await refresh(
      cs,
      {
        monitoringCriteria: [CRITERION.MONITORING_CRITERION_DELTA],
        componentVariables: both('AvailabilityState'),
      },
      'Accepted',
      [
        [reported(61, STATION, 'AvailabilityState', 'Delta')],
        [reported(62, EVSE1, 'AvailabilityState', 'Delta')],
      ],
    );
    expect(request).toEqual({
      requestId: response.requestId,
      monitoringCriteria: ['DeltaMonitoring'],
      componentVariable: asked('AvailabilityState'),
    });
    // Post scenario validation: the Delta monitors of AvailabilityState of both.
    const { monitors } = await client.listMonitors({ stationId: cs.id, types: [T.MONITOR_TYPE_DELTA] });
    expect(monitors.map((m) => [m.id, m.variable?.componentName, m.variable?.variableName])).toEqual([
      [61, 'ChargingStation', 'AvailabilityState'],
      [62, 'EVSE', 'AvailabilityState'],
    ]);
  });
});

describe('TC_N_47_CSMS: Get Monitoring report - Report all', () => {
  it('omits monitoringCriteria and componentVariable; the whole report replaces the store', async () => {
    const cs = await monitoringStation();
    acceptMonitors(cs, 470);
    await client.setVariableMonitoring({
      stationId: cs.id,
      monitors: [setting(cv('EVSE', 'AvailabilityState', 1), T.MONITOR_TYPE_DELTA)],
    });
    expect(await storedIds(cs.id)).toEqual([470]);
    // The station lost monitor 470 (e.g. a firmware update) and reports others, in two parts.
    const { request, response } = await refresh(cs, {}, 'Accepted', [
      [reported(1, STATION, 'AvailabilityState', 'Delta')],
      [reported(2, EVSE1, 'Power', 'Periodic')],
    ]);
    expect(request).toEqual({ requestId: response.requestId });
    expect(response.monitors.map((m) => m.id)).toEqual([1, 2]);
    expect(await storedIds(cs.id)).toEqual([1, 2]);
  });
});

describe('TC_N_05_CSMS: Set Monitoring Base - success', () => {
  it('sends All, FactoryDefault and HardWiredOnly; each accepted base is recorded', async () => {
    const cs = await monitoringStation();
    cs.respond('SetMonitoringBase', { status: 'Accepted' });
    for (const [base, name] of [
      [BASE.MONITORING_BASE_ALL, 'All'],
      [BASE.MONITORING_BASE_FACTORY_DEFAULT, 'FactoryDefault'],
      [BASE.MONITORING_BASE_HARD_WIRED_ONLY, 'HardWiredOnly'],
    ] as const) {
      const r = await client.setMonitoringBase({ stationId: cs.id, monitoringBase: base });
      expect(r.status).toBe(DM.DEVICE_MODEL_STATUS_ACCEPTED);
      expect(cs.requests('SetMonitoringBase').at(-1)).toEqual({ monitoringBase: name });
      expect((await client.listMonitors({ stationId: cs.id })).monitoringBase).toBe(base);
    }
  });
});

describe('TC_N_08_CSMS: Set Variable Monitoring - One SetMonitoringData element', () => {
  it('sends one Delta monitor (value 1, severity 8) on EVSE #1 AvailabilityState; stores it with the id the OCTT assigned', async () => {
    const cs = await monitoringStation();
    acceptMonitors(cs, 801);
    const r = await client.setVariableMonitoring({
      stationId: cs.id,
      monitors: [setting(cv('EVSE', 'AvailabilityState', 1), T.MONITOR_TYPE_DELTA)],
    });
    expect(cs.requests('SetVariableMonitoring')).toEqual([
      {
        setMonitoringData: [
          { value: 1, type: 'Delta', severity: 8, component: EVSE1, variable: { name: 'AvailabilityState' } },
        ],
      },
    ]);
    expect(r.results.map((x) => [x.status, x.id])).toEqual([[SET.SET_MONITORING_STATUS_ACCEPTED, 801]]);
    const { monitors } = await client.listMonitors({ stationId: cs.id });
    expect(monitors).toMatchObject([
      { id: 801, type: T.MONITOR_TYPE_DELTA, value: 1, severity: 8, source: SOURCE.MONITOR_SOURCE_CSMS },
    ]);
  });
});

describe('TC_N_09_CSMS: Set Variable Monitoring - Multiple elements on different component and variable', () => {
  it('sends both Delta monitors in one request; stores both', async () => {
    const cs = await monitoringStation();
    acceptMonitors(cs, 901);
    const r = await client.setVariableMonitoring({
      stationId: cs.id,
      monitors: [
        setting(cv('EVSE', 'AvailabilityState', 1), T.MONITOR_TYPE_DELTA),
        setting(cv('ChargingStation', 'AvailabilityState'), T.MONITOR_TYPE_DELTA),
      ],
    });
    expect(cs.requests('SetVariableMonitoring')).toEqual([
      {
        setMonitoringData: [
          { value: 1, type: 'Delta', severity: 8, component: EVSE1, variable: { name: 'AvailabilityState' } },
          {
            value: 1,
            type: 'Delta',
            severity: 8,
            component: STATION,
            variable: { name: 'AvailabilityState' },
          },
        ],
      },
    ]);
    expect(r.results.map((x) => x.id)).toEqual([901, 902]);
    expect(await storedIds(cs.id)).toEqual([901, 902]);
  });
});

describe('TC_N_16_CSMS: Set Monitoring Level - Success', () => {
  it('sends severity 4; the accepted level is recorded', async () => {
    const cs = await monitoringStation();
    cs.respond('SetMonitoringLevel', { status: 'Accepted' });
    const r = await client.setMonitoringLevel({ stationId: cs.id, severity: 4 });
    expect(r.status).toBe(LEVEL.SET_MONITORING_LEVEL_STATUS_ACCEPTED);
    expect(cs.requests('SetMonitoringLevel')).toEqual([{ severity: 4 }]);
    expect((await client.listMonitors({ stationId: cs.id })).monitoringLevel).toBe(4);
  });
});

describe('TC_N_17_CSMS: Set Monitoring Level - Out of range', () => {
  it('sends severity 4; the OCTT rejects it (N05.FR.02) and the recorded level is unchanged', async () => {
    const cs = await monitoringStation();
    cs.respond('SetMonitoringLevel', { status: 'Accepted' });
    await client.setMonitoringLevel({ stationId: cs.id, severity: 7 });
    cs.respond('SetMonitoringLevel', { status: 'Rejected', statusInfo: { reasonCode: 'OutOfRange' } });
    const r = await client.setMonitoringLevel({ stationId: cs.id, severity: 4 });
    expect([r.status, r.statusReason]).toEqual([LEVEL.SET_MONITORING_LEVEL_STATUS_REJECTED, 'OutOfRange']);
    expect(cs.requests('SetMonitoringLevel').at(-1)).toEqual({ severity: 4 });
    expect((await client.listMonitors({ stationId: cs.id })).monitoringLevel).toBe(7);
  });
});

describe('TC_N_18_CSMS: Clear Monitoring - Too many elements', () => {
  it('after reading ItemsPerMessageClearVariableMonitoring (2) it clears 5 ids in requests of at most 2 (N06.FR.04)', async () => {
    const cs = await monitoringStation('MON18', { clear: 2 });
    const limit = {
      component: { name: 'MonitoringCtrlr' },
      variable: { name: 'ItemsPerMessage', instance: 'ClearVariableMonitoring' },
    };
    const got = await ocpp201.getVariables({ stationId: cs.id, payload: { getVariableData: [limit] } });
    expect(got.payload?.getVariableResult[0]?.attributeValue).toBe('2');
    cs.respond('ClearVariableMonitoring', ({ id }) => ({
      clearMonitoringResult: id.map((i) => ({ id: i, status: 'NotFound' as const })),
    }));
    const r = await client.clearVariableMonitoring({ stationId: cs.id, ids: [1, 2, 3, 4, 5] });
    const sent = cs.requests('ClearVariableMonitoring').map((c) => c.id);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(sent.every((ids) => ids.length <= 2)).toBe(true);
    expect(sent.flat()).toEqual([1, 2, 3, 4, 5]);
    expect(r.results.map((x) => [x.id, x.status])).toEqual(
      [1, 2, 3, 4, 5].map((id) => [id, CLEAR.CLEAR_MONITORING_STATUS_NOT_FOUND]),
    );
  });
});

describe('TC_N_44_CSMS: Clear Monitoring - Rejected', () => {
  it('sends ClearVariableMonitoringRequest; a Rejected monitor stays in the store, an Accepted one leaves it', async () => {
    const cs = await monitoringStation();
    acceptMonitors(cs, 441);
    await client.setVariableMonitoring({
      stationId: cs.id,
      monitors: [
        setting(cv('EVSE', 'AvailabilityState', 1), T.MONITOR_TYPE_DELTA),
        setting(cv('ChargingStation', 'AvailabilityState'), T.MONITOR_TYPE_DELTA),
      ],
    });
    cs.respond('ClearVariableMonitoring', { clearMonitoringResult: [{ id: 441, status: 'Rejected' }] });
    const r = await client.clearVariableMonitoring({ stationId: cs.id, ids: [441] });
    expect(cs.requests('ClearVariableMonitoring')).toEqual([{ id: [441] }]);
    expect(r.results).toEqual([
      { id: 441, status: CLEAR.CLEAR_MONITORING_STATUS_REJECTED, statusReason: '' },
    ]);
    expect(await storedIds(cs.id)).toEqual([441, 442]);
    cs.respond('ClearVariableMonitoring', { clearMonitoringResult: [{ id: 442, status: 'Accepted' }] });
    await client.clearVariableMonitoring({ stationId: cs.id, ids: [442] });
    expect(await storedIds(cs.id)).toEqual([441]);
  });
});
