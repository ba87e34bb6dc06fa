import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus, Subjects } from '@csms/bus';
import type {
  BusHandler,
  CallOutcome,
  EvictRequest,
  InboundCall,
  OutboundOutcome,
  SubscribeOptions,
  Subscription,
} from '@csms/bus';
import type { OcppValidator, OcppVersion } from '@csms/ocpp';
import { RPCClient } from 'ocpp-rpc';
import { CloseCode } from './close-codes.js';
import { CapturingLogger } from './test-support/capturing-logger.js';
import {
  RawStation,
  defaultAnswer,
  deferred,
  sharedValidator,
  startEdge,
  startWorker,
  waitFor,
} from './test-support/edge-harness.js';
import type { EdgeHarness } from './test-support/edge-harness.js';

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

/** Frames a station may send and the exact CALLERROR the edge must answer, per version. */
const BAD_INPUTS: Record<'ocpp1.6' | 'ocpp2.0.1', Array<[string, string, unknown[]]>> = {
  'ocpp2.0.1': [
    [
      'malformed JSON',
      '[2,"m1","Heartbeat",{',
      [4, '-1', 'RpcFrameworkError', 'Message is not valid JSON', {}],
    ],
    ['not an array', '{"a":1}', [4, '-1', 'RpcFrameworkError', 'Message must be a JSON array', {}]],
    [
      'wrong message type id',
      '[7,"m2","Heartbeat",{}]',
      [4, 'm2', 'MessageTypeNotSupported', 'MessageTypeId 7 is not supported', {}],
    ],
    [
      'wrong frame length',
      '[2,"m3","Heartbeat"]',
      [4, 'm3', 'RpcFrameworkError', 'CALL must have 4 elements, got 3', {}],
    ],
    [
      'payload not an object',
      '[2,"m4","Heartbeat",[]]',
      [4, 'm4', 'ProtocolError', 'Payload must be a JSON object', {}],
    ],
    ['unknown action', '[2,"m5","FooBar",{}]', [4, 'm5', 'NotImplemented', "Unknown action 'FooBar'", {}]],
    [
      'wrong-direction action',
      '[2,"m6","Reset",{"type":"Immediate"}]',
      [4, 'm6', 'NotSupported', 'Reset is sent by the CSMS, not by the Charging Station', {}],
    ],
    [
      'missing required field',
      '[2,"m7","BootNotification",{"chargingStation":{"model":"M","vendorName":"V"}}]',
      [
        4,
        'm7',
        'OccurrenceConstraintViolation',
        "must have required property 'reason'",
        {
          pointer: '',
          keyword: 'required',
          message: "must have required property 'reason'",
          schemaPath: '#/required',
        },
      ],
    ],
    [
      'wrong type',
      '[2,"m8","BootNotification",{"reason":"PowerUp","chargingStation":{"model":5,"vendorName":"V"}}]',
      [
        4,
        'm8',
        'TypeConstraintViolation',
        '/chargingStation/model must be string',
        {
          pointer: '/chargingStation/model',
          keyword: 'type',
          message: 'must be string',
          schemaPath: '#/properties/model/type',
        },
      ],
    ],
  ],
  'ocpp1.6': [
    [
      'malformed JSON',
      '[2,"m1","Heartbeat",{',
      [4, '-1', 'FormationViolation', 'Message is not valid JSON', {}],
    ],
    [
      'wrong message type id',
      '[7,"m2","Heartbeat",{}]',
      [4, 'm2', 'NotImplemented', 'MessageTypeId 7 is not supported', {}],
    ],
    [
      'wrong frame length',
      '[2,"m3","Heartbeat"]',
      [4, 'm3', 'FormationViolation', 'CALL must have 4 elements, got 3', {}],
    ],
    [
      'payload not an object',
      '[2,"m4","Heartbeat",[]]',
      [4, 'm4', 'FormationViolation', 'Payload must be a JSON object', {}],
    ],
    ['unknown action', '[2,"m5","FooBar",{}]', [4, 'm5', 'NotImplemented', "Unknown action 'FooBar'", {}]],
    [
      'wrong-direction action',
      '[2,"m6","RemoteStartTransaction",{"idTag":"ABC"}]',
      [
        4,
        'm6',
        'NotSupported',
        'RemoteStartTransaction is sent by the CSMS, not by the Charging Station',
        {},
      ],
    ],
    [
      'missing required field',
      '[2,"m7","BootNotification",{"chargePointModel":"M"}]',
      [
        4,
        'm7',
        'OccurenceConstraintViolation',
        "must have required property 'chargePointVendor'",
        {
          pointer: '',
          keyword: 'required',
          message: "must have required property 'chargePointVendor'",
          schemaPath: '#/required',
        },
      ],
    ],
    [
      'wrong type',
      '[2,"m8","BootNotification",{"chargePointModel":"M","chargePointVendor":5}]',
      [
        4,
        'm8',
        'TypeConstraintViolation',
        '/chargePointVendor must be string',
        {
          pointer: '/chargePointVendor',
          keyword: 'type',
          message: 'must be string',
          schemaPath: '#/properties/chargePointVendor/type',
        },
      ],
    ],
  ],
};

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

  it.each(BAD_INPUTS[version])('%s → exact CALLERROR', async (_name, text, expected) => {
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

  it('refuses a second CALL while one is outstanding (GenericError), then answers the first', async () => {
    const hold = deferred<CallOutcome>();
    answerBad = () => hold.promise;
    const bad = await RawStation.connect(`${h.url}/BAD`, version);
    bad.send([2, 'c1', 'Heartbeat', {}]);
    bad.send([2, 'c2', 'Heartbeat', {}]);
    await expect(bad.next()).resolves.toEqual([
      4,
      'c2',
      'GenericError',
      'CALL received while message c1 is outstanding',
      {},
    ]);
    hold.resolve({ type: 'result', payload: { currentTime: '2025-01-01T00:00:00.000Z' } });
    await expect(bad.next()).resolves.toEqual([3, 'c1', { currentTime: '2025-01-01T00:00:00.000Z' }]);
    await assertOthersUnaffected();
    bad.close();
  });
});

describe('answers from the actor side', () => {
  let h: EdgeHarness;
  let logger: CapturingLogger;
  afterEach(() => h.stop());

  async function setup(
    answer?: (call: InboundCall) => CallOutcome | Promise<CallOutcome>,
    timeoutMs = 2_000,
  ) {
    logger = new CapturingLogger();
    h = await startEdge({ logger, stationCallTimeoutMs: timeoutMs });
    if (answer) await startWorker(h.bus, answer);
    h.store.add('CP', 0);
    return RawStation.connect(`${h.url}/CP`, 'ocpp2.0.1');
  }

  it('replaces a schema-violating CALLRESULT by InternalError and logs an error', async () => {
    const station = await setup(() => ({ type: 'result', payload: { currentTime: 'not a date', extra: 1 } }));
    await expect(station.call('x', 'Heartbeat', {})).resolves.toEqual([
      4,
      'x',
      'InternalError',
      'The CSMS could not process the request',
      {},
    ]);
    expect(logger.find('error', 'violates the response schema')).toHaveLength(1);
  });

  it('passes a CALLERROR outcome on, spelt for the version', async () => {
    const station = await setup(() => ({
      type: 'error',
      code: 'FormationViolation',
      description: 'd'.repeat(300),
      details: { why: 1 },
    }));
    await expect(station.call('x', 'Heartbeat', {})).resolves.toEqual([
      4,
      'x',
      'FormatViolation',
      'd'.repeat(255),
      { why: 1 },
    ]);
  });

  it.each([
    // These are retried until stationCallTimeoutMs (fail-over), then answered InternalError.
    ['no worker (NoRespondersError)', undefined, 500],
    ['worker throws (RemoteHandlerError)', () => Promise.reject(new Error('kaput')), 500],
    ['worker too slow (timeout)', () => new Promise<CallOutcome>(() => {}), 100],
    ['malformed outcome', () => ({ type: 'banana' }) as unknown as CallOutcome, 2_000],
  ] as const)('%s → InternalError with a generic description', async (_name, answer, timeoutMs) => {
    const station = await setup(answer, timeoutMs);
    await expect(station.call('x', 'Heartbeat', {})).resolves.toEqual([
      4,
      'x',
      'InternalError',
      'The CSMS could not process the request',
      {},
    ]);
    // And the station may go on.
    await expect(station.call('y', 'FooBar', {})).resolves.toEqual([
      4,
      'y',
      'NotImplemented',
      "Unknown action 'FooBar'",
      {},
    ]);
  });
});

describe('a CALL the station timed out (OCPP-J part 4 §4.1.1)', () => {
  let h: EdgeHarness;
  afterEach(() => h.stop());

  it('handles a new CALL sent after abandonInboundAfterMs and drops the late answer of the earlier one', async () => {
    const logger = new CapturingLogger();
    h = await startEdge({ logger, abandonInboundAfterMs: 300 });
    const first = deferred<CallOutcome>();
    const answered: string[] = [];
    await startWorker(h.bus, (call) => {
      answered.push(call.messageId);
      return call.messageId === 'slow'
        ? first.promise
        : { type: 'result', payload: { currentTime: '2025-01-01T00:00:01.000Z' } };
    });
    h.store.add('CP', 0);
    const station = await RawStation.connect(`${h.url}/CP`, 'ocpp2.0.1');
    station.send([2, 'slow', 'Heartbeat', {}]);
    // Within the station's timeout: still one CALL at a time.
    station.send([2, 'early', 'Heartbeat', {}]);
    await expect(station.next()).resolves.toEqual([
      4,
      'early',
      'GenericError',
      'CALL received while message slow is outstanding',
      {},
    ]);
    await new Promise((r) => setTimeout(r, 350));
    // After it: the station gave up on 'slow' and may send 'late', which is answered.
    await expect(station.call('late', 'Heartbeat', {})).resolves.toEqual([
      3,
      'late',
      { currentTime: '2025-01-01T00:00:01.000Z' },
    ]);
    expect(logger.find('warn', 'timed out the outstanding one')).toHaveLength(1);
    // The actor still completes 'slow'; its answer is not written to the station.
    first.resolve({ type: 'result', payload: { currentTime: '2025-01-01T00:00:00.000Z' } });
    await expect.poll(() => logger.find('info', 'abandoned CALL not sent').length).toBe(1);
    await expect(station.call('after', 'Heartbeat', {})).resolves.toEqual([
      3,
      'after',
      { currentTime: '2025-01-01T00:00:01.000Z' },
    ]);
    expect(answered).toEqual(['slow', 'late', 'after']);
    station.close();
  });
});

describe('fail-over of the station actor', () => {
  let h: EdgeHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('retries a CALL nobody answers until a worker takes the station over', async () => {
    const logger = new CapturingLogger();
    h = await startEdge({ logger, stationCallTimeoutMs: 10_000 });
    h.store.add('CP', 0);
    const station = await RawStation.connect(`${h.url}/CP`, 'ocpp2.0.1');
    const answer = station.call('x', 'Heartbeat', {});
    await new Promise((r) => setTimeout(r, 400)); // no owner for a while: requests find no responders
    const seen: string[] = [];
    await startWorker(h.bus, (call) => {
      seen.push(call.messageId);
      return { type: 'result', payload: { currentTime: '2026-01-01T00:00:00.000Z' } };
    });
    await expect(answer).resolves.toEqual([3, 'x', { currentTime: '2026-01-01T00:00:00.000Z' }]);
    expect(seen).toEqual(['x']);
    expect(logger.find('warn', 'retrying CALL')).toHaveLength(1);
  });
});

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
