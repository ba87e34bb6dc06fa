import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RPCClient } from 'ocpp-rpc';
import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';
import {
  MemoryCredentialStore,
  RawStation,
  basicAuth,
  startEdge,
  startWorker,
  waitFor,
} from './testing/edge-harness.js';
import type { EdgeHarness } from './testing/edge-harness.js';
import { makePki, type Pki } from '../../../test/support/pki.js';

type RpcOptions = ConstructorParameters<typeof RPCClient>[0];

/** Status of a wss upgrade attempt: 101 or the refusal status. */
function upgradeStatus(url: string, options: ClientOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'ocpp2.0.1', options);
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe('TLS (security profiles 2 and 3)', () => {
  let dir: string;
  let pki: Pki;
  let h: EdgeHarness;
  let auto: EdgeHarness;
  let store: MemoryCredentialStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-tls-'));
    pki = makePki(dir);
    const tls = { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca };
    store = new MemoryCredentialStore()
      .add('CP2', 2, 'password-2-abcdefgh')
      .add('CP3', 3)
      .add('CP1', 1, 'password-1-abcdefgh')
      .add('CP0', 0);
    h = await startEdge({ tls, store });
    await startWorker(h.bus);
    auto = await startEdge({ tls, autoRegister: true, store: new MemoryCredentialStore() });
  });
  afterAll(async () => {
    await h.stop();
    await auto.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (id: string): string => `${h.url}/${id}`;

  it('profile 2: accepts Basic credentials over wss (independent client)', async () => {
    const client = new RPCClient({
      endpoint: h.url,
      identity: 'CP2',
      password: 'password-2-abcdefgh',
      protocols: ['ocpp2.0.1'],
      strictMode: true,
      reconnect: false,
      wsOpts: { ca: pki.ca },
    } as Partial<RpcOptions> as RpcOptions);
    await client.connect();
    await expect(client.call('Heartbeat', {})).resolves.toEqual({ currentTime: '2025-01-01T00:00:00.000Z' });
    await waitFor(() => h.events.some((e) => e.stationId === 'CP2' && e.type === 'connected'));
    expect(h.events.find((e) => e.stationId === 'CP2')).toMatchObject({ securityProfile: 2 });
    await client.close();
  });

  it('profile 2: refuses a wrong or missing password with 401', async () => {
    await expect(
      upgradeStatus(url('CP2'), { ca: pki.ca, headers: { Authorization: basicAuth('CP2', 'nope') } }),
    ).resolves.toBe(401);
    await expect(upgradeStatus(url('CP2'), { ca: pki.ca })).resolves.toBe(401);
  });

  it('profile 1 over TLS is accepted at profile 2, which becomes its profile (A05.FR.07)', async () => {
    const station = await RawStation.connect(url('CP1'), 'ocpp2.0.1', {
      ca: pki.ca,
      headers: { Authorization: basicAuth('CP1', 'password-1-abcdefgh') },
    });
    await waitFor(() => h.events.some((e) => e.stationId === 'CP1'));
    expect(h.events.find((e) => e.stationId === 'CP1')).toMatchObject({ securityProfile: 2 });
    expect(store.stations.get('CP1')?.securityProfile).toBe(2);
    station.close();
  });

  it('profile 3: accepts a CA-signed client certificate whose CN is the identity', async () => {
    const client = new RPCClient({
      endpoint: h.url,
      identity: 'CP3',
      protocols: ['ocpp1.6'],
      strictMode: true,
      reconnect: false,
      wsOpts: { ca: pki.ca, key: pki.clients.CP3?.key, cert: pki.clients.CP3?.cert },
    } as Partial<RpcOptions> as RpcOptions);
    await client.connect();
    await expect(
      client.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }),
    ).resolves.toMatchObject({ status: 'Accepted' });
    await waitFor(() => h.events.some((e) => e.stationId === 'CP3'));
    expect(h.events.find((e) => e.stationId === 'CP3')).toMatchObject({ securityProfile: 3 });
    await client.close();
  });

  it('profile 3: refuses a certificate for another CN, no certificate, and an untrusted certificate with 401', async () => {
    const other = pki.clients.OTHER!;
    await expect(upgradeStatus(url('CP3'), { ca: pki.ca, key: other.key, cert: other.cert })).resolves.toBe(
      401,
    );
    await expect(upgradeStatus(url('CP3'), { ca: pki.ca })).resolves.toBe(401);
    await expect(
      upgradeStatus(url('CP3'), { ca: pki.ca, key: pki.rogue.key, cert: pki.rogue.cert }),
    ).resolves.toBe(401);
  });

  it('profile 3: Basic credentials are no substitute for the certificate', async () => {
    await expect(
      upgradeStatus(url('CP3'), { ca: pki.ca, headers: { Authorization: basicAuth('CP3', 'x') } }),
    ).resolves.toBe(401);
  });

  it('a certificate for CP3 does not open another station', async () => {
    const cp3 = pki.clients.CP3!;
    // CP1 (profile 1) needs its password; CP2 (profile 2) too.
    await expect(upgradeStatus(url('CP1'), { ca: pki.ca, key: cp3.key, cert: cp3.cert })).resolves.toBe(401);
    await expect(upgradeStatus(url('CP2'), { ca: pki.ca, key: cp3.key, cert: cp3.cert })).resolves.toBe(401);
    // Profile 0 stations accept anything, at profile 0.
    await expect(upgradeStatus(url('CP0'), { ca: pki.ca, key: cp3.key, cert: cp3.cert })).resolves.toBe(101);
  });

  it('auto-registration records the profile the connection presented', async () => {
    const new3 = pki.clients.NEW3!;
    await expect(
      upgradeStatus(`${auto.url}/NEW3`, { ca: pki.ca, key: new3.key, cert: new3.cert }),
    ).resolves.toBe(101);
    await expect(
      upgradeStatus(`${auto.url}/NEW2`, { ca: pki.ca, headers: { Authorization: basicAuth('NEW2', 'pw') } }),
    ).resolves.toBe(101);
    await expect(upgradeStatus(`${auto.url}/NEW0`, { ca: pki.ca })).resolves.toBe(101);
    expect(auto.store.registered).toEqual([
      { stationId: 'NEW3', securityProfile: 3 },
      { stationId: 'NEW2', securityProfile: 2 },
      { stationId: 'NEW0', securityProfile: 0 },
    ]);
  });
});
