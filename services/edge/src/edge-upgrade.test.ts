import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode } from './close-codes.js';
import {
  RawStation,
  basicAuth,
  deferred,
  readCloseFrame,
  rawUpgrade,
  startEdge,
  startWorker,
  waitFor,
} from './testing/edge-harness.js';
import type { AcceptedUpgrade, EdgeHarness, RefusedUpgrade } from './testing/edge-harness.js';

const OCPP201 = { 'Sec-WebSocket-Protocol': 'ocpp2.0.1' };

function refused(result: RefusedUpgrade | AcceptedUpgrade): RefusedUpgrade {
  if ('socket' in result) {
    result.socket.destroy();
    throw new Error('upgrade unexpectedly accepted');
  }
  return result;
}

function accepted(result: RefusedUpgrade | AcceptedUpgrade): AcceptedUpgrade {
  if (!('socket' in result)) throw new Error(`upgrade refused: ${result.status} ${result.body}`);
  return result;
}

describe('upgrade', () => {
  let h: EdgeHarness;
  beforeEach(async () => {
    h = await startEdge();
    await startWorker(h.bus);
    h.store.add('CP0', 0).add('CP1', 1, 'password-1234567890').add('CP2', 2, 'password-2').add('CP3', 3);
  });
  afterEach(() => h.stop());

  describe('subprotocol', () => {
    it('refuses a handshake without Sec-WebSocket-Protocol with 400, naming the supported ones', async () => {
      const result = refused(await rawUpgrade(h.port, '/ocpp/CP0'));
      expect(result.status).toBe(400);
      expect(result.headers.connection).toBe('close');
      expect(result.body).toBe('Sec-WebSocket-Protocol required; supported: ocpp2.0.1, ocpp1.6\n');
    });

    it('completes without a subprotocol and closes at once when none is supported (part 4 §3.2)', async () => {
      const result = accepted(
        await rawUpgrade(h.port, '/ocpp/CP0', { 'Sec-WebSocket-Protocol': 'ocpp1.5, ocpp1.2' }),
      );
      expect(result.headers['sec-websocket-protocol']).toBeUndefined();
      await expect(readCloseFrame(result.socket, result.head)).resolves.toEqual({
        code: CloseCode.ProtocolError,
        reason: 'unsupported subprotocol; supported: ocpp2.0.1, ocpp1.6',
      });
      expect(h.events).toEqual([]);
    });

    it.each([
      ['ocpp2.0.1, ocpp1.6', 'ocpp2.0.1'],
      ['ocpp1.6, ocpp2.0.1', 'ocpp1.6'],
      ['ocpp1.5, ocpp1.6', 'ocpp1.6'],
    ])("picks the station's first supported protocol: %s → %s", async (offered, chosen) => {
      const result = accepted(await rawUpgrade(h.port, '/ocpp/CP0', { 'Sec-WebSocket-Protocol': offered }));
      expect(result.headers['sec-websocket-protocol']).toBe(chosen);
      result.socket.destroy();
    });
  });

  describe('identity', () => {
    it.each([
      ['/ocpp/', 'empty station identity'],
      ['/ocpp/%ZZ', 'invalid percent-encoding in station identity'],
      [`/ocpp/${'A'.repeat(49)}`, 'station identity longer than 48'],
      ['/ocpp/CP%3A1', 'station identity contains characters outside A-Z a-z 0-9 * - _ = + | @ . and space'],
      ['/ocpp/CP%001', 'station identity contains characters outside A-Z a-z 0-9 * - _ = + | @ . and space'],
      [
        '/ocpp/CP%0D%0A',
        'station identity contains characters outside A-Z a-z 0-9 * - _ = + | @ . and space',
      ],
    ])('refuses %s with 400', async (path, reason) => {
      const result = refused(await rawUpgrade(h.port, path, OCPP201));
      expect(result.status).toBe(400);
      expect(result.body).toBe(`${reason}\n`);
    });

    it('accepts any path prefix and percent-encoded identities', async () => {
      h.store.add('RDAM 123', 0);
      const a = await RawStation.connect(`ws://127.0.0.1:${h.port}/CP0`);
      const b = await RawStation.connect(`ws://127.0.0.1:${h.port}/a/b/c/RDAM%20123`);
      await waitFor(() => h.events.length === 2);
      expect(h.events.map((e) => e.stationId).sort()).toEqual(['CP0', 'RDAM 123']);
      a.close();
      b.close();
    });

    it('honours maxStationIdLength', async () => {
      const short = await startEdge({ maxStationIdLength: 3, store: h.store });
      try {
        expect(refused(await rawUpgrade(short.port, '/ocpp/CP01', OCPP201)).status).toBe(400);
        accepted(await rawUpgrade(short.port, '/ocpp/CP0', OCPP201)).socket.destroy();
      } finally {
        await short.stop();
      }
    });
  });

  describe('authentication', () => {
    it('refuses an unknown station with 404 when auto-registration is off', async () => {
      const result = refused(await rawUpgrade(h.port, '/ocpp/NOBODY', OCPP201));
      expect(result.status).toBe(404);
      expect(result.body).toBe('unknown station\n');
    });

    it('auto-registers an unknown station with the profile it presented', async () => {
      const auto = await startEdge({ autoRegister: true, store: h.store });
      try {
        const s0 = await RawStation.connect(`${auto.url}/NEW0`);
        const s1 = await RawStation.connect(`${auto.url}/NEW1`, 'ocpp1.6', {
          headers: { Authorization: basicAuth('NEW1', 'whatever-password') },
        });
        expect(h.store.registered).toEqual([
          { stationId: 'NEW0', securityProfile: 0 },
          { stationId: 'NEW1', securityProfile: 1 },
        ]);
        await waitFor(() => auto.events.length === 2);
        expect(auto.events.map((e) => e.securityProfile)).toEqual([0, 1]);
        s0.close();
        s1.close();
      } finally {
        await auto.stop();
      }
    });

    it('profile 1: accepts the right password, refuses missing, wrong and foreign credentials with 401', async () => {
      const ok = await RawStation.connect(`${h.url}/CP1`, 'ocpp1.6', {
        headers: { Authorization: basicAuth('CP1', 'password-1234567890') },
      });
      await waitFor(() => h.events.length === 1);
      expect(h.events[0]).toMatchObject({ stationId: 'CP1', securityProfile: 1 });
      ok.close();
      for (const authorization of [
        undefined,
        basicAuth('CP1', 'wrong'),
        basicAuth('CP0', 'password-1234567890'),
        'Bearer token',
      ]) {
        const result = refused(
          await rawUpgrade(h.port, '/ocpp/CP1', {
            ...OCPP201,
            ...(authorization ? { Authorization: authorization } : {}),
          }),
        );
        expect(result.status).toBe(401);
        expect(result.headers['www-authenticate']).toBe('Basic realm="OCPP"');
      }
    });

    it('profile 2 over plain ws is refused with 403, even with the right password', async () => {
      const result = refused(
        await rawUpgrade(h.port, '/ocpp/CP2', { ...OCPP201, Authorization: basicAuth('CP2', 'password-2') }),
      );
      expect(result.status).toBe(403);
      expect(result.body).toBe('security profile 2 requires TLS\n');
    });

    it('profile 3 over plain ws is refused with 403, even with Basic credentials', async () => {
      const result = refused(
        await rawUpgrade(h.port, '/ocpp/CP3', { ...OCPP201, Authorization: basicAuth('CP3', 'x') }),
      );
      expect(result.status).toBe(403);
    });

    it('answers 503 when the credential store fails, and keeps serving', async () => {
      h.store.failing = true;
      const result = refused(await rawUpgrade(h.port, '/ocpp/CP0', OCPP201));
      expect(result.status).toBe(503);
      expect(result.body).toBe('credential store unavailable\n');
      h.store.failing = false;
      accepted(await rawUpgrade(h.port, '/ocpp/CP0', OCPP201)).socket.destroy();
    });

    it('survives a station that hangs up while it is being authenticated', async () => {
      const slow = deferred<void>();
      const lookup = h.store.lookup.bind(h.store);
      h.store.lookup = async (id) => {
        await slow.promise;
        return lookup(id);
      };
      const socket = connect(h.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        'GET /ocpp/CP0 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
          'Sec-WebSocket-Protocol: ocpp2.0.1\r\n\r\n',
      );
      await new Promise((r) => setTimeout(r, 50));
      socket.destroy();
      await new Promise((r) => setTimeout(r, 20));
      slow.resolve();
      await new Promise((r) => setTimeout(r, 20));
      expect(h.events).toEqual([]);
      expect(h.edge.connectionCount).toBe(0);
      accepted(await rawUpgrade(h.port, '/ocpp/CP0', OCPP201)).socket.destroy();
    });
  });

  describe('limits', () => {
    it('refuses upgrades beyond maxConnections with 503', async () => {
      const limited = await startEdge({ maxConnections: 1, store: h.store });
      try {
        const first = await RawStation.connect(`${limited.url}/CP0`);
        const result = refused(await rawUpgrade(limited.port, '/ocpp/CP0', OCPP201));
        expect(result.status).toBe(503);
        expect(result.headers['retry-after']).toBe('30');
        first.close();
        await waitFor(() => limited.edge.connectionCount === 0);
        accepted(await rawUpgrade(limited.port, '/ocpp/CP0', OCPP201)).socket.destroy();
      } finally {
        await limited.stop();
      }
    });

    it('answers plain HTTP requests with 426', async () => {
      const res = await fetch(`http://127.0.0.1:${h.port}/ocpp/CP0`);
      expect(res.status).toBe(426);
      expect(res.headers.get('upgrade')).toBe('websocket');
    });
  });
});

describe('ping', () => {
  it('terminates a socket that stops answering pings, and only that one', async () => {
    const h = await startEdge({ pingIntervalMs: 50 });
    try {
      h.store.add('MUTE', 0).add('LIVE', 0);
      const mute = await RawStation.connect(`${h.url}/MUTE`);
      const live = await RawStation.connect(`${h.url}/LIVE`);
      // ws answers pings automatically; pausing the socket's reads makes it miss them.
      (mute.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      await waitFor(() => h.events.some((e) => e.type === 'disconnected' && e.stationId === 'MUTE'), 2_000);
      expect(h.events.find((e) => e.type === 'disconnected')).toMatchObject({
        closeCode: 1006,
        reason: 'ping timeout',
      });
      await new Promise((r) => setTimeout(r, 150));
      expect(h.edge.connectionCount).toBe(1);
      live.close();
    } finally {
      await h.stop();
    }
  });
});
