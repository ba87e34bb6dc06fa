/**
 * Durable queued commands end to end (docs/operations.md "Commands for offline stations"): through the
 * admin endpoint, a command for a disconnected station is queued (202), delivered when the station
 * connects again, and its outcome is read with `GET /v0/commands/{id}`.
 */
import { Subjects } from '@csms/bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201 } from '../support/octt-states.js';
import { connect16, connect201, eventually, uniqueId } from '../support/scenario.js';

const TOKEN = 'admin-token-queued-0123456789';

let csms: TestCsms;
beforeAll(async () => {
  csms = await startTestCsms({ env: { CSMS_ADMIN_TOKEN: TOKEN } });
});
afterAll(() => csms.close());

interface AdminAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function admin(method: string, path: string, body?: unknown): Promise<AdminAnswer> {
  const res = await fetch(`${csms.adminUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const calls = (stationId: string) => `/v0/stations/${encodeURIComponent(stationId)}/calls`;

/** Closes the station's socket and waits until the CSMS has seen it close. */
async function goOffline(station: { readonly id: string; close(): Promise<void> }): Promise<void> {
  let seen!: () => void;
  const disconnected = new Promise<void>((resolve) => (seen = resolve));
  const sub = await csms.bus.subscribe(Subjects.event(station.id, 'disconnected'), () => seen());
  await station.close();
  await disconnected;
  await sub.unsubscribe();
}

/** Collects the station's `command-completed` events. */
async function completions(stationId: string): Promise<Record<string, unknown>[]> {
  const events: Record<string, unknown>[] = [];
  await csms.bus.subscribe<Record<string, unknown>>(Subjects.event(stationId, 'command-completed'), (m) => {
    events.push(m.data);
  });
  return events;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('queued commands through the admin endpoint', () => {
  it('1.6: queues GetConfiguration for a disconnected station and delivers it when it is back', async () => {
    const cp = await connect16(csms);
    expect((await booted16(cp)).status).toBe('Accepted');
    await goOffline(cp);

    const request = {
      action: 'GetConfiguration',
      payload: { key: ['HeartbeatInterval'] },
      whenOffline: 'queue',
      queueTtlMs: 600_000,
    };
    const before = Date.now();
    const queued = await admin('POST', calls(cp.id), request);
    expect(queued.status).toBe(202);
    expect(queued.body).toEqual({
      status: 'queued',
      commandId: expect.stringMatching(/^[1-9][0-9]*$/) as string,
      expiresAt: expect.stringMatching(ISO) as string,
    });
    const expiresAt = Date.parse(queued.body.expiresAt as string);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 600_000 - 1_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 600_000 + 1_000);
    const path = `/v0/commands/${queued.body.commandId as string}`;
    const waiting = await admin('GET', path);
    expect(waiting).toEqual({
      status: 200,
      body: {
        commandId: queued.body.commandId,
        stationId: cp.id,
        action: 'GetConfiguration',
        payload: { key: ['HeartbeatInterval'] },
        status: 'queued',
        outcome: null,
        expiresAt: queued.body.expiresAt,
        createdAt: expect.stringMatching(ISO) as string,
        updatedAt: expect.stringMatching(ISO) as string,
      },
    });

    // Back: the station (an independent OCPP client) gets the CALL and answers it.
    const events = await completions(cp.id);
    const received: Record<string, unknown>[] = [];
    const answer = { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] };
    const client = await csms.connect({
      identity: cp.id,
      protocol: 'ocpp1.6',
      handlers: {
        GetConfiguration: (params) => {
          received.push(params);
          return answer;
        },
      },
    });
    const done = await eventually(async () => {
      const r = await admin('GET', path);
      return r.body.status === 'done' ? r : undefined;
    });
    expect(received).toEqual([{ key: ['HeartbeatInterval'] }]);
    expect(done.body).toMatchObject({
      status: 'done',
      outcome: { status: 'result', payload: answer },
      expiresAt: queued.body.expiresAt,
    });
    await eventually(() => events.length === 1);
    expect(events[0]).toMatchObject({
      stationId: cp.id,
      type: 'command-completed',
      commandId: queued.body.commandId,
      action: 'GetConfiguration',
      status: 'done',
      outcome: { status: 'result', payload: answer },
    });
    // Delivered once: another BootNotification on the same connection sends nothing more.
    expect(
      await client.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }),
    ).toMatchObject({ status: 'Accepted' });
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(1);
  });

  it('2.0.1: queues GetVariables for a disconnected station and delivers it after it reconnects', async () => {
    const cs = await connect201(csms);
    expect((await booted201(cs)).status).toBe('Accepted');
    await goOffline(cs);

    const payload = {
      getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
    };
    const queued = await admin('POST', calls(cs.id), {
      action: 'GetVariables',
      payload,
      whenOffline: 'queue',
    });
    expect(queued.status).toBe(202);
    expect(queued.body.status).toBe('queued');
    const path = `/v0/commands/${queued.body.commandId as string}`;

    const result = {
      getVariableResult: [
        {
          attributeStatus: 'Accepted',
          attributeValue: '300',
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
        },
      ],
    };
    const received: Record<string, unknown>[] = [];
    const client = await csms.connect({
      identity: cs.id,
      protocol: 'ocpp2.0.1',
      handlers: {
        GetVariables: (params) => {
          received.push(params);
          return result;
        },
      },
    });
    expect(
      await client.call('BootNotification', {
        reason: 'PowerUp',
        chargingStation: { model: 'M', vendorName: 'V' },
      }),
    ).toMatchObject({ status: 'Accepted' });
    const done = await eventually(async () => {
      const r = await admin('GET', path);
      return r.body.status === 'done' ? r : undefined;
    });
    expect(received).toEqual([payload]);
    expect(done.body).toMatchObject({
      stationId: cs.id,
      action: 'GetVariables',
      status: 'done',
      outcome: { status: 'result', payload: result },
    });
  });

  it('reports a command that expired before the station came back as expired, and never sends it', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    await goOffline(cs);
    const queued = await admin('POST', calls(cs.id), {
      action: 'ClearCache',
      payload: {},
      whenOffline: 'queue',
      queueTtlMs: 1,
    });
    expect(queued.status).toBe(202);
    await new Promise((r) => setTimeout(r, 20));
    const path = `/v0/commands/${queued.body.commandId as string}`;
    expect((await admin('GET', path)).body).toMatchObject({ status: 'expired', outcome: null });
    const received: unknown[] = [];
    await csms.connect({
      identity: cs.id,
      protocol: 'ocpp2.0.1',
      handlers: { ClearCache: (p) => (received.push(p), { status: 'Accepted' }) },
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toEqual([]);
    expect((await admin('GET', path)).body).toMatchObject({ status: 'expired', outcome: null });
  });

  it('answers 409 offline for a station never seen, even with whenOffline queue', async () => {
    expect(
      await admin('POST', calls(uniqueId('NEVER')), {
        action: 'ClearCache',
        payload: {},
        whenOffline: 'queue',
      }),
    ).toEqual({ status: 409, body: { status: 'offline' } });
  });

  it('answers 400 for bad whenOffline / queueTtlMs and 404 / 405 for GET /v0/commands', async () => {
    const cases: Array<[unknown, string]> = [
      [
        { action: 'ClearCache', payload: {}, whenOffline: 'later' },
        '"whenOffline" must be "reject" or "queue"',
      ],
      [{ action: 'ClearCache', payload: {}, queueTtlMs: 1000 }, '"queueTtlMs" needs "whenOffline": "queue"'],
      [
        { action: 'ClearCache', payload: {}, whenOffline: 'reject', queueTtlMs: 1000 },
        '"queueTtlMs" needs "whenOffline": "queue"',
      ],
      [
        { action: 'ClearCache', payload: {}, whenOffline: 'queue', queueTtlMs: 0 },
        '"queueTtlMs" must be an integer from 1 to 604800000',
      ],
      [
        { action: 'ClearCache', payload: {}, whenOffline: 'queue', queueTtlMs: 604_800_001 },
        '"queueTtlMs" must be an integer from 1 to 604800000',
      ],
      [
        { action: 'ClearCache', payload: {}, whenOffline: 'queue', queueTtlMs: '60000' },
        '"queueTtlMs" must be an integer from 1 to 604800000',
      ],
    ];
    for (const [body, error] of cases) {
      expect(await admin('POST', calls('ANY-STATION'), body)).toEqual({ status: 400, body: { error } });
    }
    expect(await admin('GET', '/v0/commands/999999999')).toEqual({
      status: 404,
      body: { error: 'unknown command 999999999' },
    });
    expect(await admin('GET', '/v0/commands/not-a-number')).toEqual({
      status: 404,
      body: { error: 'unknown command not-a-number' },
    });
    expect(await admin('POST', '/v0/commands/1', {})).toEqual({ status: 405, body: { error: 'use GET' } });
    const noToken = await fetch(`${csms.adminUrl}/v0/commands/1`);
    expect(noToken.status).toBe(401);
  });
});
