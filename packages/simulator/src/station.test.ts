/**
 * Station behaviour that needs a CSMS misbehaving on cue (answers withheld, sockets cut in the middle of a
 * CALL, CALLERRORs): a scripted OCPP-J server on a real loopback `ws` socket.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectGate } from './connect-gate.js';
import {
  createStationContext,
  EndpointError,
  isLoopbackHost,
  SimulatedStation,
  Simulator,
  type StationContext,
} from './index.js';

/** What the scripted CSMS does with a station CALL: answer, answer with an error, stay silent, cut the socket. */
type Reply =
  { readonly result: Record<string, unknown> } | { readonly error: string } | 'ignore' | 'terminate';

interface Received {
  readonly connection: number;
  readonly id: string;
  readonly action: string;
  readonly payload: Record<string, unknown>;
  readonly text: string;
}

/** A scripted OCPP-J server for one subprotocol. */
class ScriptedCsms {
  readonly received: Received[] = [];
  /** Frames received that are answers to our own CALLs. */
  readonly answers: unknown[][] = [];
  readonly sockets: WebSocket[] = [];
  #server!: WebSocketServer;

  private constructor(private readonly script: (call: Received, index: number) => Reply) {}

  static async start(
    protocol: string,
    script: (call: Received, index: number) => Reply,
  ): Promise<ScriptedCsms> {
    const csms = new ScriptedCsms(script);
    csms.#server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      perMessageDeflate: false,
      handleProtocols: (offered) => (offered.has(protocol) ? protocol : false),
    });
    csms.#server.on('connection', (ws) => csms.#accept(ws));
    await new Promise<void>((resolve) => csms.#server.once('listening', () => resolve()));
    return csms;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}/ocpp`;
  }

  actions(connection?: number): string[] {
    return this.received
      .filter((r) => connection === undefined || r.connection === connection)
      .map((r) => r.action);
  }

  /** Sends a CALL to the newest connection. */
  send(frame: unknown[]): void {
    this.sockets.at(-1)?.send(JSON.stringify(frame));
  }

  close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(ws: WebSocket): void {
    const connection = this.sockets.push(ws) - 1;
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      const frame = JSON.parse(text) as unknown[];
      if (frame[0] !== 2) {
        this.answers.push(frame);
        return;
      }
      const call: Received = {
        connection,
        id: frame[1] as string,
        action: frame[2] as string,
        payload: frame[3] as Record<string, unknown>,
        text,
      };
      this.received.push(call);
      const same = this.received.filter((r) => r.action === call.action).length - 1;
      const reply = this.script(call, same);
      if (reply === 'ignore') return;
      if (reply === 'terminate') {
        ws.terminate();
        return;
      }
      ws.send(
        JSON.stringify('result' in reply ? [3, call.id, reply.result] : [4, call.id, reply.error, '', {}]),
      );
    });
  }
}

const now = () => new Date().toISOString();

/** Usual answers for the messages a script does not care about. */
function usual(call: Received): Reply {
  switch (call.action) {
    case 'BootNotification':
      return { result: { status: 'Accepted', currentTime: now(), interval: 0 } };
    case 'StartTransaction':
      return { result: { transactionId: 77, idTagInfo: { status: 'Accepted' } } };
    case 'Authorize':
      return { result: { idTagInfo: { status: 'Accepted' } } };
    case 'Heartbeat':
      return { result: { currentTime: now() } };
    default:
      return { result: {} };
  }
}

async function until(probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  protocol: 'ocpp1.6' | 'ocpp2.0.1',
  script: (call: Received, index: number) => Reply,
  options: Partial<ConstructorParameters<typeof SimulatedStation>[0]> = {},
): Promise<{ csms: ScriptedCsms; station: SimulatedStation; ctx: StationContext }> {
  const csms = await ScriptedCsms.start(protocol, script);
  const ctx = createStationContext({ timeoutResolutionMs: 20 });
  const station = new SimulatedStation(
    {
      identity: 'CP1',
      version: protocol,
      url: csms.url,
      reconnectMinMs: 20,
      reconnectMaxMs: 50,
      callTimeoutMs: 2_000,
      transactionMessageRetryIntervalMs: 20,
      transaction: { auto: false, meterValueIntervalMs: 30, meterValuesPerTransaction: 1 },
      ...options,
    },
    ctx,
  );
  cleanups.push(() => csms.close());
  cleanups.push(() => station.stop(500));
  station.start();
  return { csms, station, ctx };
}

describe('transaction message retries', () => {
  it('resends a message cut off by a dropped socket with the same id and payload, without booting again', async () => {
    const { csms, station, ctx } = await setup('ocpp1.6', (call, n) =>
      call.action === 'MeterValues' && n === 0 ? 'terminate' : usual(call),
    );
    expect(await station.whenAccepted(5_000)).toBe(true);
    expect(station.startTransaction(1, 'TAG1')).toBe(true);
    await until(() => station.ledger()[0]?.stopAcknowledged === true);

    const meterValues = csms.received.filter((r) => r.action === 'MeterValues');
    expect(meterValues).toHaveLength(2);
    expect(meterValues[1]?.text).toBe(meterValues[0]?.text); // same message id, same payload
    expect(meterValues.map((m) => m.connection)).toEqual([0, 1]);
    expect(csms.actions(1)).not.toContain('BootNotification');
    expect(csms.actions().filter((a) => a === 'BootNotification')).toHaveLength(1);
    expect(meterValues[0]?.payload).toMatchObject({ connectorId: 1, transactionId: 77 });

    const [tx] = station.ledger();
    expect(tx).toMatchObject({
      transactionId: '77',
      startAcknowledged: true,
      stopAcknowledged: true,
      pendingMessages: 0,
      droppedMessages: 0,
    });
    expect(tx?.meterValues).toHaveLength(1);
    expect(ctx.metrics).toMatchObject({ retried: 1, disconnects: 1, reconnects: 1, startsAcknowledged: 1 });
  });

  it('retries after a CALLERROR and after a timeout (same id), and gives up after the attempts', async () => {
    const { csms, station, ctx } = await setup(
      'ocpp2.0.1',
      (call, n) => {
        if (call.action !== 'TransactionEvent') return usual(call);
        const type = call.payload.eventType;
        if (type === 'Started')
          return n === 0 ? { error: 'InternalError' } : n === 1 ? 'ignore' : { result: {} };
        if (type === 'Updated') return { error: 'InternalError' }; // always: dropped after 3 attempts
        return { result: {} };
      },
      { callTimeoutMs: 300, transactionMessageAttempts: 3 },
    );
    expect(await station.whenAccepted(5_000)).toBe(true);
    expect(station.startTransaction(1, 'TAG2')).toBe(true);
    await until(() => station.ledger()[0]?.stopAcknowledged === true);

    const events = csms.received.filter((r) => r.action === 'TransactionEvent');
    const started = events.filter((e) => e.payload.eventType === 'Started');
    expect(started).toHaveLength(3);
    expect(new Set(started.map((s) => s.text)).size).toBe(1);
    expect(events.filter((e) => e.payload.eventType === 'Updated')).toHaveLength(3);
    expect(events.map((e) => e.payload.seqNo)).toEqual([0, 0, 0, 1, 1, 1, 2]);

    const [tx] = station.ledger();
    expect(tx).toMatchObject({
      startAcknowledged: true,
      stopAcknowledged: true,
      droppedMessages: 1,
      pendingMessages: 0,
    });
    // Started and Ended were acknowledged; the Updated event was given up on.
    expect(tx?.meterValues.map((m) => m.context)).toEqual(['Transaction.Begin', 'Transaction.End']);
    expect(ctx.metrics.callErrors.get('InternalError')).toBe(4);
    expect(ctx.metrics.droppedTransactionMessages).toBe(1);
    expect(ctx.metrics.action('ocpp2.0.1', 'TransactionEvent')).toMatchObject({
      sent: 7,
      errors: 4,
      timeouts: 1,
    });
  });

  it('drops a non-transaction message that timed out instead of retrying it', async () => {
    const { csms, station, ctx } = await setup(
      'ocpp2.0.1',
      (call) => (call.action === 'Heartbeat' ? 'ignore' : usual(call)),
      {
        callTimeoutMs: 200,
      },
    );
    expect(await station.whenAccepted(5_000)).toBe(true);
    // TriggerMessage(Heartbeat) from the CSMS: answered Accepted first, then the Heartbeat is sent.
    csms.send([2, 'trig-1', 'TriggerMessage', { requestedMessage: 'Heartbeat' }]);
    await until(() => ctx.metrics.droppedMessages === 1);
    expect(csms.answers[0]).toEqual([3, 'trig-1', { status: 'Accepted' }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(csms.actions().filter((a) => a === 'Heartbeat')).toHaveLength(1);
    expect(ctx.metrics.action('ocpp2.0.1', 'Heartbeat').timeouts).toBe(1);
  });
});

describe('boot', () => {
  it('boots again after the Pending interval and sends nothing else before Accepted', async () => {
    const { csms, station, ctx } = await setup('ocpp1.6', (call, n) =>
      call.action === 'BootNotification' && n === 0
        ? { result: { status: 'Pending', currentTime: now(), interval: 1 } }
        : usual(call),
    );
    await until(() => csms.received.length === 1);
    // While Pending the CSMS may still talk to the station (1.6 §4.2).
    csms.send([2, 'cfg-1', 'GetConfiguration', { key: ['NumberOfConnectors'] }]);
    await until(() => csms.answers.length === 1);
    expect(csms.answers[0]).toEqual([
      3,
      'cfg-1',
      { configurationKey: [{ key: 'NumberOfConnectors', readonly: true, value: '1' }] },
    ]);
    expect(await station.whenAccepted(5_000)).toBe(true);
    expect(ctx.metrics.bootsNotAccepted).toBe(1);
    expect(ctx.metrics.booted).toBe(1);
    await until(() => csms.actions().length >= 4);
    expect(csms.actions().slice(0, 4)).toEqual([
      'BootNotification',
      'BootNotification',
      'StatusNotification',
      'StatusNotification',
    ]);
    expect(csms.received[2]?.payload).toMatchObject({
      connectorId: 0,
      status: 'Available',
      errorCode: 'NoError',
    });
  });

  it('heartbeats at the interval of the BootNotification answer', async () => {
    const { csms, station } = await setup('ocpp2.0.1', (call) =>
      call.action === 'BootNotification'
        ? { result: { status: 'Accepted', currentTime: now(), interval: 1 } }
        : usual(call),
    );
    expect(await station.whenAccepted(5_000)).toBe(true);
    await until(() => csms.actions().filter((a) => a === 'Heartbeat').length >= 2, 4_000);
    expect(station.settings.heartbeatIntervalSec).toBe(1);
  });
});

describe('CSMS-initiated CALLs', () => {
  it('answers unknown actions with NotImplemented and malformed CALLs with a CALLERROR', async () => {
    const { csms, station } = await setup('ocpp1.6', usual);
    expect(await station.whenAccepted(5_000)).toBe(true);
    csms.send([2, 'u-1', 'GetCompositeSchedule', { connectorId: 1, duration: 60 }]);
    csms.send([2, 'u-2', 'Reset', 'not an object']);
    await until(() => csms.answers.length === 2);
    expect(csms.answers[0]?.slice(0, 3)).toEqual([4, 'u-1', 'NotImplemented']);
    expect(csms.answers[1]?.slice(0, 3)).toEqual([4, 'u-2', 'FormationViolation']);
  });

  it('RemoteStartTransaction is accepted, then the transaction starts without Authorize', async () => {
    const { csms, station, ctx } = await setup('ocpp1.6', usual, {
      transaction: { auto: false, meterValueIntervalMs: 10_000, meterValuesPerTransaction: 5 },
    });
    expect(await station.whenAccepted(5_000)).toBe(true);
    csms.send([2, 'rs-1', 'RemoteStartTransaction', { idTag: 'RT1' }]);
    await until(() => csms.actions().includes('StartTransaction'));
    expect(csms.answers[0]).toEqual([3, 'rs-1', { status: 'Accepted' }]);
    expect(csms.actions()).not.toContain('Authorize');
    expect(csms.received.find((r) => r.action === 'StartTransaction')?.payload).toMatchObject({
      connectorId: 1,
      idTag: 'RT1',
    });
    expect(ctx.metrics.remoteStart['ocpp1.6'].count).toBe(1);
  });
});

describe('safety and options', () => {
  it('refuses a non-loopback host unless allowRemote is set', () => {
    const options = { identity: 'CP1', version: 'ocpp1.6' as const };
    expect(() => new SimulatedStation({ ...options, url: 'ws://192.0.2.10:9000/ocpp' })).toThrow(
      EndpointError,
    );
    expect(() => new SimulatedStation({ ...options, url: 'ws://csms.example.com/ocpp' })).toThrow(
      /non-loopback/,
    );
    expect(() => new SimulatedStation({ ...options, url: 'http://127.0.0.1:9000/ocpp' })).toThrow(/ws:\/\//);
    expect(() => new Simulator({ url: 'ws://192.0.2.10/ocpp', stations: 1 })).toThrow(EndpointError);
    expect(
      () => new SimulatedStation({ ...options, url: 'ws://192.0.2.10/ocpp', allowRemote: true }),
    ).not.toThrow();
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', '[::ffff:7f00:1]']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['10.0.0.1', 'example.com', '[::2]', '0.0.0.0', '128.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('validates fleet options and interleaves versions by the mix', () => {
    const url = 'ws://127.0.0.1:9/ocpp';
    expect(() => new Simulator({ url, stations: 0 })).toThrow(RangeError);
    expect(() => new Simulator({ url, stations: 200_000 })).toThrow(RangeError);
    expect(() => new Simulator({ url, stations: 2, versionMix: 1.5 })).toThrow(RangeError);
    expect(() => new Simulator({ url, stations: 2, bootStorm: true, rampUpPerSecond: 5 })).toThrow(
      RangeError,
    );
    expect(() => new Simulator({ url, stations: 2, durationMs: 0 })).toThrow(RangeError);
    const quarter = new Simulator({ url, stations: 8, versionMix: 0.25, idPrefix: 'Q' });
    expect(quarter.stations.map((s) => s.version === 'ocpp2.0.1')).toEqual([
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      true,
    ]);
    expect(quarter.stations[0]?.identity).toBe('Q00001');
    expect(
      new Simulator({ url, stations: 3, versionMix: 0 }).stations.every((s) => s.version === 'ocpp1.6'),
    ).toBe(true);
    expect(
      new Simulator({ url, stations: 3, versionMix: 1 }).stations.every((s) => s.version === 'ocpp2.0.1'),
    ).toBe(true);
  });

  it('bounds the handshakes in progress', async () => {
    const gate = new ConnectGate(2);
    const order: number[] = [];
    await gate.acquire();
    await gate.acquire();
    const third = gate.acquire().then(() => order.push(3));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    expect(gate.waiting).toBe(1);
    gate.release();
    await third;
    expect(order).toEqual([3]);
    expect(gate.active).toBe(2);
    gate.release();
    gate.release();
    expect(gate.active).toBe(0);
  });
});
