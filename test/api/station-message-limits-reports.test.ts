/**
 * Per-message limits (issue #12), continued: report requests (GetReport, GetMonitoringReport) and monitoring
 * requests (SetVariableMonitoring, ClearVariableMonitoring) split by the station's limits, and a station that
 * refuses a request as too large (CALLERROR, B06.FR.16 / B08.FR.17 / N06.FR.06) without having stated its limit:
 * the request goes again in halves, and the size the station took is used from then on. A whole embedded CSMS
 * with its gRPC API and independent OCPP stations (ocpp-rpc, strict mode).
 */
import { connectApi, ocpp16V1, ocpp201V1, type ApiConnection } from '@csms/grpc';
import { createRPCError } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { answerGetVariables, variableKey } from '../support/device-model-station.js';
import { booted16, booted201 } from '../support/octt-states.js';
import { connect16, connect201, type Station201 } from '../support/scenario.js';

let csms: TestCsms;
let api: ApiConnection;
const c16 = () => api.client(ocpp16V1.Ocpp16ServiceDefinition);
const c201 = () => api.client(ocpp201V1.Ocpp201ServiceDefinition);

beforeAll(async () => {
  csms = await startTestCsms();
  api = connectApi({ address: csms.grpcAddress });
});
afterAll(async () => {
  api.close();
  await csms.close();
});

const data = (component: string, variable: string) => ({
  component: { name: component },
  variable: { name: variable },
});
const five = ['A', 'B', 'C', 'D', 'E'].map((n) => data('OCPPCommCtrlr', `Var${n}`));

async function booted201WithModel(values: Record<string, string>): Promise<Station201> {
  const cs = await connect201(csms);
  await booted201(cs);
  answerGetVariables(cs, values);
  return cs;
}

/** The error a station MAY answer a request above its limit with (2.0.1 spelling unless given). */
const tooLarge = (code = 'OccurrenceConstraintViolation') =>
  createRPCError(code, 'too many entries') as Error;

describe('2.0.1 GetReport and GetMonitoringReport split by ItemsPerMessageGetReport (B08.FR.06)', () => {
  const reportLimit = { [variableKey('DeviceDataCtrlr', 'ItemsPerMessage', 'GetReport')]: '2' };

  it('sends 5 componentVariables as 2 + 2 + 1 GetReports, each its own report (requestId + n), Accepted', async () => {
    const cs = await booted201WithModel(reportLimit);
    const statuses = ['Accepted', 'EmptyResultSet', 'Accepted'];
    cs.respond('GetReport', () => ({ status: statuses.shift() as 'Accepted' }));
    const answer = await c201().getReport({
      stationId: cs.id,
      payload: { requestId: 40, componentVariable: five },
    });
    expect(answer.payload?.status).toBe('Accepted');
    expect(
      cs.requests('GetReport').map((r) => [r.requestId, r.componentVariable?.map((c) => c.variable?.name)]),
    ).toEqual([
      [40, ['VarA', 'VarB']],
      [41, ['VarC', 'VarD']],
      [42, ['VarE']],
    ]);
    await cs.close();
  });

  it('stops at the first part the station rejects and answers its status, saying which part it was', async () => {
    const cs = await booted201WithModel(reportLimit);
    const statuses = ['Accepted', 'Rejected', 'Accepted'];
    cs.respond('GetMonitoringReport', () => ({ status: statuses.shift() as 'Accepted' }));
    const answer = await c201().getMonitoringReport({
      stationId: cs.id,
      payload: { requestId: 7, componentVariable: five },
    });
    expect(answer.payload?.status).toBe('Rejected');
    expect(answer.payload?.statusInfo?.additionalInfo).toMatch(/message 2 of 3/);
    expect(cs.requests('GetMonitoringReport').map((r) => r.requestId)).toEqual([7, 8]);
    await cs.close();
  });

  it('answers EmptyResultSet only when every part is empty', async () => {
    const cs = await booted201WithModel(reportLimit);
    cs.respond('GetReport', { status: 'EmptyResultSet' });
    const answer = await c201().getReport({
      stationId: cs.id,
      payload: { requestId: 90, componentVariable: five.slice(0, 3) },
    });
    expect(answer.payload?.status).toBe('EmptyResultSet');
    expect(cs.requests('GetReport')).toHaveLength(2);
    await cs.close();
  });
});

describe('2.0.1 SetVariableMonitoring / ClearVariableMonitoring split by MonitoringCtrlr limits (N04.FR.09, N06.FR.04)', () => {
  it('sends 3 monitors as 2 + 1 and 3 ids to clear as 2 + 1, joining the results in order', async () => {
    const cs = await booted201WithModel({
      [variableKey('MonitoringCtrlr', 'ItemsPerMessage', 'SetVariableMonitoring')]: '2',
      [variableKey('MonitoringCtrlr', 'ItemsPerMessage', 'ClearVariableMonitoring')]: '2',
    });
    let next = 100;
    cs.respond('SetVariableMonitoring', ({ setMonitoringData }) => ({
      setMonitoringResult: setMonitoringData.map((d) => ({
        id: (next += 1),
        status: 'Accepted' as const,
        type: d.type,
        severity: d.severity,
        component: d.component,
        variable: d.variable,
      })),
    }));
    cs.respond('ClearVariableMonitoring', ({ id }) => ({
      clearMonitoringResult: id.map((i) => ({ id: i, status: 'Accepted' as const })),
    }));
    const monitors = five.slice(0, 3).map((d) => ({ ...d, value: 1, type: 'Delta', severity: 5 }));
    const set = await c201().setVariableMonitoring({
      stationId: cs.id,
      payload: { setMonitoringData: monitors },
    });
    expect(set.payload?.setMonitoringResult.map((r) => [r.variable?.name, r.id])).toEqual([
      ['VarA', 101],
      ['VarB', 102],
      ['VarC', 103],
    ]);
    expect(cs.requests('SetVariableMonitoring').map((r) => r.setMonitoringData.length)).toEqual([2, 1]);
    const cleared = await c201().clearVariableMonitoring({
      stationId: cs.id,
      payload: { id: [101, 102, 103] },
    });
    expect(cleared.payload?.clearMonitoringResult.map((r) => r.id)).toEqual([101, 102, 103]);
    expect(cs.requests('ClearVariableMonitoring').map((r) => r.id)).toEqual([[101, 102], [103]]);
    await cs.close();
  });
});

describe('a request refused as too large is sent again in halves, and the size taken is learned', () => {
  it('2.0.1 SetVariables: 5 refused, 3 refused, then 2 + 1 + 2 taken; the next request goes as 2 + 2 + 1', async () => {
    // A station that states no ItemsPerMessageSetVariables (asked: UnknownVariable) but takes 2 at most.
    const cs = await booted201WithModel({});
    cs.respond('SetVariables', ({ setVariableData }) => {
      if (setVariableData.length > 2) throw tooLarge();
      return {
        setVariableResult: setVariableData.map((d) => ({
          attributeType: d.attributeType ?? 'Actual',
          attributeStatus: 'Accepted' as const,
          component: d.component,
          variable: d.variable,
        })),
      };
    });
    const request = { setVariableData: five.map((d, i) => ({ ...d, attributeValue: `v${i}` })) };
    const answer = await c201().setVariables({ stationId: cs.id, payload: request });
    expect(answer.payload?.setVariableResult.map((r) => r.variable?.name)).toEqual(
      five.map((d) => d.variable.name),
    );
    const sizes = () => cs.requests('SetVariables').map((r) => r.setVariableData.length);
    expect(sizes()).toEqual([5, 3, 2, 1, 2]);
    await c201().setVariables({ stationId: cs.id, payload: request });
    expect(sizes().slice(5)).toEqual([2, 2, 1]);
    await cs.close();
  });

  it('2.0.1 GetReport refused with FormatViolation (bytes): halves with their own requestIds', async () => {
    const cs = await booted201WithModel({});
    cs.respond('GetReport', ({ componentVariable }) => {
      if ((componentVariable?.length ?? 0) > 3) throw tooLarge('FormatViolation');
      return { status: 'Accepted' };
    });
    const answer = await c201().getReport({
      stationId: cs.id,
      payload: { requestId: 500, componentVariable: five },
    });
    expect(answer.payload?.status).toBe('Accepted');
    expect(cs.requests('GetReport').map((r) => [r.requestId, r.componentVariable?.length])).toEqual([
      [500, 5],
      [500, 3],
      [501, 2],
    ]);
    await cs.close();
  });

  it('1.6 GetConfiguration refused with OccurenceConstraintViolation (1.6 spelling) is halved too', async () => {
    const cp = await connect16(csms);
    await booted16(cp);
    const keys = { A: '1', B: '2', C: '3', D: '4' };
    cp.respond('GetConfiguration', ({ key }) => {
      const asked = key ?? [];
      if (asked.length > 2) throw tooLarge('OccurenceConstraintViolation');
      return {
        configurationKey: asked
          .filter((k) => k in keys)
          .map((k) => ({ key: k, readonly: true, value: keys[k as keyof typeof keys] })),
      };
    });
    const answer = await c16().getConfiguration({ stationId: cp.id, payload: { key: ['A', 'B', 'C', 'D'] } });
    expect(answer.payload?.configurationKey.map((k) => k.value)).toEqual(['1', '2', '3', '4']);
    expect(cp.requests('GetConfiguration').map((r) => r.key)).toEqual([
      ['GetConfigurationMaxKeys'],
      ['A', 'B', 'C', 'D'],
      ['A', 'B'],
      ['C', 'D'],
    ]);
    await cp.close();
  });

  it('a single entry refused as too large is the station’s answer: FAILED_PRECONDITION with its code', async () => {
    const cs = await booted201WithModel({});
    cs.respond('SetVariables', () => {
      throw tooLarge();
    });
    const failed = await c201()
      .setVariables({
        stationId: cs.id,
        payload: { setVariableData: [{ ...five[0]!, attributeValue: 'x' }] },
      })
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(failed?.message).toMatch(/OccurrenceConstraintViolation/);
    expect(cs.requests('SetVariables')).toHaveLength(1);
    await cs.close();
  });
});
