/**
 * Set-up shared by the MonitoringService tests (`test/api/monitoring*.test.ts`, `test/scenarios/v201-monitoring*.test.ts`):
 * a whole embedded CSMS on PostgreSQL, its gRPC API (the MonitoringService is part of the station API there, beside
 * the typed Ocpp201Service) and booted 2.0.1 stations. The `let` bindings are live: each test file that calls
 * {@link useMonitoringApi} gets its own.
 */
import { connectApi, monitoringV1 as api, ocpp201V1, type ApiClient, type ApiConnection } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestCsms, type TestCsms } from './csms.js';
import { answerGetVariables, variableKey } from './device-model-station.js';
import { booted201 } from './octt-states.js';
import { at, connect201, eventually, uniqueId, type Station201 } from './scenario.js';

export const {
  MonitorType: T,
  MonitorSource: SOURCE,
  MonitorKind: KIND,
  MonitoringBase: BASE,
  MonitoringCriterion: CRITERION,
  SetMonitoringStatus: SET,
  ClearMonitoringStatus: CLEAR,
  DeviceModelStatus: DM,
  SetMonitoringLevelStatus: LEVEL,
} = api;

export let csms: TestCsms;
export let connection: ApiConnection;
export let client: ApiClient<typeof api.MonitoringServiceDefinition>;
/** The typed OCPP 2.0.1 commands (the OCTT's manual GetVariables of TC_N_18). */
export let ocpp201: ApiClient<typeof ocpp201V1.Ocpp201ServiceDefinition>;

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useMonitoringApi(): void {
  beforeAll(async () => {
    csms = await startTestCsms({ database: 'postgres' });
    connection = connectApi({ address: csms.grpcAddress });
    client = connection.client(api.MonitoringServiceDefinition);
    ocpp201 = connection.client(ocpp201V1.Ocpp201ServiceDefinition);
  });
  afterAll(async () => {
    connection.close();
    await csms.close();
  });
}

/**
 * A booted 2.0.1 station with monitoring (MonitoringCtrlr ItemsPerMessage / BytesPerMessage of 100 / 10000 for
 * SetVariableMonitoring and ClearVariableMonitoring, and of GetReport, unless `limits` says otherwise): it answers
 * the CSMS's GetVariables for them, so that requests of several entries go as the station's limits allow.
 */
export async function monitoringStation(
  prefix = 'MON201',
  limits: { clear?: number; set?: number } = {},
): Promise<Station201> {
  const cs = await connect201(csms, { id: uniqueId(prefix) });
  expect((await booted201(cs)).status).toBe('Accepted');
  answerGetVariables(cs, {
    [variableKey('MonitoringCtrlr', 'ItemsPerMessage', 'ClearVariableMonitoring')]: String(
      limits.clear ?? 100,
    ),
    [variableKey('MonitoringCtrlr', 'BytesPerMessage', 'ClearVariableMonitoring')]: '10000',
    [variableKey('MonitoringCtrlr', 'ItemsPerMessage', 'SetVariableMonitoring')]: String(limits.set ?? 100),
    [variableKey('MonitoringCtrlr', 'BytesPerMessage', 'SetVariableMonitoring')]: '10000',
    [variableKey('DeviceDataCtrlr', 'ItemsPerMessage', 'GetReport')]: '100',
    [variableKey('DeviceDataCtrlr', 'BytesPerMessage', 'GetReport')]: '10000',
  });
  return cs;
}

/** An API component variable; `evseId` puts the component on that EVSE. */
export function cv(component: string, variable = '', evseId?: number): api.ComponentVariable {
  return {
    componentName: component,
    componentInstance: '',
    evseId,
    connectorId: undefined,
    variableName: variable,
    variableInstance: '',
  };
}

/** An API monitor to set: `type` on `variable`, value 1 and severity 8 unless `extra` says otherwise. */
export function setting(
  variable: api.ComponentVariable,
  type: api.MonitorType,
  extra: Partial<api.MonitorSetting> = {},
): api.MonitorSetting {
  return { id: undefined, variable, type, value: 1, severity: 8, transaction: false, ...extra };
}

/**
 * Makes the station accept every monitor of a SetVariableMonitoringRequest, assigning ids from `firstId` on
 * (or the id the request gave).
 */
export function acceptMonitors(cs: Station201, firstId: number): void {
  let next = firstId;
  cs.respond('SetVariableMonitoring', ({ setMonitoringData }) => ({
    setMonitoringResult: setMonitoringData.map((d): V201.SetMonitoringResultType => ({
      id: d.id ?? next++,
      status: 'Accepted',
      type: d.type,
      severity: d.severity,
      component: d.component,
      variable: d.variable,
    })),
  }));
}

/** The stored monitor ids of a station. */
export async function storedIds(
  stationId: string,
  filter: Partial<api.ListMonitorsRequest> = {},
): Promise<number[]> {
  const { monitors } = await client.listMonitors({ stationId, ...filter });
  return monitors.map((m) => m.id);
}

/** A MonitoringDataType as the station reports it: one monitor of `type` on component.variable. */
export function reported(
  id: number,
  component: V201.ComponentType,
  variable: string,
  type: V201.MonitorEnumType,
  severity = 8,
): V201.MonitoringDataType {
  return {
    component,
    variable: { name: variable },
    variableMonitoring: [{ id, transaction: false, value: 1, type, severity }],
  };
}

/**
 * RefreshMonitors as the OCTT plays N02: the station answers GetMonitoringReportRequest with `status` and, while
 * the CSMS waits, sends `parts` as NotifyMonitoringReportRequests (seqNo from 0, tbc on all but the last), each
 * answered with an empty response. Returns the GetMonitoringReportRequest the station received and the response.
 */
export async function refresh(
  cs: Station201,
  filter: Partial<api.RefreshMonitorsRequest>,
  status: V201.GenericDeviceModelStatusEnumType,
  parts: V201.MonitoringDataType[][] = [],
) {
  cs.respond('GetMonitoringReport', { status });
  const asked = cs.requests('GetMonitoringReport').length;
  const pending = client.refreshMonitors({ stationId: cs.id, ...filter });
  pending.catch(() => undefined); // awaited below; not unhandled if the station's side fails first
  const request = await eventually(() => cs.requests('GetMonitoringReport')[asked], 20_000);
  for (const [seqNo, monitor] of parts.entries())
    expect(
      await cs.call('NotifyMonitoringReport', {
        requestId: request.requestId,
        seqNo,
        generatedAt: at(),
        tbc: seqNo < parts.length - 1,
        monitor,
      }),
    ).toEqual({});
  return { request, response: await pending };
}
