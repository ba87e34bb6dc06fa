/**
 * The admin HTTP endpoint of the embedded CSMS (docs/operations.md "Sending commands to stations"): health,
 * bearer token, CSMS-initiated calls and their outcomes mapped to HTTP statuses, boot policies, bad requests.
 */
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201, MODEL, VENDOR } from '../support/octt-states.js';
import { RawStation } from '../support/raw-station.js';
import { connect16, connect201, uniqueId } from '../support/scenario.js';

const TOKEN = 'admin-token-0123456789abcdef';

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms({ env: { CSMS_ADMIN_TOKEN: TOKEN } });
});
afterAll(() => csms.close());

interface AdminAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function admin(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = TOKEN,
): Promise<AdminAnswer> {
  const res = await fetch(`${csms.adminUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

function calls(stationId: string): string {
  return `/v0/stations/${encodeURIComponent(stationId)}/calls`;
}

const GET_VARIABLES = {
  action: 'GetVariables',
  payload: {
    getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
  },
};
const GET_VARIABLES_RESULT: V201.GetVariablesResponse = {
  getVariableResult: [
    {
      attributeStatus: 'Accepted',
      attributeValue: '300',
      component: { name: 'OCPPCommCtrlr' },
      variable: { name: 'HeartbeatInterval' },
    },
  ],
};

describe('admin endpoint: health and authentication', () => {
  it('answers /healthz and /readyz without a token', async () => {
    expect(await admin('GET', '/healthz', undefined, null)).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
    expect(await admin('GET', '/readyz', undefined, null)).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
  });

  it('refuses calls and boot-policy changes without or with a wrong bearer token (401)', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    for (const token of [null, 'wrong-token', `${TOKEN}x`]) {
      const call = await admin('POST', calls(cs.id), GET_VARIABLES, token);
      expect(call.status).toBe(401);
      expect(call.headers.get('www-authenticate')).toBe('Bearer');
      expect(call.body).toEqual({ error: 'missing or wrong bearer token' });
      const policy = await admin('PUT', `/v0/stations/${cs.id}/boot-policy`, { policy: 'Rejected' }, token);
      expect(policy.status).toBe(401);
    }
    // Nothing reached the station, and its policy is unchanged.
    expect(cs.received).toEqual([]);
    expect(
      (
        await cs.call('BootNotification', {
          reason: 'PowerUp',
          chargingStation: { model: MODEL, vendorName: VENDOR },
        })
      ).status,
    ).toBe('Accepted');
  });
});

describe('admin endpoint: POST /v0/stations/{id}/calls', () => {
  it('sends a 2.0.1 CALL and answers 200 with the CALLRESULT', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    cs.respond('GetVariables', GET_VARIABLES_RESULT);
    const answer = await admin('POST', calls(cs.id), GET_VARIABLES);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'result', payload: GET_VARIABLES_RESULT });
    expect(cs.requests('GetVariables')).toEqual([GET_VARIABLES.payload]);
  });

  it('sends a 1.6 CALL and answers 200 with the CALLRESULT', async () => {
    const cp = await connect16(csms);
    await booted16(cp);
    cp.respond('GetConfiguration', {
      configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }],
    });
    const answer = await admin('POST', calls(cp.id), {
      action: 'GetConfiguration',
      payload: { key: ['HeartbeatInterval'] },
    });
    expect(answer).toMatchObject({
      status: 200,
      body: {
        status: 'result',
        payload: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] },
      },
    });
    expect(cp.requests('GetConfiguration')).toEqual([{ key: ['HeartbeatInterval'] }]);
  });

  it('answers 502 call-error when the station answers with a CALLERROR', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    // No responder: the simulated station answers NotImplemented.
    const answer = await admin('POST', calls(cs.id), { action: 'ClearCache', payload: {} });
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ status: 'call-error', code: 'NotImplemented' });
  });

  it('answers 502 invalid-response when the station answers with a schema-violating payload', async () => {
    const id = uniqueId('ADM-RAW');
    const raw = await RawStation.connect(`${csms.endpoint}/${id}`, 'ocpp2.0.1');
    const boot = await raw.call('b1', 'BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: MODEL, vendorName: VENDOR },
    });
    expect(boot).toMatchObject([3, 'b1', { status: 'Accepted' }]);
    const pending = admin('POST', calls(id), { action: 'ClearCache', payload: {} });
    const call = (await raw.next()) as [number, string, string, unknown];
    expect(call[0]).toBe(2);
    expect(call.slice(2)).toEqual(['ClearCache', {}]);
    raw.send([3, call[1], { status: 'Maybe' }]);
    const answer = await pending;
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({
      status: 'invalid-response',
      payload: { status: 'Maybe' },
      code: 'PropertyConstraintViolation',
    });
    raw.close();
  });

  it('answers 400 invalid-request for a payload violating the request schema, and sends nothing', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    const answer = await admin('POST', calls(cs.id), { action: 'Reset', payload: {} });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: 'invalid-request', code: 'OccurrenceConstraintViolation' });
    const cp = await connect16(csms);
    await booted16(cp);
    const v16 = await admin('POST', calls(cp.id), { action: 'Reset', payload: { type: 5 } });
    expect(v16.status).toBe(400);
    expect(v16.body).toMatchObject({ status: 'invalid-request', code: 'TypeConstraintViolation' });
    const missing = await admin('POST', calls(cp.id), {
      action: 'ChangeConfiguration',
      payload: { key: 'K' },
    });
    expect(missing.body).toMatchObject({ status: 'invalid-request', code: 'OccurenceConstraintViolation' });
    expect(cs.received).toEqual([]);
    expect(cp.received).toEqual([]);
  });

  it('answers 400 not-supported for a station-sent or unknown action', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    for (const action of ['BootNotification', 'RemoteStartTransaction', 'FooBar']) {
      const answer = await admin('POST', calls(cs.id), { action, payload: {} });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ status: 'not-supported' });
    }
    expect(cs.received).toEqual([]);
  });

  it('answers 409 offline for a station that is not connected (unknown or gone)', async () => {
    expect(
      await admin('POST', calls('NEVER-CONNECTED'), { action: 'ClearCache', payload: {} }),
    ).toMatchObject({
      status: 409,
      body: { status: 'offline' },
    });
    const cs = await connect201(csms);
    await booted201(cs);
    await cs.close();
    const gone = await admin('POST', calls(cs.id), { action: 'ClearCache', payload: {} });
    expect(gone).toMatchObject({ status: 409, body: { status: 'offline' } });
  });

  it('answers 409 refused for a Rejected station (B03.FR.03), without sending', async () => {
    const cs = await connect201(csms);
    expect((await admin('PUT', `/v0/stations/${cs.id}/boot-policy`, { policy: 'Rejected' })).status).toBe(
      200,
    );
    expect((await booted201(cs)).status).toBe('Rejected');
    const answer = await admin('POST', calls(cs.id), { action: 'ClearCache', payload: {} });
    expect(answer).toMatchObject({ status: 409, body: { status: 'refused', reason: 'station-rejected' } });
    expect(cs.received).toEqual([]);
  });

  it('answers 504 timeout when the station does not answer within timeoutMs', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    cs.respond('ClearCache', () => new Promise<never>(() => {}));
    const answer = await admin('POST', calls(cs.id), { action: 'ClearCache', payload: {}, timeoutMs: 200 });
    expect(answer).toMatchObject({ status: 504, body: { status: 'timeout' } });
    expect(cs.requests('ClearCache')).toEqual([{}]);
  });

  it('answers 400 for malformed requests', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    const cases: Array<[unknown, string]> = [
      ['{not json', 'body is not valid JSON'],
      [{ payload: {} }, '"action" must be a non-empty string'],
      [{ action: '', payload: {} }, '"action" must be a non-empty string'],
      [{ action: 'ClearCache' }, '"payload" must be a JSON object'],
      [{ action: 'ClearCache', payload: [] }, '"payload" must be a JSON object'],
      [
        { action: 'ClearCache', payload: {}, timeoutMs: 50 },
        '"timeoutMs" must be an integer from 100 to 600000',
      ],
      [
        { action: 'ClearCache', payload: {}, timeoutMs: 'x' },
        '"timeoutMs" must be an integer from 100 to 600000',
      ],
    ];
    for (const [body, error] of cases) {
      expect(await admin('POST', calls(cs.id), body)).toMatchObject({ status: 400, body: { error } });
    }
    expect(cs.received).toEqual([]);
  });

  it('answers 404 for unknown endpoints and 405 for the wrong method', async () => {
    expect(await admin('GET', '/v0/nothing')).toMatchObject({ status: 404 });
    expect(await admin('POST', '/v0/stations/X/other', {})).toMatchObject({ status: 404 });
    expect(await admin('GET', calls('X'))).toMatchObject({ status: 405, body: { error: 'use POST' } });
    expect(await admin('POST', '/v0/stations/X/boot-policy', { policy: 'Accepted' })).toMatchObject({
      status: 405,
      body: { error: 'use PUT' },
    });
  });
});

describe('admin endpoint: PUT /v0/stations/{id}/boot-policy', () => {
  it('sets Pending, Accepted and the default (null) for a known station', async () => {
    const cs = await connect201(csms);
    const path = `/v0/stations/${cs.id}/boot-policy`;
    expect(await admin('PUT', path, { policy: 'Pending' })).toEqual({
      status: 200,
      headers: expect.anything() as Headers,
      body: { stationId: cs.id, policy: 'Pending' },
    });
    expect((await booted201(cs)).status).toBe('Pending');
    expect((await admin('PUT', path, { policy: 'Accepted' })).body).toEqual({
      stationId: cs.id,
      policy: 'Accepted',
    });
    expect((await booted201(cs)).status).toBe('Accepted');
    expect((await admin('PUT', path, { policy: null })).body).toEqual({ stationId: cs.id, policy: null });
    const row = await csms.database.db
      .selectFrom('stations')
      .select(['boot_policy', 'registration_status'])
      .where('id', '=', cs.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ boot_policy: null, registration_status: 'Accepted' });
  });

  it('answers 404 for an unknown station and 400 for an invalid policy', async () => {
    expect(
      await admin('PUT', '/v0/stations/NO-SUCH-STATION/boot-policy', { policy: 'Accepted' }),
    ).toMatchObject({
      status: 404,
      body: { error: 'unknown station NO-SUCH-STATION' },
    });
    const cs = await connect201(csms);
    for (const body of [{ policy: 'accepted' }, { policy: 1 }, {}]) {
      expect(await admin('PUT', `/v0/stations/${cs.id}/boot-policy`, body)).toMatchObject({
        status: 400,
        body: { error: '"policy" must be "Accepted", "Pending", "Rejected" or null' },
      });
    }
  });

  it('decodes percent-encoded station ids', async () => {
    const id = 'ADM station.1*';
    const cs = await connect201(csms, { id });
    await booted201(cs);
    cs.respond('ClearCache', { status: 'Accepted' });
    const answer = await admin('POST', calls(id), { action: 'ClearCache', payload: {} });
    expect(answer).toMatchObject({
      status: 200,
      body: { status: 'result', payload: { status: 'Accepted' } },
    });
    expect(
      (await admin('PUT', `/v0/stations/${encodeURIComponent(id)}/boot-policy`, { policy: 'Pending' })).body,
    ).toEqual({
      stationId: id,
      policy: 'Pending',
    });
    expect(
      await admin('POST', '/v0/stations/%E0%A4%A/calls', { action: 'ClearCache', payload: {} }),
    ).toMatchObject({
      status: 400,
      body: { error: 'station id is not valid percent-encoding' },
    });
  });
});
