/**
 * The typed OCPP command services (csms.ocpp16.v1.Ocpp16Service, csms.ocpp201.v1.Ocpp201Service) end to
 * end: an embedded CSMS, a real gRPC server with the services, a nice-grpc client, and independent OCPP
 * stations (ocpp-rpc, strict mode: it validates what it receives and what it answers).
 */
import { Subjects } from '@csms/bus';
import {
  connectApi,
  ocpp16V1,
  ocpp201V1,
  startApiServer,
  Status,
  stationV1,
  type ApiConnection,
  type ApiServer,
} from '@csms/grpc';
import { V16_ACTIONS, V201_ACTIONS } from '@csms/ocpp';
import { createOcpp16Service, createOcpp201Service } from '@csms/station-api';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201 } from '../support/octt-states.js';
import {
  actionsOf,
  callTypedAction,
  codec,
  samples,
  V16,
  V201,
  type JsonObject,
  type Version,
} from '../support/ocpp-command-samples.js';
import { connect16, connect201, eventually, uniqueId, type SimStation } from '../support/scenario.js';
import { rejection } from '../support/grpc-rejection.js';

// ---------------------------------------------------------------------------------------------------------------

let csms: TestCsms;
let server: ApiServer;
let api: ApiConnection;
let c16: ReturnType<typeof client16>;
let c201: ReturnType<typeof client201>;
const client16 = () => api.client(ocpp16V1.Ocpp16ServiceDefinition);
const client201 = () => api.client(ocpp201V1.Ocpp201ServiceDefinition);
const silent = { error: () => undefined, debug: () => undefined };
const silentLogger = createLogger({ service: 'ocpp-commands-test', level: 'silent' });

beforeAll(async () => {
  csms = await startTestCsms();
  server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger: silent }, [
    createOcpp16Service({ stations: csms.stations, db: csms.database.db, logger: silentLogger }),
    createOcpp201Service({ stations: csms.stations, db: csms.database.db, logger: silentLogger }),
  ]);
  api = connectApi({ address: `127.0.0.1:${server.port}` });
  c16 = client16();
  c201 = client201();
});
afterAll(async () => {
  api.close();
  await server.stop();
  await csms.close();
});

/** Calls one typed RPC generically: request and response as OCPP JSON. */
function callAction(
  version: Version,
  action: string,
  stationId: string,
  payload: JsonObject,
): Promise<unknown> {
  return callTypedAction(api, version, action, stationId, payload);
}

/** Closes the station's socket and waits until the CSMS has seen it close. */
async function goOffline(station: { readonly id: string; close(): Promise<void> }): Promise<void> {
  let seen!: () => void;
  const disconnected = new Promise<void>((resolve) => (seen = resolve));
  const sub = await csms.bus.subscribe(Subjects.event(station.id, 'disconnected'), () => seen());
  await station.close();
  await disconnected;
  await sub.unsubscribe();
}

describe('the generated services', () => {
  it('have one RPC per CSMS-initiated action of each version, named after the action', () => {
    expect(actionsOf(V16)).toContain('SetChargingProfile');
    expect(actionsOf(V16)).toContain('GetLog'); // Security Whitepaper
    expect(actionsOf(V16)).toContain('DataTransfer'); // sent by both sides
    expect(actionsOf(V16)).not.toContain('BootNotification');
    expect(actionsOf(V16)).toHaveLength(26);
    expect(actionsOf(V201)).toContain('RequestStartTransaction');
    expect(actionsOf(V201)).not.toContain('TransactionEvent');
    const csmsSent = (table: Readonly<Record<string, string>>) =>
      Object.keys(table).filter((action) => table[action] === 'csms' || table[action] === 'both');
    expect(actionsOf(V16).sort()).toEqual(csmsSent(V16_ACTIONS).sort());
    expect(actionsOf(V201).sort()).toEqual(csmsSent(V201_ACTIONS).sort());
  });

  for (const version of [V16, V201]) {
    it(`${version.label}: proto3 JSON of every payload message equals the OCPP JSON (round trip)`, () => {
      for (const action of actionsOf(version)) {
        for (const mode of ['minimal', 'full'] as const) {
          const { request, response } = samples(version, action, mode);
          for (const [name, json] of [
            [`${action}Request`, request],
            [`${action}Response`, response],
          ] as const) {
            const message = codec(version, name);
            expect(message.toJSON(message.fromJSON(json)), `${name} (${mode})`).toEqual(json);
          }
        }
      }
    });
  }
});

describe('typed OCPP 1.6 commands', () => {
  it('SetChargingProfile with a schedule reaches the station as the exact OCPP JSON', async () => {
    const cp = await connect16(csms);
    await booted16(cp);
    cp.respond('SetChargingProfile', { status: 'Accepted' });
    const profile = {
      connectorId: 0,
      csChargingProfiles: {
        chargingProfileId: 11,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile' as const,
        chargingProfileKind: 'Absolute' as const,
        validFrom: '2025-01-01T00:00:00.000Z',
        chargingSchedule: {
          duration: 7200,
          startSchedule: '2025-01-01T00:00:00.000Z',
          chargingRateUnit: 'A' as const,
          chargingSchedulePeriod: [
            { startPeriod: 0, limit: 16 },
            { startPeriod: 3600, limit: 8.5, numberPhases: 3 },
          ],
          minChargingRate: 6,
        },
      },
    };
    const answer = await c16.setChargingProfile({ stationId: cp.id, payload: profile });
    expect(answer).toEqual({ payload: { status: 'Accepted' }, queued: undefined });
    expect(cp.requests('SetChargingProfile')).toEqual([profile]);
    await cp.close();
  });

  it('GetConfiguration and ChangeAvailability keep zero values (connectorId 0, readonly false)', async () => {
    const cp = await connect16(csms);
    await booted16(cp);
    cp.respond('GetConfiguration', {
      configurationKey: [
        { key: 'HeartbeatInterval', readonly: false, value: '300' },
        { key: 'NumberOfConnectors', readonly: true, value: '1' },
      ],
      unknownKey: ['Nope'],
    });
    cp.respond('ChangeAvailability', { status: 'Scheduled' });
    const config = await c16.getConfiguration({
      stationId: cp.id,
      payload: { key: ['HeartbeatInterval', 'NumberOfConnectors', 'Nope'] },
    });
    expect(config.payload?.configurationKey).toEqual([
      { key: 'HeartbeatInterval', readonly: false, value: '300' },
      { key: 'NumberOfConnectors', readonly: true, value: '1' },
    ]);
    expect(config.payload?.unknownKey).toEqual(['Nope']);
    const availability = await c16.changeAvailability({
      stationId: cp.id,
      payload: { connectorId: 0, type: 'Inoperative' },
    });
    expect(availability.payload).toEqual({ status: 'Scheduled' });
    expect(cp.requests('ChangeAvailability')).toEqual([{ connectorId: 0, type: 'Inoperative' }]);
    await cp.close();
  });
});

describe('typed OCPP 2.0.1 commands', () => {
  it('SetVariables and GetVariables with nested component/variable messages and customData', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    const component = { name: 'OCPPCommCtrlr', evse: { id: 0 } };
    const variable = { name: 'HeartbeatInterval' };
    cs.respond('SetVariables', (request) => ({
      setVariableResult: request.setVariableData.map((d) => ({
        attributeType: 'Actual' as const,
        attributeStatus: 'Accepted' as const,
        component: d.component,
        variable: d.variable,
      })),
    }));
    cs.respond('GetVariables', {
      getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '300', component, variable }],
    });
    const customData = { vendorId: 'ACME', note: { deep: [1, 'two', false] } };
    const set = await c201.setVariables({
      stationId: cs.id,
      payload: {
        customData,
        setVariableData: [{ attributeType: 'Actual', attributeValue: '300', component, variable }],
      },
    });
    expect(set.payload?.setVariableResult).toEqual([
      { attributeType: 'Actual', attributeStatus: 'Accepted', component, variable },
    ]);
    expect(cs.requests('SetVariables')).toEqual([
      {
        customData,
        setVariableData: [{ attributeType: 'Actual', attributeValue: '300', component, variable }],
      },
    ]);
    const got = await c201.getVariables({
      stationId: cs.id,
      payload: { getVariableData: [{ component, variable }] },
    });
    expect(got.payload?.getVariableResult).toEqual([
      { attributeStatus: 'Accepted', attributeValue: '300', component, variable },
    ]);
    await cs.close();
  });

  it('RequestStartTransaction with an idToken, and Reset with evseId 0', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    cs.respond('RequestStartTransaction', { status: 'Accepted', transactionId: 'TX-1' });
    cs.respond('Reset', { status: 'Scheduled' });
    const idToken = {
      idToken: 'TAG-0001',
      type: 'ISO14443' as const,
      additionalInfo: [{ additionalIdToken: 'GROUP-1', type: 'GroupId' }],
    };
    const start = await c201.requestStartTransaction({
      stationId: cs.id,
      payload: { evseId: 1, remoteStartId: 0, idToken },
    });
    expect(start.payload).toEqual({ status: 'Accepted', transactionId: 'TX-1' });
    expect(cs.requests('RequestStartTransaction')).toEqual([{ evseId: 1, remoteStartId: 0, idToken }]);
    const reset = await c201.reset({ stationId: cs.id, payload: { type: 'OnIdle', evseId: 0 } });
    expect(reset.payload).toEqual({ status: 'Scheduled' });
    expect(cs.requests('Reset')).toEqual([{ type: 'OnIdle', evseId: 0 }]);
    await cs.close();
  });
});

describe('every RPC once (smoke test with minimal payloads from the schemas)', () => {
  for (const version of [V16, V201]) {
    it(`${version.label}: every action reaches the station and its minimal answer comes back`, async () => {
      const station: SimStation<never> =
        version === V16
          ? ((await connect16(csms)) as unknown as SimStation<never>)
          : ((await connect201(csms)) as unknown as SimStation<never>);
      const respond = station.respond.bind(station) as (action: string, answer: unknown) => void;
      const actions = actionsOf(version);
      for (const action of actions) respond(action, samples(version, action, 'minimal').response);
      for (const action of actions) {
        const { request, response } = samples(version, action, 'minimal');
        expect(await callAction(version, action, station.id, request), action).toEqual(response);
        expect(station.received.at(-1), action).toEqual({ action, payload: request });
      }
      expect(station.received.map((r) => r.action)).toEqual(actions);
      await station.close();
    });
  }
});

describe('errors', () => {
  it('an unknown station is UNAVAILABLE (STATION_OFFLINE)', async () => {
    const error = await rejection(c16.clearCache({ stationId: uniqueId('NEVER-SEEN'), payload: {} }));
    expect(error).toMatchObject({ code: Status.UNAVAILABLE, reason: 'STATION_OFFLINE' });
  });

  it('a station that disconnects before answering is UNAVAILABLE (STATION_DISCONNECTED), not offline', async () => {
    const cp = await connect16(csms);
    await booted16(cp);
    // The station receives the Reset, then drops its connection without answering.
    cp.respond('Reset', async () => {
      await cp.client.close({ force: true });
      return new Promise<never>(() => undefined);
    });
    const error = await rejection(c16.reset({ stationId: cp.id, payload: { type: 'Soft' } }));
    expect(error).toMatchObject({ code: Status.UNAVAILABLE, reason: 'STATION_DISCONNECTED' });
    expect(error.message).toMatch(/may or may not have acted on it/);
    expect(cp.received.map((r) => r.action)).toEqual(['Reset']);
  });

  it('a payload missing a required field is INVALID_ARGUMENT with a field violation', async () => {
    const cp = await connect16(csms);
    await booted16(cp);
    const error = await rejection(c16.reset({ stationId: cp.id, payload: {} }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.violations).toHaveLength(1);
    expect(error.violations[0]?.field).toBe('payload');
    expect(error.violations[0]?.description).toMatch(/type/);
    expect(cp.received).toEqual([]);
    await cp.close();
  });

  it('a bad station id or a missing payload is INVALID_ARGUMENT before anything is sent', async () => {
    const bad = await rejection(c201.clearCache({ stationId: 'no/slash' }));
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field).sort()).toEqual(['payload', 'station_id']);
    const long = await rejection(c201.clearCache({ stationId: 'x'.repeat(49), payload: {} }));
    expect(long.violations).toEqual([{ field: 'station_id', description: 'must be at most 48 characters' }]);
    const empty = await rejection(c16.clearCache({ stationId: '', payload: {} }));
    expect(empty.violations.map((v) => v.field)).toEqual(['station_id']);
    const options = await rejection(
      c16.clearCache({ stationId: 'CP-1', payload: {}, options: { timeoutMs: 0 } }),
    );
    expect(options.violations.map((v) => v.field)).toEqual(['options.timeout_ms']);
  });

  it('a CALLERROR from the station is FAILED_PRECONDITION (STATION_CALL_ERROR) with its code', async () => {
    const cs = await connect201(csms); // answers every CSMS call with CALLERROR NotImplemented
    await booted201(cs);
    const error = await rejection(c201.clearCache({ stationId: cs.id, payload: {} }));
    expect(error).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: 'STATION_CALL_ERROR' });
    expect(error.metadata).toMatchObject({ code: 'NotImplemented', action: 'ClearCache', stationId: cs.id });
    await cs.close();
  });

  it('a station of the other OCPP version is FAILED_PRECONDITION (VERSION_MISMATCH), nothing is sent', async () => {
    const cp = await connect16(csms);
    await booted16(cp);
    const cs = await connect201(csms);
    await booted201(cs);
    // ClearCache {} is a valid payload in both versions: only the version check can stop it.
    const to16 = await rejection(c201.clearCache({ stationId: cp.id, payload: {} }));
    expect(to16).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: 'VERSION_MISMATCH' });
    const to201 = await rejection(c16.reset({ stationId: cs.id, payload: { type: 'Hard' } }));
    expect(to201).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: 'VERSION_MISMATCH' });
    // Also for an offline station whose last version is known, even when queueing was asked for.
    await goOffline(cp);
    const queued = await rejection(
      c201.clearCache({
        stationId: cp.id,
        payload: {},
        options: { whenOffline: stationV1.WhenOffline.WHEN_OFFLINE_QUEUE },
      }),
    );
    expect(queued).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: 'VERSION_MISMATCH' });
    expect(cp.received).toEqual([]);
    expect(cs.received).toEqual([]);
    await cs.close();
  });

  it('no answer: the station timeout is DEADLINE_EXCEEDED (STATION_TIMEOUT), the gRPC deadline ends the call', async () => {
    const never = () => new Promise<never>(() => undefined);
    const slow1 = await connect16(csms);
    await booted16(slow1);
    slow1.respond('ClearCache', never);
    const timeout = await rejection(
      c16.clearCache({ stationId: slow1.id, payload: {}, options: { timeoutMs: 200 } }),
    );
    expect(timeout).toMatchObject({ code: Status.DEADLINE_EXCEEDED, reason: 'STATION_TIMEOUT' });

    const slow2 = await connect201(csms);
    await booted201(slow2);
    slow2.respond('ClearCache', never);
    const started = Date.now();
    const deadline = await rejection(
      // The station timeout (1 s) is longer than the deadline (50 ms): the deadline must end the call.
      c201.clearCache(
        { stationId: slow2.id, payload: {}, options: { timeoutMs: 1_000 } },
        { deadline: new Date(Date.now() + 50) },
      ),
    );
    expect(deadline.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(deadline.reason).toBeUndefined(); // the client's deadline, not STATION_TIMEOUT
    expect(Date.now() - started).toBeLessThan(900);
    await eventually(() => slow2.requests('ClearCache').length === 1);
    // A graceful close would wait for the handlers that never answer.
    await slow1.client.close({ force: true });
    await slow2.client.close({ force: true });
  });

  it('an offline known station with when_offline QUEUE: the call is queued and delivered on reconnect', async () => {
    const first = await connect16(csms);
    await booted16(first);
    await goOffline(first);
    const before = Date.now();
    const answer = await c16.getConfiguration({
      stationId: first.id,
      payload: { key: ['HeartbeatInterval'] },
      options: { whenOffline: stationV1.WhenOffline.WHEN_OFFLINE_QUEUE, queueTtlMs: 600_000 },
    });
    expect(answer.payload).toBeUndefined();
    expect(answer.queued?.id).toMatch(/^[1-9][0-9]*$/);
    expect(answer.queued?.expireTime?.getTime()).toBeGreaterThanOrEqual(before + 600_000 - 1_000);

    const again = await connect16(csms, { id: first.id });
    again.respond('GetConfiguration', { configurationKey: [{ key: 'HeartbeatInterval', readonly: false }] });
    await booted16(again);
    await eventually(() => again.requests('GetConfiguration').length === 1, 10_000);
    expect(again.requests('GetConfiguration')).toEqual([{ key: ['HeartbeatInterval'] }]);
    await again.close();
  });
});
