import { describe, expect, it } from 'vitest';
import { Subjects } from '@csms/bus';
import type { CallOutcome, OutboundOutcome } from '@csms/bus';
import { RPCClient } from 'ocpp-rpc';
import { CloseCode } from './close-codes.js';
import { EdgeServer } from './edge-server.js';
import {
  RawStation,
  defaultAnswer,
  deferred,
  rawUpgrade,
  sharedValidator,
  startEdge,
  startWorker,
  waitFor,
} from './testing/edge-harness.js';

type ClientOptions = ConstructorParameters<typeof RPCClient>[0];

describe('graceful stop', () => {
  it('finishes exchanges in flight, closes every socket with 1001 and publishes disconnected events', async () => {
    const h = await startEdge();
    const hold = deferred<CallOutcome>();
    await startWorker(h.bus, (call) => (call.stationId === 'BUSY' ? hold.promise : defaultAnswer(call)));
    h.store.add('BUSY', 0).add('IDLE', 0);
    const busy = await RawStation.connect(`${h.url}/BUSY`, 'ocpp2.0.1');
    const idle = new RPCClient({
      endpoint: h.url,
      identity: 'IDLE',
      protocols: ['ocpp1.6'],
      strictMode: true,
      reconnect: false,
    } as Partial<ClientOptions> as ClientOptions);
    await idle.connect();
    const idleClosed = new Promise<{ code: number }>((resolve) => idle.once('close', resolve));
    await waitFor(() => h.events.length === 2);

    busy.send([2, 'b1', 'Heartbeat', {}]);
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    const stopped = h.edge.stop({ graceMs: 2_000 });

    // Draining: a new CSMS call is refused as closed, a new station CALL is left unanswered.
    await expect(
      h.bus.request<OutboundOutcome>(
        Subjects.outboundCall('IDLE'),
        { messageId: 'x', action: 'Reset', payload: { type: 'Soft' }, timeoutMs: 1_000 },
        { timeoutMs: 1_000 },
      ),
    ).resolves.toEqual({ type: 'closed' });
    // New upgrades are refused while stopping (or find the listener closed).
    await expect(rawUpgrade(h.port, '/ocpp/IDLE', { 'Sec-WebSocket-Protocol': 'ocpp1.6' })).rejects.toThrow();

    hold.resolve({ type: 'result', payload: { currentTime: '2025-01-01T00:00:00.000Z' } });
    await expect(busy.next()).resolves.toEqual([3, 'b1', { currentTime: '2025-01-01T00:00:00.000Z' }]);
    await stopped;
    expect(Date.now() - started).toBeLessThan(1_500);

    await expect(busy.closed).resolves.toEqual({ code: CloseCode.GoingAway, reason: 'server shutting down' });
    await expect(idleClosed).resolves.toMatchObject({ code: CloseCode.GoingAway });
    const disconnected = h.events.filter((e) => e.type === 'disconnected');
    expect(disconnected.map((e) => [e.stationId, e.closeCode, e.reason]).sort()).toEqual([
      ['BUSY', 1001, 'server shutting down'],
      ['IDLE', 1001, 'server shutting down'],
    ]);
    expect(h.edge.connectionCount).toBe(0);
  });

  it('gives up waiting after graceMs', async () => {
    const h = await startEdge();
    await startWorker(h.bus, () => new Promise<CallOutcome>(() => {}));
    h.store.add('STUCK', 0);
    const stuck = await RawStation.connect(`${h.url}/STUCK`, 'ocpp2.0.1');
    stuck.send([2, 's1', 'Heartbeat', {}]);
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await h.edge.stop({ graceMs: 150 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await expect(stuck.closed).resolves.toMatchObject({ code: CloseCode.GoingAway });
    await waitFor(() => h.events.some((e) => e.type === 'disconnected'));
  });

  it('is idempotent and works before start', async () => {
    const h = await startEdge();
    await Promise.all([h.edge.stop({ graceMs: 10 }), h.edge.stop({ graceMs: 10 })]);
    const never = new EdgeServer({
      edgeId: 'x',
      bus: h.bus,
      validator: sharedValidator,
      credentials: h.store,
    });
    await expect(never.stop()).resolves.toBeUndefined();
  });
});
