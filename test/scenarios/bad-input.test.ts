/**
 * Bad input at the system level (real edge, worker and database): every malformed frame is answered with the
 * exact CALLERROR of its OCPP version (or the socket closed, for an oversized frame), refused upgrades get their
 * HTTP status, a second connection of a station replaces the first, and other stations are never affected.
 */
import { Subjects, type ConnectionEvent } from '@csms/bus';
import type { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_FRAMES } from '../support/bad-frames.js';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201, MODEL, VENDOR } from '../support/octt-states.js';
import { basicAuth, RawStation, rawUpgrade } from '../support/raw-station.js';
import { connect16, connect201, eventually } from '../support/scenario.js';

type Version = 'ocpp1.6' | 'ocpp2.0.1';
const VERSIONS: readonly Version[] = ['ocpp1.6', 'ocpp2.0.1'];
const short = (v: Version): string => (v === 'ocpp1.6' ? '16' : '201');
const MAX_PAYLOAD = 16_384;
const FRESH_PER_VERSION = 40;
const PASSWORD = 'bad-input-password-0001';

let csms: TestCsms;

beforeAll(async () => {
  const ids = VERSIONS.flatMap((v) => [
    `BAD${short(v)}`,
    `GOOD${short(v)}`,
    `DUP${short(v)}`,
    `BIG${short(v)}`,
    ...Array.from({ length: FRESH_PER_VERSION }, (_, i) => `FRESH${short(v)}-${i}`),
  ]);
  csms = await startTestCsms({
    env: { CSMS_AUTO_REGISTER: 'false', CSMS_MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD) },
    seed: [
      'stations:',
      ...ids.map((id) => `  - { id: "${id}", securityProfile: 0 }`),
      `  - { id: "PROTECTED", securityProfile: 1, password: "${PASSWORD}" }`,
    ].join('\n'),
  });
});
afterAll(() => csms.close());

function bootPayload(version: Version): Record<string, unknown> {
  return version === 'ocpp1.6'
    ? { chargePointVendor: VENDOR, chargePointModel: MODEL }
    : { reason: 'PowerUp', chargingStation: { model: MODEL, vendorName: VENDOR } };
}

/** A raw socket station that has booted (Accepted), so that its other CALLs pass the registration gate. */
async function rawBooted(version: Version, id: string): Promise<RawStation> {
  const raw = await RawStation.connect(`${csms.endpoint}/${id}`, version);
  expect(await raw.call('boot', 'BootNotification', bootPayload(version))).toMatchObject([
    3,
    'boot',
    { status: 'Accepted' },
  ]);
  return raw;
}

describe.each(VERSIONS)('%s: bad input from a station', (version) => {
  const v = short(version);
  let good: RPCClient;
  let fresh = 0;

  beforeAll(async () => {
    if (version === 'ocpp1.6') {
      const cp = await connect16(csms, { id: `GOOD${v}` });
      expect((await booted16(cp)).status).toBe('Accepted');
      good = cp.client;
    } else {
      const cs = await connect201(csms, { id: `GOOD${v}` });
      expect((await booted201(cs)).status).toBe('Accepted');
      good = cs.client;
    }
  });

  /** Another connected station is still served, and a new station can connect and boot. */
  async function othersStillServed(): Promise<void> {
    const heartbeat = (await good.call('Heartbeat', {})) as { currentTime: string };
    expect(Date.parse(heartbeat.currentTime)).not.toBeNaN();
    const station = await rawBooted(version, `FRESH${v}-${fresh++}`);
    expect(await station.call('hb', 'Heartbeat', {})).toEqual([
      3,
      'hb',
      { currentTime: expect.any(String) as string },
    ]);
    station.close();
  }

  it.each(BAD_FRAMES[version])(
    '%s → the exact CALLERROR, the connection survives',
    async (_name, text, expected) => {
      const bad = await rawBooted(version, `BAD${v}`);
      bad.send(text);
      await expect(bad.next()).resolves.toEqual(expected);
      await expect(bad.call('ok', 'Heartbeat', {})).resolves.toEqual([
        3,
        'ok',
        { currentTime: expect.any(String) as string },
      ]);
      await othersStillServed();
      bad.close();
    },
  );

  it('an absurd connector id (2000000000) → PropertyConstraintViolation, nothing stored', async () => {
    const bad = await rawBooted(version, `BAD${v}`);
    const [payload, field] =
      version === 'ocpp1.6'
        ? [{ connectorId: 2_000_000_000, errorCode: 'NoError', status: 'Available' }, 'connectorId']
        : [
            {
              timestamp: new Date().toISOString(),
              connectorStatus: 'Available',
              evseId: 2_000_000_000,
              connectorId: 1,
            },
            'evseId',
          ];
    const answer = (await bad.call('big', 'StatusNotification', payload)) as unknown[];
    expect(answer.slice(0, 3)).toEqual([4, 'big', 'PropertyConstraintViolation']);
    expect(answer[3]).toMatch(/2000000000/);
    expect(answer[4]).toEqual({ field, limit: 128 });
    const rows = await csms.database.db
      .selectFrom('connectors')
      .select('evse_id')
      .where('station_id', '=', `BAD${v}`)
      .execute();
    expect(rows).toEqual([]);
    await othersStillServed();
    bad.close();
  });

  it('CALLs sent while the previous one is outstanding are answered in order; an invalid one too', async () => {
    const bad = await rawBooted(version, `BAD${v}`);
    bad.send([2, 'c1', 'Heartbeat', {}]);
    bad.send([2, 'c2', 'NoSuchAction', {}]);
    bad.send([2, 'c3', 'Heartbeat', {}]);
    const answers = [
      (await bad.next()) as unknown[],
      (await bad.next()) as unknown[],
      (await bad.next()) as unknown[],
    ];
    expect(answers).toEqual([
      [3, 'c1', { currentTime: expect.any(String) as string }],
      [4, 'c2', 'NotImplemented', "Unknown action 'NoSuchAction'", {}],
      [3, 'c3', { currentTime: expect.any(String) as string }],
    ]);
    await othersStillServed();
    bad.close();
  });

  it(`an oversized frame (> ${MAX_PAYLOAD} bytes) closes that socket with 1009; the station can reconnect`, async () => {
    const big = await rawBooted(version, `BIG${v}`);
    big.send(`[2,"big","DataTransfer",{"vendorId":"x","data":"${'x'.repeat(MAX_PAYLOAD + 1024)}"}]`);
    await expect(big.closed).resolves.toMatchObject({ code: 1009 });
    await othersStillServed();
    const again = await rawBooted(version, `BIG${v}`);
    expect(await again.call('hb', 'Heartbeat', {})).toEqual([
      3,
      'hb',
      { currentTime: expect.any(String) as string },
    ]);
    again.close();
  });

  it('a second connection of the same station wins: the old socket is closed, the new one is served', async () => {
    const id = `DUP${v}`;
    const first = version === 'ocpp1.6' ? await connect16(csms, { id }) : await connect201(csms, { id });
    const boot = (await first.client.call('BootNotification', bootPayload(version))) as { status: string };
    expect(boot.status).toBe('Accepted');

    const events: ConnectionEvent[] = [];
    const subscription = await csms.bus.subscribe<ConnectionEvent>(Subjects.connection(id), (m) => {
      events.push(m.data);
    });
    const second = version === 'ocpp1.6' ? await connect16(csms, { id }) : await connect201(csms, { id });
    await expect(first.closed).resolves.toMatchObject({ code: 4000 });
    // The old socket's `disconnected` arrives after the new socket's `connected`; the actor must ignore it.
    await eventually(() => events.some((e) => e.type === 'disconnected'));
    await subscription.unsubscribe();
    expect(events.map((e) => e.type)).toEqual(['connected', 'disconnected']);
    const heartbeat = (await second.client.call('Heartbeat', {})) as { currentTime: string };
    expect(Date.parse(heartbeat.currentTime)).not.toBeNaN();

    // CSMS-initiated calls go to the new connection, also after the old one's close was processed.
    second.client.handle('ClearCache', () => Promise.resolve({ status: 'Accepted' }));
    const outcome = await csms.stations.call(id, 'ClearCache', {});
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    expect(first.received).toEqual([]);
    await othersStillServed();
    await second.close();
  });
});

describe('refused upgrades', () => {
  it('refuses an unknown station with HTTP 404 when CSMS_AUTO_REGISTER=false; others are still served', async () => {
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1']) {
      const answer = await rawUpgrade(csms.port, '/ocpp/NOT-REGISTERED', {
        'Sec-WebSocket-Protocol': protocol,
      });
      expect(answer.status).toBe(404);
    }
    const row = await csms.database.db
      .selectFrom('stations')
      .select('id')
      .where('id', '=', 'NOT-REGISTERED')
      .execute();
    expect(row).toEqual([]);
    const station = await rawBooted('ocpp2.0.1', 'FRESH201-39');
    expect(await station.call('hb', 'Heartbeat', {})).toEqual([
      3,
      'hb',
      { currentTime: expect.any(String) as string },
    ]);
    station.close();
  });

  it('refuses a wrong password with HTTP 401; the right one is accepted; others are still served', async () => {
    const wrong = await rawUpgrade(csms.port, '/ocpp/PROTECTED', {
      'Sec-WebSocket-Protocol': 'ocpp2.0.1',
      Authorization: basicAuth('PROTECTED', 'wrong-password-0000000'),
    });
    expect(wrong.status).toBe(401);
    const missing = await rawUpgrade(csms.port, '/ocpp/PROTECTED', { 'Sec-WebSocket-Protocol': 'ocpp2.0.1' });
    expect(missing.status).toBe(401);
    const cs = await connect201(csms, { id: 'PROTECTED', password: PASSWORD });
    expect((await booted201(cs)).status).toBe('Accepted');
    const station = await rawBooted('ocpp1.6', 'FRESH16-39');
    expect(await station.call('hb', 'Heartbeat', {})).toEqual([
      3,
      'hb',
      { currentTime: expect.any(String) as string },
    ]);
    station.close();
  });
});
