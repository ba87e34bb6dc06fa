/**
 * Per-message limits (issue #12): the typed command services split GetVariables / SetVariables (2.0.1) and
 * GetConfiguration (1.6) by the limits the station reported, answered, or told when asked once. A whole
 * embedded CSMS with its gRPC API and independent OCPP stations (ocpp-rpc, strict mode).
 */
import { connectApi, ocpp16V1, ocpp201V1, Status, stationV1, type ApiConnection } from '@csms/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import {
  acceptSetVariables,
  answerGetConfiguration,
  answerGetVariables,
  reportVariables,
  variableKey,
} from '../support/device-model-station.js';
import { rejection } from '../support/grpc-rejection.js';
import { booted16, booted201 } from '../support/octt-states.js';
import { connect16, connect201, eventually, type Station201 } from '../support/scenario.js';

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

const ITEMS_GET = variableKey('DeviceDataCtrlr', 'ItemsPerMessage', 'GetVariables');
const BYTES_GET = variableKey('DeviceDataCtrlr', 'BytesPerMessage', 'GetVariables');
const data = (component: string, variable: string, instance?: string) => ({
  component: { name: component },
  variable: { name: variable, ...(instance !== undefined ? { instance } : {}) },
});
/** The GetVariables the station received, as lists of `Component.Variable[instance]`. */
const gets = (cs: Station201) =>
  cs
    .requests('GetVariables')
    .map((r) =>
      r.getVariableData.map((d) => variableKey(d.component.name, d.variable.name, d.variable.instance)),
    );

async function booted201WithModel(values: Record<string, string>): Promise<Station201> {
  const cs = await connect201(csms);
  await booted201(cs);
  answerGetVariables(cs, values);
  return cs;
}

describe('TC_B_08_CSMS: Get Variables - limit to maximum number of values', () => {
  it('asks ItemsPerMessageGetVariables once, then sends 5 variables as 4 + 1 and returns all 5 in order', async () => {
    const cs = await booted201WithModel({
      [ITEMS_GET]: '4',
      [variableKey('DeviceDataCtrlr', 'ItemsPerMessage', 'GetReport')]: '10',
      [variableKey('DeviceDataCtrlr', 'BytesPerMessage', 'GetReport')]: '8000',
      [BYTES_GET]: '8000',
      [variableKey('AuthCtrlr', 'AuthorizeRemoteStart')]: 'true',
    });
    const requested = [
      data('DeviceDataCtrlr', 'ItemsPerMessage', 'GetReport'),
      data('DeviceDataCtrlr', 'ItemsPerMessage', 'GetVariables'),
      data('DeviceDataCtrlr', 'BytesPerMessage', 'GetReport'),
      data('DeviceDataCtrlr', 'BytesPerMessage', 'GetVariables'),
      data('AuthCtrlr', 'AuthorizeRemoteStart'),
    ];
    const answer = await c201().getVariables({ stationId: cs.id, payload: { getVariableData: requested } });
    expect(answer.payload?.getVariableResult.map((r) => r.attributeValue)).toEqual([
      '10',
      '4',
      '8000',
      '8000',
      'true',
    ]);
    const sent = gets(cs);
    // The question (its two limits), then the operator's 5 variables in messages of at most 4.
    expect(sent).toEqual([
      [ITEMS_GET, BYTES_GET],
      requested.slice(0, 4).map((d) => variableKey(d.component.name, d.variable.name, d.variable.instance)),
      ['AuthCtrlr.AuthorizeRemoteStart'],
    ]);
    // Asked once: the next request is split by the stored limit without asking again.
    await c201().getVariables({ stationId: cs.id, payload: { getVariableData: requested } });
    expect(
      gets(cs)
        .slice(3)
        .map((m) => m.length),
    ).toEqual([4, 1]);
    await cs.close();
  });
});

describe('2.0.1 GetVariables / SetVariables split by the reported limits (B06.FR.05, B05.FR.11)', () => {
  const five = ['A', 'B', 'C', 'D', 'E'].map((n) => data('OCPPCommCtrlr', `Var${n}`));

  it('a station that reported ItemsPerMessage 2 gets 5 variables as 2 + 2 + 1 CALLs, without being asked', async () => {
    const cs = await booted201WithModel(
      Object.fromEntries(five.map((d, i) => [variableKey(d.component.name, d.variable.name), String(i)])),
    );
    await reportVariables(cs, [
      { component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage', instance: 'GetVariables', value: '2' },
      { component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage', instance: 'SetVariables', value: '2' },
    ]);
    const answer = await c201().getVariables({ stationId: cs.id, payload: { getVariableData: five } });
    expect(answer.payload?.getVariableResult.map((r) => [r.variable?.name, r.attributeValue])).toEqual([
      ['VarA', '0'],
      ['VarB', '1'],
      ['VarC', '2'],
      ['VarD', '3'],
      ['VarE', '4'],
    ]);
    expect(gets(cs).map((m) => m.length)).toEqual([2, 2, 1]);

    acceptSetVariables(cs);
    const set = await c201().setVariables({
      stationId: cs.id,
      payload: { setVariableData: five.map((d, i) => ({ ...d, attributeValue: `v${i}` })) },
    });
    expect(set.payload?.setVariableResult.map((r) => [r.variable?.name, r.attributeStatus])).toEqual(
      five.map((d) => [d.variable.name, 'Accepted']),
    );
    expect(
      cs
        .requests('SetVariables')
        .map((r) => r.setVariableData.map((d) => [d.variable.name, d.attributeValue])),
    ).toEqual([
      [
        ['VarA', 'v0'],
        ['VarB', 'v1'],
      ],
      [
        ['VarC', 'v2'],
        ['VarD', 'v3'],
      ],
      [['VarE', 'v4']],
    ]);
    await cs.close();
  });

  it('splits by BytesPerMessage of the CALL frame when the station states one', async () => {
    const cs = await booted201WithModel({ [ITEMS_GET]: '100', [BYTES_GET]: '200' });
    const many = Array.from({ length: 6 }, (_, i) =>
      data('SomeLongComponentName', `SomeLongVariableName${i}`),
    );
    await c201().getVariables({ stationId: cs.id, payload: { getVariableData: many } });
    const [question, ...messages] = cs.requests('GetVariables');
    expect(question?.getVariableData).toHaveLength(2);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.flatMap((m) => m.getVariableData.map((d) => d.variable.name))).toEqual(
      many.map((d) => d.variable.name),
    );
    for (const m of messages) {
      const frame = JSON.stringify([2, 'x'.repeat(36), 'GetVariables', m]);
      expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(200);
    }
    await cs.close();
  });

  it('a station that does not state its limit gets the request unsplit and is not asked again', async () => {
    const cs = await booted201WithModel({});
    for (let i = 0; i < 2; i++)
      await c201().getVariables({ stationId: cs.id, payload: { getVariableData: five } });
    expect(gets(cs).map((m) => m.length)).toEqual([2, 5, 5]);
    await cs.close();
  });

  it('checks the whole request before any part is sent', async () => {
    const cs = await booted201WithModel({ [ITEMS_GET]: '2' });
    acceptSetVariables(cs);
    await c201().getVariables({ stationId: cs.id, payload: { getVariableData: five } });
    const bad = five.map((d) => ({ ...d, attributeValue: 'x'.repeat(1001) }));
    const refused = await rejection(
      c201().setVariables({ stationId: cs.id, payload: { setVariableData: bad } }),
    );
    expect(refused.code).toBe(Status.INVALID_ARGUMENT);
    expect(refused.violations.map((v) => v.field)).toEqual(['payload']);
    expect(cs.requests('SetVariables')).toEqual([]);
    await cs.close();
  });

  it('does not queue a request that needs several messages for an offline station', async () => {
    const cs = await booted201WithModel({ [ITEMS_GET]: '2' });
    await c201().getVariables({ stationId: cs.id, payload: { getVariableData: five } });
    await cs.close();
    const queue = { whenOffline: stationV1.WhenOffline.WHEN_OFFLINE_QUEUE };
    const refused = await eventually(async () => {
      const r = await rejection(
        c201().getVariables({ stationId: cs.id, payload: { getVariableData: five }, options: queue }),
      );
      return r.code === Status.UNAVAILABLE && r.reason === 'STATION_OFFLINE' ? r : undefined;
    });
    expect(refused).toMatchObject({ reason: 'STATION_OFFLINE' });
    expect(refused.message).toMatch(/needs 3 messages/);
    // One entry needs no split: it is queued as before.
    const one = await c201().getVariables({
      stationId: cs.id,
      payload: { getVariableData: five.slice(0, 1) },
      options: queue,
    });
    expect(one.queued?.id).toBeTruthy();
  });

  it('learns a limit from a GetVariables answer that passes through the generic Call', async () => {
    const cs = await booted201WithModel({ [ITEMS_GET]: '3' });
    const station = api.client(stationV1.StationServiceDefinition);
    await station.call({
      stationId: cs.id,
      action: 'GetVariables',
      payload: { getVariableData: [data('DeviceDataCtrlr', 'ItemsPerMessage', 'GetVariables')] },
    });
    await c201().getVariables({ stationId: cs.id, payload: { getVariableData: five } });
    expect(gets(cs).map((m) => m.length)).toEqual([1, 3, 2]);
    await cs.close();
  });
});

describe('1.6 GetConfiguration split by GetConfigurationMaxKeys (§5.8)', () => {
  it('asks GetConfigurationMaxKeys once, sends 5 keys as 2 + 2 + 1 and joins the keys in order', async () => {
    const cp = await connect16(csms);
    await booted16(cp);
    answerGetConfiguration(cp, {
      GetConfigurationMaxKeys: '2',
      HeartbeatInterval: '300',
      NumberOfConnectors: '1',
      MeterValueSampleInterval: '60',
      ConnectionTimeOut: '30',
    });
    const keys = [
      'HeartbeatInterval',
      'NumberOfConnectors',
      'NoSuchKey',
      'MeterValueSampleInterval',
      'ConnectionTimeOut',
    ];
    const answer = await c16().getConfiguration({ stationId: cp.id, payload: { key: keys } });
    expect(answer.payload?.configurationKey.map((k) => [k.key, k.value])).toEqual([
      ['HeartbeatInterval', '300'],
      ['NumberOfConnectors', '1'],
      ['MeterValueSampleInterval', '60'],
      ['ConnectionTimeOut', '30'],
    ]);
    expect(answer.payload?.unknownKey).toEqual(['NoSuchKey']);
    expect(cp.requests('GetConfiguration').map((r) => r.key)).toEqual([
      ['GetConfigurationMaxKeys'],
      ['HeartbeatInterval', 'NumberOfConnectors'],
      ['NoSuchKey', 'MeterValueSampleInterval'],
      ['ConnectionTimeOut'],
    ]);
    await c16().getConfiguration({ stationId: cp.id, payload: { key: keys.slice(0, 3) } });
    expect(
      cp
        .requests('GetConfiguration')
        .slice(4)
        .map((r) => r.key),
    ).toEqual([['HeartbeatInterval', 'NumberOfConnectors'], ['NoSuchKey']]);
    await cp.close();
  });

  it('a station that answers the question with a CALLERROR gets its requests unsplit, asked once', async () => {
    const cp = await connect16(csms);
    await booted16(cp);
    let calls = 0;
    cp.respond('GetConfiguration', ({ key }) => {
      calls += 1;
      if (calls === 1) throw new Error('station failure');
      return { configurationKey: (key ?? []).map((k) => ({ key: k, readonly: false, value: '1' })) };
    });
    for (let i = 0; i < 2; i++)
      await c16().getConfiguration({ stationId: cp.id, payload: { key: ['A', 'B', 'C'] } });
    expect(cp.requests('GetConfiguration').map((r) => r.key)).toEqual([
      ['GetConfigurationMaxKeys'],
      ['A', 'B', 'C'],
      ['A', 'B', 'C'],
    ]);
    await cp.close();
  });
});

describe('learned limits end with a firmware change', () => {
  it('asks a 1.6 station for GetConfigurationMaxKeys again after it booted with another firmware version', async () => {
    const cp = await connect16(csms);
    const boot = (firmwareVersion: string) =>
      cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M', firmwareVersion });
    expect((await boot('1.0.0')).status).toBe('Accepted');
    const model = {
      GetConfigurationMaxKeys: '2',
      HeartbeatInterval: '300',
      NumberOfConnectors: '1',
      ConnectionTimeOut: '30',
    };
    answerGetConfiguration(cp, model);
    const keys = ['HeartbeatInterval', 'NumberOfConnectors', 'ConnectionTimeOut'];
    const asked = () =>
      cp.requests('GetConfiguration').filter((r) => r.key?.[0] === 'GetConfigurationMaxKeys').length;
    await c16().getConfiguration({ stationId: cp.id, payload: { key: keys } });
    expect(asked()).toBe(1);
    // The same firmware again: the limit still holds.
    expect((await boot('1.0.0')).status).toBe('Accepted');
    await c16().getConfiguration({ stationId: cp.id, payload: { key: keys } });
    expect(asked()).toBe(1);
    // A new firmware (e.g. after UpdateFirmware) may take more keys per message: asked again, and used.
    answerGetConfiguration(cp, { ...model, GetConfigurationMaxKeys: '3' });
    expect((await boot('2.0.0')).status).toBe('Accepted');
    const before = cp.requests('GetConfiguration').length;
    await c16().getConfiguration({ stationId: cp.id, payload: { key: keys } });
    expect(asked()).toBe(2);
    expect(
      cp
        .requests('GetConfiguration')
        .slice(before)
        .map((r) => r.key),
    ).toEqual([['GetConfigurationMaxKeys'], keys]);
    await cp.close();
  });
});
