/** Connections of one station: the newest wins (locally, across edges, on eviction); failures stay per socket. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus, Subjects } from '@csms/bus';
import type { BusHandler, EvictRequest, OutboundOutcome, SubscribeOptions, Subscription } from '@csms/bus';
import type { OcppValidator } from '@csms/ocpp';
import { CloseCode } from './close-codes.js';
import { CapturingLogger } from './testing/capturing-logger.js';
import { RawStation, sharedValidator, startEdge, startWorker, waitFor } from './testing/edge-harness.js';
import type { EdgeHarness } from './testing/edge-harness.js';

const ANY_TIME: unknown = expect.any(String);

describe('newest connection wins', () => {
  let h: EdgeHarness;
  afterEach(() => h.stop());

  it('closes the older local socket and keeps the new one working', async () => {
    h = await startEdge();
    await startWorker(h.bus);
    h.store.add('CP', 0);
    const first = await RawStation.connect(`${h.url}/CP`, 'ocpp2.0.1');
    await waitFor(() => h.events.length === 1);
    const second = await RawStation.connect(`${h.url}/CP`, 'ocpp1.6');
    await expect(first.closed).resolves.toEqual({
      code: CloseCode.Replaced,
      reason: 'replaced by a newer connection',
    });
    await expect(second.call('a', 'Heartbeat', {})).resolves.toEqual([3, 'a', { currentTime: ANY_TIME }]);
    await waitFor(() => h.events.length === 3);
    const [c1, c2, d1] = h.events;
    expect(c1).toMatchObject({ type: 'connected', version: 'ocpp2.0.1' });
    expect(c2).toMatchObject({ type: 'connected', version: 'ocpp1.6' });
    expect(d1).toMatchObject({
      type: 'disconnected',
      connectionId: c1?.connectionId,
      closeCode: CloseCode.Replaced,
    });
    expect(h.edge.connectionCount).toBe(1);
    // CSMS calls reach the new connection only.
    const outcome = h.bus.request<OutboundOutcome>(
      Subjects.outboundCall('CP'),
      { messageId: 'r1', action: 'Reset', payload: { type: 'Hard' }, timeoutMs: 1_000 },
      { timeoutMs: 2_000 },
    );
    await expect(second.next()).resolves.toEqual([2, 'r1', 'Reset', { type: 'Hard' }]);
    second.send([3, 'r1', { status: 'Accepted' }]);
    await expect(outcome).resolves.toEqual({ type: 'result', payload: { status: 'Accepted' } });
    second.close();
  });

  it('closes the socket held by another edge on the same bus', async () => {
    const bus = new MemoryBus();
    await startWorker(bus);
    h = await startEdge({ bus });
    const other = await startEdge({ bus, edgeId: 'edge-other', store: h.store });
    try {
      h.store.add('CP', 0);
      const first = await RawStation.connect(`${other.url}/CP`, 'ocpp2.0.1');
      await waitFor(() => other.edge.connectionCount === 1 && h.events.length === 1);
      const second = await RawStation.connect(`${h.url}/CP`, 'ocpp2.0.1');
      await expect(first.closed).resolves.toEqual({
        code: CloseCode.Replaced,
        reason: 'replaced by a newer connection',
      });
      await expect(second.call('a', 'Heartbeat', {})).resolves.toEqual([3, 'a', { currentTime: ANY_TIME }]);
      await waitFor(() => other.edge.connectionCount === 0);
      second.close();
    } finally {
      await other.stop();
    }
  });

  it('closes the socket on an administrative EvictRequest', async () => {
    h = await startEdge();
    h.store.add('CP', 0);
    const station = await RawStation.connect(`${h.url}/CP`, 'ocpp2.0.1');
    await waitFor(() => h.events.length === 1);
    const evict: EvictRequest = { stationId: 'CP', reason: 'operator request' };
    await h.bus.publish(Subjects.evict('CP'), evict);
    await expect(station.closed).resolves.toEqual({ code: CloseCode.Evicted, reason: 'operator request' });
  });
});

describe('failures inside the edge', () => {
  it('closes only the affected socket with 1011 when handling a frame throws, and logs it', async () => {
    const logger = new CapturingLogger();
    const validator: OcppValidator = {
      ...sharedValidator,
      validateRequest: (version, action, payload) => {
        if (action === 'DataTransfer') throw new Error('validator bug');
        return sharedValidator.validateRequest(version, action, payload);
      },
    };
    const h = await startEdge({ logger, validator });
    try {
      await startWorker(h.bus);
      h.store.add('A', 0).add('B', 0);
      const a = await RawStation.connect(`${h.url}/A`, 'ocpp2.0.1');
      const b = await RawStation.connect(`${h.url}/B`, 'ocpp1.6');
      a.send([2, 'd', 'DataTransfer', { vendorId: 'x' }]);
      await expect(a.closed).resolves.toEqual({ code: CloseCode.InternalError, reason: 'internal error' });
      expect(logger.find('error', 'failed to handle a frame')).toHaveLength(1);
      await expect(b.call('h', 'Heartbeat', {})).resolves.toEqual([3, 'h', { currentTime: ANY_TIME }]);
      b.close();
    } finally {
      await h.stop();
    }
  });

  it('closes the socket with 1011 when the bus cannot take the connection', async () => {
    /** A bus that refuses the subscription for CSMS calls of station 'A'. */
    class FlakyBus extends MemoryBus {
      override subscribe<T = unknown, R = unknown>(
        subject: string,
        handler: BusHandler<T, R>,
        options?: SubscribeOptions,
      ): Promise<Subscription> {
        if (subject === Subjects.outboundCall('A')) return Promise.reject(new Error('bus down'));
        return super.subscribe(subject, handler, options);
      }
    }
    const h = await startEdge({ bus: new FlakyBus() });
    try {
      h.store.add('A', 0);
      const a = await RawStation.connect(`${h.url}/A`, 'ocpp2.0.1');
      await expect(a.closed).resolves.toEqual({ code: CloseCode.InternalError, reason: 'internal error' });
      await waitFor(() => h.edge.connectionCount === 0);
      // No connected event was published, so no disconnected one either.
      expect(h.events).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});
