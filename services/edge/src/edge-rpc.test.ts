import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Subjects } from '@csms/bus';
import type { CallOutcome, InboundCall, OutboundOutcome } from '@csms/bus';
import type { OcppVersion } from '@csms/ocpp';
import { RPCClient } from 'ocpp-rpc';
import { BAD_FRAMES } from '../../../test/support/bad-frames.js';
import { CloseCode } from './close-codes.js';
import {
  RawStation,
  defaultAnswer,
  deferred,
  startEdge,
  startWorker,
  waitFor,
} from './testing/edge-harness.js';
import type { EdgeHarness } from './testing/edge-harness.js';

type ClientOptions = ConstructorParameters<typeof RPCClient>[0];

const ANY_TIME: unknown = expect.any(String);

/** An ocpp-rpc client in strict mode (validates everything it sends and receives against its own schemas). */
async function rpcClient(url: string, identity: string, version: OcppVersion): Promise<RPCClient> {
  const client = new RPCClient({
    endpoint: url,
    identity,
    protocols: [version],
    strictMode: true,
    reconnect: false,
    callTimeoutMs: 3_000,
  } as Partial<ClientOptions> as ClientOptions);
  await client.connect();
  return client;
}

const BOOT: Record<'ocpp1.6' | 'ocpp2.0.1', Record<string, unknown>> = {
  'ocpp1.6': { chargePointVendor: 'VendorX', chargePointModel: 'ModelY' },
  'ocpp2.0.1': { reason: 'PowerUp', chargingStation: { vendorName: 'VendorX', model: 'ModelY' } },
};

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('%s happy path with an independent client', (version) => {
  let h: EdgeHarness;
  const seen: InboundCall[] = [];
  beforeEach(async () => {
    seen.length = 0;
    h = await startEdge();
    await startWorker(h.bus, (call) => {
      seen.push(call);
      return call.action === 'BootNotification'
        ? {
            type: 'result',
            payload: { currentTime: '2025-01-01T00:00:00.000Z', interval: 300, status: 'Accepted' },
          }
        : { type: 'result', payload: { currentTime: '2025-01-01T00:00:00.000Z' } };
    });
    h.store.add('CP-1', 0);
  });
  afterEach(() => h.stop());

  it('answers BootNotification and Heartbeat through the bus', async () => {
    const client = await rpcClient(h.url, 'CP-1', version);
    expect(client.protocol).toBe(version);
    await expect(client.call('BootNotification', BOOT[version])).resolves.toEqual({
      currentTime: '2025-01-01T00:00:00.000Z',
      interval: 300,
      status: 'Accepted',
    });
    await expect(client.call('Heartbeat', {})).resolves.toEqual({ currentTime: '2025-01-01T00:00:00.000Z' });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({
      stationId: 'CP-1',
      version,
      edgeId: 'edge-test',
      action: 'BootNotification',
      payload: BOOT[version],
    });
    expect(seen[0]?.messageId).toEqual(expect.any(String));
    expect(seen[0]?.connectionId).toEqual(h.events[0]?.connectionId);
    expect(h.events).toEqual([
      expect.objectContaining({
        type: 'connected',
        stationId: 'CP-1',
        version,
        securityProfile: 0,
        edgeId: 'edge-test',
      }),
    ]);
    await client.close();
    await waitFor(() => h.events.length === 2);
    expect(h.events[1]).toMatchObject({ type: 'disconnected', stationId: 'CP-1', closeCode: 1000 });
    expect(h.edge.connectionCount).toBe(0);
  });

  it('delivers a CSMS-initiated call and returns the answer', async () => {
    const client = await rpcClient(h.url, 'CP-1', version);
    client.handle('Reset', ({ params }) => {
      expect(params).toEqual(version === 'ocpp1.6' ? { type: 'Soft' } : { type: 'Immediate' });
      return Promise.resolve({ status: 'Accepted' });
    });
    await waitFor(() => h.events.length === 1);
    const outcome = await h.bus.request<OutboundOutcome>(
      Subjects.outboundCall('CP-1'),
      {
        messageId: 'csms-1',
        action: 'Reset',
        payload: version === 'ocpp1.6' ? { type: 'Soft' } : { type: 'Immediate' },
        timeoutMs: 2_000,
      },
      { timeoutMs: 3_000 },
    );
    expect(outcome).toEqual({ type: 'result', payload: { status: 'Accepted' } });
    await client.close();
  });
});

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('%s bad input', (version) => {
  let h: EdgeHarness;
  let good: RPCClient;
  let fresh = 0;
  /** Lets a test take over the fake worker's answers for the station 'BAD'. */
  let answerBad: ((call: InboundCall) => Promise<CallOutcome>) | undefined;

  beforeEach(async () => {
    answerBad = undefined;
    fresh = 0;
    h = await startEdge();
    await startWorker(h.bus, (call) =>
      call.stationId === 'BAD' && answerBad ? answerBad(call) : defaultAnswer(call),
    );
    for (const id of ['BAD', 'GOOD', 'FRESH-1', 'FRESH-2', 'FRESH-3', 'FRESH-4']) h.store.add(id, 0);
    good = await rpcClient(h.url, 'GOOD', version);
  });
  afterEach(async () => {
    await good.close({ force: true });
    await h.stop();
  });

  /** Another station's connection still works, and the server still accepts new connections. */
  async function assertOthersUnaffected(): Promise<void> {
    await expect(good.call('Heartbeat', {})).resolves.toEqual({ currentTime: '2025-01-01T00:00:00.000Z' });
    const station = await RawStation.connect(`${h.url}/FRESH-${++fresh}`, version);
    await expect(station.call('h1', 'Heartbeat', {})).resolves.toEqual([
      3,
      'h1',
      { currentTime: '2025-01-01T00:00:00.000Z' },
    ]);
    station.close();
  }

  it.each(BAD_FRAMES[version])('%s → exact CALLERROR', async (_name, text, expected) => {
    const bad = await RawStation.connect(`${h.url}/BAD`, version);
    bad.send(text);
    await expect(bad.next()).resolves.toEqual(expected);
    // The bad station's own connection survives a refused frame.
    await expect(bad.call('ok', 'Heartbeat', {})).resolves.toEqual([3, 'ok', { currentTime: ANY_TIME }]);
    await assertOthersUnaffected();
    bad.close();
  });

  it('drops CALLRESULT / CALLERROR frames for unknown message ids without answering', async () => {
    const bad = await RawStation.connect(`${h.url}/BAD`, version);
    bad.send([3, 'nobody-asked', {}]);
    bad.send([4, 'nobody-asked-either', 'GenericError', '', {}]);
    bad.send('[3,"short"]');
    expect(await bad.silentFor(100)).toBe(true);
    await assertOthersUnaffected();
    bad.close();
  });

  it('closes the socket with 1009 on an oversized frame', async () => {
    const bad = await RawStation.connect(`${h.url}/BAD`, version);
    bad.send(`[2,"big","DataTransfer",{"vendorId":"x","data":"${'x'.repeat(70 * 1024)}"}]`);
    await expect(bad.closed).resolves.toMatchObject({ code: CloseCode.MessageTooBig });
    await waitFor(() => h.events.some((e) => e.type === 'disconnected' && e.stationId === 'BAD'));
    await assertOthersUnaffected();
  });

  it('closes the socket with 1003 on a binary frame', async () => {
    const bad = await RawStation.connect(`${h.url}/BAD`, version);
    bad.ws.send(Buffer.from('[2,"b","Heartbeat",{}]'), { binary: true });
    await expect(bad.closed).resolves.toMatchObject({ code: CloseCode.UnsupportedData });
    await assertOthersUnaffected();
  });

  it('closes the socket with 1007 on invalid UTF-8', async () => {
    const bad = await RawStation.connect(`${h.url}/BAD`, version);
    bad.ws.send(Buffer.from([0x5b, 0x32, 0xff, 0xfe, 0x5d]), { binary: false });
    await expect(bad.closed).resolves.toMatchObject({ code: 1007 });
    await assertOthersUnaffected();
  });

  it('queues CALLs sent while one is outstanding and answers each in order; refuses beyond the FIFO', async () => {
    const hold = deferred<CallOutcome>();
    const order: string[] = [];
    answerBad = (call) => {
      order.push(call.messageId);
      return call.messageId === 'c1'
        ? hold.promise
        : Promise.resolve({ type: 'result', payload: { currentTime: '2025-01-01T00:00:00.000Z' } });
    };
    const bad = await RawStation.connect(`${h.url}/BAD`, version);
    bad.send([2, 'c1', 'Heartbeat', {}]);
    // 8 wait behind c1 (the edge's default FIFO), the 10th is refused at once; a copy of c3 is ignored.
    for (let i = 2; i <= 10; i++) bad.send([2, `c${i}`, 'Heartbeat', {}]);
    bad.send([2, 'c3', 'Heartbeat', {}]);
    await expect(bad.next()).resolves.toEqual([
      4,
      'c10',
      'GenericError',
      'Too many CALLs outstanding: 9 unanswered, at most 9 are accepted (send one at a time)',
      {},
    ]);
    expect(order).toEqual(['c1']);
    hold.resolve({ type: 'result', payload: { currentTime: '2025-01-01T00:00:00.000Z' } });
    for (let i = 1; i <= 9; i++) {
      await expect(bad.next()).resolves.toEqual([3, `c${i}`, { currentTime: '2025-01-01T00:00:00.000Z' }]);
    }
    expect(order).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9']);
    await assertOthersUnaffected();
    bad.close();
  });
});
