/**
 * Durable queued commands (`whenOffline: 'queue'`): a command for an offline station that the CSMS saw
 * before is kept in `queued_commands` and delivered, in order and once, through the actor's outbound
 * queue when the station is back; expired ones are never sent; the caller reads the outcome.
 */
import {
  MemoryBus,
  Subjects,
  partitionOf,
  type CallOutcome,
  type CommandOutcome,
  type ConnectionEvent,
  type InboundCall,
  type OutboundCall,
  type OutboundOutcome,
  type StationCommand,
} from '@csms/bus';
import {
  findQueuedCommand,
  migrateToLatest,
  openDatabase,
  setBootPolicy,
  upsertStation,
  type BootPolicy,
  type DatabaseHandle,
} from '@csms/db';
import { createValidator, type OcppVersion } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import {
  silentLogger,
  startWorkerHarness,
  type Responder,
  type WorkerHarness,
} from './testing/worker-harness.js';
import { Worker } from './worker.js';

const BOOT: Record<OcppVersion, Record<string, unknown>> = {
  'ocpp1.6': { chargePointVendor: 'VendorX', chargePointModel: 'ModelY' },
  'ocpp2.0.1': { reason: 'PowerUp', chargingStation: { vendorName: 'VendorX', model: 'ModelY' } },
  'ocpp2.1': {},
};
const QUEUE_LIMIT = 3;

let h: WorkerHarness;
beforeAll(async () => {
  h = await startWorkerHarness({ config: { queuedCommandLimit: QUEUE_LIMIT } });
});
afterAll(() => h.close());

/** Polls `check` until it returns something other than undefined / false. */
async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A registered station that connected and booted (with its boot policy), then went offline. */
async function seenOffline(
  id: string,
  version: OcppVersion,
  policy: BootPolicy | null = null,
): Promise<void> {
  await upsertStation(h.database.db, { id, securityProfile: 0, bootPolicy: policy });
  const station = await h.connect(id, version);
  const boot = await station.ok<{ status: string }>('BootNotification', BOOT[version]);
  expect(boot.status).toBe(policy ?? 'Accepted');
  await station.disconnect();
}

function command(
  id: string,
  action: string,
  payload: Record<string, unknown>,
  extra: Partial<StationCommand> = {},
): Promise<CommandOutcome> {
  return h.bus.request<CommandOutcome>(
    Subjects.command(id),
    { action, payload, ...extra },
    { timeoutMs: 10_000 },
  );
}

function queue(
  id: string,
  action: string,
  payload: Record<string, unknown>,
  extra: Partial<StationCommand> = {},
): Promise<CommandOutcome> {
  return command(id, action, payload, { whenOffline: 'queue', ...extra });
}

function rows(id: string) {
  return h.database.db
    .selectFrom('queued_commands')
    .select(['action', 'payload', 'ocpp_version', 'timeout_ms', 'status', 'outcome'])
    .where('station_id', '=', id)
    .orderBy('id')
    .execute();
}

/** The `command-completed` events of a station, as they arrive. */
async function completions(id: string): Promise<Record<string, unknown>[]> {
  const events: Record<string, unknown>[] = [];
  await h.bus.subscribe<Record<string, unknown>>(Subjects.event(id, 'command-completed'), (m) => {
    const { at: _at, ...rest } = m.data;
    events.push(rest);
  });
  return events;
}

function commandId(outcome: CommandOutcome): string {
  if (outcome.status !== 'queued') throw new Error(`expected queued, got ${JSON.stringify(outcome)}`);
  return outcome.commandId;
}

const GET_VARIABLES = (name: string) => ({
  getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name } }],
});
const accepted: Responder = () => ({ type: 'result', payload: { status: 'Accepted' } });

describe('queueing a command for an offline station', () => {
  it('keeps it as a queued row and answers queued with its id and expiry', async () => {
    const id = 'QC-QUEUE';
    await seenOffline(id, 'ocpp2.0.1');
    const before = Date.now();
    const outcome = await queue(id, 'GetVariables', GET_VARIABLES('HeartbeatInterval'), {
      queueTtlMs: 60_000,
      timeoutMs: 4_000,
    });
    const after = Date.now();
    expect(outcome.status).toBe('queued');
    const row = await findQueuedCommand(h.database.db, commandId(outcome));
    expect(row).toMatchObject({
      id: commandId(outcome),
      station_id: id,
      action: 'GetVariables',
      payload: GET_VARIABLES('HeartbeatInterval'),
      ocpp_version: 'ocpp2.0.1',
      timeout_ms: 4_000,
      status: 'queued',
      outcome: null,
    });
    expect(outcome).toEqual({
      status: 'queued',
      commandId: row?.id,
      expiresAt: row?.expires_at.toISOString(),
    });
    const expiresAt = row?.expires_at.getTime() ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 60_000 - 5);
    expect(expiresAt).toBeLessThanOrEqual(after + 60_000 + 5);
  });

  it('answers offline for a station never seen, queueing nothing', async () => {
    // Unknown everywhere, and registered but never connected: no OCPP version to validate against.
    expect(await queue('QC-NEVER', 'ClearCache', {})).toEqual({ status: 'offline' });
    await upsertStation(h.database.db, { id: 'QC-REGISTERED', securityProfile: 0 });
    expect(await queue('QC-REGISTERED', 'ClearCache', {})).toEqual({ status: 'offline' });
    expect(await rows('QC-NEVER')).toEqual([]);
    expect(await rows('QC-REGISTERED')).toEqual([]);
  });

  it('still answers offline at once without whenOffline or with reject (the default)', async () => {
    const id = 'QC-REJECT';
    await seenOffline(id, 'ocpp2.0.1');
    expect(await command(id, 'ClearCache', {})).toEqual({ status: 'offline' });
    expect(await command(id, 'ClearCache', {}, { whenOffline: 'reject' })).toEqual({ status: 'offline' });
    expect(await rows(id)).toEqual([]);
    // Nothing was kept: a reconnected station gets nothing.
    const station = await h.connect(id, 'ocpp2.0.1', { answer: accepted });
    await station.ok('Heartbeat', {});
    await sleep(100);
    expect(station.received).toEqual([]);
  });

  it('validates first: an invalid payload is refused for the last known version and not queued', async () => {
    const id = 'QC-INVALID';
    await seenOffline(id, 'ocpp1.6');
    expect(await queue(id, 'Reset', { type: 'Immediate' })).toMatchObject({
      status: 'invalid-request',
      code: 'PropertyConstraintViolation',
    });
    expect(await queue(id, 'GetVariables', GET_VARIABLES('X'))).toEqual({
      status: 'not-supported',
      description: 'GetVariables is not an OCPP ocpp1.6 action',
    });
    expect(await rows(id)).toEqual([]);
  });

  it('refuses (does not queue) for a Rejected station (B03.FR.03)', async () => {
    const id = 'QC-REJECTED';
    await seenOffline(id, 'ocpp2.0.1', 'Rejected');
    expect(await queue(id, 'ClearCache', {})).toEqual({
      status: 'refused',
      reason: 'station-rejected',
      description: 'the station was Rejected at its last BootNotification (OCPP 2.0.1 B03.FR.03)',
    });
    expect(await rows(id)).toEqual([]);
  });

  it('bounds the queue per station: beyond the limit it answers refused queue-full', async () => {
    const id = 'QC-FULL';
    await seenOffline(id, 'ocpp2.0.1');
    const outcomes = await Promise.all(
      Array.from({ length: QUEUE_LIMIT + 2 }, (_, i) => queue(id, 'GetVariables', GET_VARIABLES(`V${i}`))),
    );
    expect(outcomes.filter((o) => o.status === 'queued')).toHaveLength(QUEUE_LIMIT);
    expect(outcomes.filter((o) => o.status !== 'queued')).toEqual([
      {
        status: 'refused',
        reason: 'queue-full',
        description: `too many commands queued for this offline station (${QUEUE_LIMIT})`,
      },
      {
        status: 'refused',
        reason: 'queue-full',
        description: `too many commands queued for this offline station (${QUEUE_LIMIT})`,
      },
    ]);
    expect((await rows(id)).map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
  });

  it('sends at once, not queued, when the station is connected', async () => {
    const id = 'QC-ONLINE';
    await seenOffline(id, 'ocpp2.0.1');
    const station = await h.connect(id, 'ocpp2.0.1', { answer: accepted });
    expect(await queue(id, 'ClearCache', {})).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    expect(station.received.map((c) => c.action)).toEqual(['ClearCache']);
    expect(await rows(id)).toEqual([]);
  });
});

describe('delivering queued commands when the station is back', () => {
  it('delivers them in order, one CALL at a time, exactly once, and records each outcome', async () => {
    const id = 'QC-DELIVER';
    await seenOffline(id, 'ocpp2.0.1');
    const events = await completions(id);
    const ids = [
      commandId(await queue(id, 'GetVariables', GET_VARIABLES('HeartbeatInterval'), { timeoutMs: 7_000 })),
      commandId(await queue(id, 'ClearCache', {})),
      commandId(await queue(id, 'GetVariables', GET_VARIABLES('OfflineThreshold'))),
    ];
    let inFlight = 0;
    let maxInFlight = 0;
    const responder: Responder = async (call) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(20);
      inFlight--;
      if (call.action === 'ClearCache')
        return { type: 'error', code: 'NotImplemented', description: 'no cache', details: {} };
      return { type: 'result', payload: { getVariableResult: [{ attributeStatus: 'Accepted' }] } };
    };
    const station = await h.connect(id, 'ocpp2.0.1', { answer: responder });
    await eventually(async () => (await rows(id)).every((r) => r.status === 'done' || r.status === 'failed'));

    expect(station.received.map((c) => [c.action, c.payload, c.timeoutMs])).toEqual([
      ['GetVariables', GET_VARIABLES('HeartbeatInterval'), 7_000],
      ['ClearCache', {}, 30_000],
      ['GetVariables', GET_VARIABLES('OfflineThreshold'), 30_000],
    ]);
    expect(maxInFlight).toBe(1);
    const result = {
      status: 'result',
      payload: { getVariableResult: [{ attributeStatus: 'Accepted' }] },
    };
    const callError = { status: 'call-error', code: 'NotImplemented', description: 'no cache', details: {} };
    expect((await rows(id)).map((r) => [r.action, r.status, r.outcome])).toEqual([
      ['GetVariables', 'done', result],
      ['ClearCache', 'failed', callError],
      ['GetVariables', 'done', result],
    ]);
    await eventually(() => Promise.resolve(events.length === 3));
    expect(events).toEqual([
      {
        commandId: ids[0],
        action: 'GetVariables',
        status: 'done',
        outcome: result,
        stationId: id,
        type: 'command-completed',
      },
      {
        commandId: ids[1],
        action: 'ClearCache',
        status: 'failed',
        outcome: callError,
        stationId: id,
        type: 'command-completed',
      },
      {
        commandId: ids[2],
        action: 'GetVariables',
        status: 'done',
        outcome: result,
        stationId: id,
        type: 'command-completed',
      },
    ]);

    // Later boots, CALLs and reconnections deliver nothing again.
    await station.ok('BootNotification', BOOT['ocpp2.0.1']);
    await station.disconnect();
    const again = await h.connect(id, 'ocpp2.0.1', { answer: responder });
    await again.ok('Heartbeat', {});
    await sleep(100);
    expect(station.received).toHaveLength(3);
    expect(again.received).toEqual([]);
  });

  it('delivers through the same outbound queue as live commands: one outstanding CALL', async () => {
    const id = 'QC-SHARED';
    await seenOffline(id, 'ocpp2.0.1');
    const queued = commandId(await queue(id, 'GetVariables', GET_VARIABLES('HeartbeatInterval')));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let inFlight = 0;
    let maxInFlight = 0;
    const station = await h.connect(id, 'ocpp2.0.1', {
      answer: async (call) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (call.action === 'GetVariables') await released;
        inFlight--;
        return {
          type: 'result',
          payload: call.action === 'GetVariables' ? { getVariableResult: [] } : { status: 'Accepted' },
        };
      },
    });
    await eventually(() => Promise.resolve(station.received.length === 1));
    // A live command waits behind the queued one that is being delivered.
    const live = command(id, 'ClearCache', {});
    await sleep(100);
    expect(station.received.map((c) => c.action)).toEqual(['GetVariables']);
    release();
    expect(await live).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    expect(station.received.map((c) => c.action)).toEqual(['GetVariables', 'ClearCache']);
    expect(maxInFlight).toBe(1);
    expect((await findQueuedCommand(h.database.db, queued))?.status).toBe('done');
  });

  it('starts delivering on the first CALL of a connection it missed the connected event of', async () => {
    const id = 'QC-CALL';
    await seenOffline(id, 'ocpp1.6');
    const queued = commandId(await queue(id, 'GetConfiguration', { key: ['HeartbeatInterval'] }));
    // The edge's subscription exists, but the actor sees the new connection only through a CALL.
    const received: OutboundCall[] = [];
    await h.bus.subscribe<OutboundCall, OutboundOutcome>(Subjects.outboundCall(id), (m) => {
      received.push(m.data);
      return { type: 'result', payload: { configurationKey: [] } };
    });
    const call: InboundCall = {
      stationId: id,
      version: 'ocpp1.6',
      connectionId: 'conn-without-event',
      edgeId: 'test-edge',
      messageId: 'hb-1',
      action: 'Heartbeat',
      payload: {},
      receivedAt: new Date().toISOString(),
    };
    const answer = await h.bus.request<CallOutcome>(Subjects.inboundCall(id), call, { timeoutMs: 5_000 });
    expect(answer.type).toBe('result');
    const row = await eventually(async () => {
      const r = await findQueuedCommand(h.database.db, queued);
      return r?.status === 'done' ? r : undefined;
    });
    expect(row.outcome).toEqual({ status: 'result', payload: { configurationKey: [] } });
    expect(received.map((c) => [c.action, c.payload])).toEqual([
      ['GetConfiguration', { key: ['HeartbeatInterval'] }],
    ]);
  });

  it('never sends an expired command: it ends expired, the rest is delivered', async () => {
    const id = 'QC-EXPIRE';
    await seenOffline(id, 'ocpp2.0.1');
    const events = await completions(id);
    const short = commandId(await queue(id, 'GetVariables', GET_VARIABLES('Short'), { queueTtlMs: 1 }));
    const long = commandId(await queue(id, 'GetVariables', GET_VARIABLES('Long'), { queueTtlMs: 60_000 }));
    await sleep(20);
    const station = await h.connect(id, 'ocpp2.0.1', {
      answer: () => ({ type: 'result', payload: { getVariableResult: [] } }),
    });
    await eventually(async () => (await findQueuedCommand(h.database.db, long))?.status === 'done');
    expect(station.received.map((c) => c.payload)).toEqual([GET_VARIABLES('Long')]);
    expect((await rows(id)).map((r) => [r.status, r.outcome])).toEqual([
      ['expired', null],
      ['done', { status: 'result', payload: { getVariableResult: [] } }],
    ]);
    await eventually(() => Promise.resolve(events.length === 2));
    expect(events.map((e) => [e.commandId, e.status, e.outcome])).toEqual([
      [short, 'expired', null],
      [long, 'done', { status: 'result', payload: { getVariableResult: [] } }],
    ]);
  });

  it('reports expiry on reads before any delivery', async () => {
    const id = 'QC-EXPIRE-READ';
    await seenOffline(id, 'ocpp2.0.1');
    const queued = commandId(await queue(id, 'ClearCache', {}, { queueTtlMs: 1 }));
    await sleep(20);
    expect(await findQueuedCommand(h.database.db, queued)).toMatchObject({
      status: 'expired',
      outcome: null,
    });
  });

  it('keeps commands queued, in order, while the registration forbids them (1.6 Pending, Rejected)', async () => {
    const id = 'QC-GATE';
    await seenOffline(id, 'ocpp1.6');
    await queue(id, 'RemoteStartTransaction', { idTag: 'TAG-1', connectorId: 1 });
    await queue(id, 'GetConfiguration', { key: ['HeartbeatInterval'] });
    await setBootPolicy(h.database.db, id, 'Pending');
    const responder: Responder = (call) => ({
      type: 'result',
      payload: call.action === 'GetConfiguration' ? { configurationKey: [] } : { status: 'Accepted' },
    });
    // Back, but Pending: RemoteStart may not be sent (1.6 §4.2), and nothing overtakes it.
    const station = await h.connect(id, 'ocpp1.6');
    await sleep(100); // the pass the connection started finds no edge (no responders) and stops
    expect((await station.ok<{ status: string }>('BootNotification', BOOT['ocpp1.6'])).status).toBe(
      'Pending',
    );
    await station.answer(responder);
    await station.ok('BootNotification', BOOT['ocpp1.6']);
    await sleep(100);
    expect(station.received).toEqual([]);
    expect((await rows(id)).map((r) => r.status)).toEqual(['queued', 'queued']);
    // Rejected: nothing at all (B03.FR.03).
    await setBootPolicy(h.database.db, id, 'Rejected');
    expect((await station.ok<{ status: string }>('BootNotification', BOOT['ocpp1.6'])).status).toBe(
      'Rejected',
    );
    await sleep(100);
    expect(station.received).toEqual([]);
    // Accepted: both, in order.
    await setBootPolicy(h.database.db, id, 'Accepted');
    expect((await station.ok<{ status: string }>('BootNotification', BOOT['ocpp1.6'])).status).toBe(
      'Accepted',
    );
    await eventually(async () => (await rows(id)).every((r) => r.status === 'done'));
    expect(station.received.map((c) => c.action)).toEqual(['RemoteStartTransaction', 'GetConfiguration']);
  });

  it('fails a command queued for another OCPP version than the station came back with', async () => {
    const id = 'QC-VERSION';
    await seenOffline(id, 'ocpp1.6');
    const queued = commandId(await queue(id, 'ClearCache', {}));
    const station = await h.connect(id, 'ocpp2.0.1', { answer: accepted });
    const row = await eventually(async () => {
      const r = await findQueuedCommand(h.database.db, queued);
      return r?.status === 'failed' ? r : undefined;
    });
    expect(row.outcome).toEqual({
      status: 'not-supported',
      description: 'queued for ocpp1.6, but the station now uses ocpp2.0.1',
    });
    expect(station.received).toEqual([]);
  });

  it('ends a delivery a former activation left unfinished as failed, without sending it again', async () => {
    const id = 'QC-INTERRUPTED';
    await seenOffline(id, 'ocpp2.0.1');
    const queued = commandId(await queue(id, 'ClearCache', {}));
    // As if a worker claimed it and died (or was fenced out) before recording the answer.
    await h.database.db
      .updateTable('queued_commands')
      .set({ status: 'delivering' })
      .where('id', '=', queued)
      .execute();
    const station = await h.connect(id, 'ocpp2.0.1', { answer: accepted });
    const row = await eventually(async () => {
      const r = await findQueuedCommand(h.database.db, queued);
      return r?.status === 'failed' ? r : undefined;
    });
    expect(row.outcome).toEqual({ status: 'timeout' });
    await sleep(50);
    expect(station.received).toEqual([]);
  });

  it('puts a command back when the station is gone again before it is sent', async () => {
    const id = 'QC-GONE';
    await seenOffline(id, 'ocpp2.0.1');
    const queued = commandId(await queue(id, 'ClearCache', {}));
    // A `connected` event without an edge answering: the bus finds no responders.
    const first = await h.connect(id, 'ocpp2.0.1');
    await first.ok('Heartbeat', {});
    // Claimed, found no edge, put back (its updated_at moved).
    const back = await eventually(async () => {
      const r = await findQueuedCommand(h.database.db, queued);
      return r?.status === 'queued' && r.updated_at > r.created_at ? r : undefined;
    });
    expect(back.outcome).toBeNull();
    expect(first.received).toEqual([]);
    await first.disconnect();
    const second = await h.connect(id, 'ocpp2.0.1', { answer: accepted });
    await eventually(async () => (await findQueuedCommand(h.database.db, queued))?.status === 'done');
    expect(second.received.map((c) => c.action)).toEqual(['ClearCache']);
  });
});

describe('queued commands in distributed mode', () => {
  let testDb: TestDatabase;
  let database: DatabaseHandle;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    database = await openDatabase({ kind: 'postgres', url: testDb.url });
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database.close();
    await testDb.drop();
  });

  it('a fenced-out former owner does not deliver; the new owner delivers once', async () => {
    const station = 'qc-fenced-station';
    const p = partitionOf(station);
    await upsertStation(database.db, { id: station, securityProfile: 0 });
    const busA = new MemoryBus();
    const busB = new MemoryBus();
    const fencedA: number[] = [];
    const mk = (bus: MemoryBus, workerId: string, onFenced?: (p: number) => void) =>
      new Worker({
        bus,
        db: database.db,
        validator: createValidator(),
        log: silentLogger,
        partitioned: { workerId, ...(onFenced ? { onFenced } : {}) },
      });
    const a = mk(busA, 'worker-a', (x) => fencedA.push(x));
    const b = mk(busB, 'worker-b');
    await a.start();
    await b.start();
    const conn = (type: ConnectionEvent['type'], connectionId: string): ConnectionEvent => ({
      type,
      stationId: station,
      version: 'ocpp2.0.1',
      connectionId,
      edgeId: 'e1',
      securityProfile: 0,
      at: new Date().toISOString(),
    });
    const received: { a: OutboundCall[]; b: OutboundCall[] } = { a: [], b: [] };
    const answer = (bus: MemoryBus, key: 'a' | 'b') =>
      bus.subscribe<OutboundCall, OutboundOutcome>(Subjects.outboundCall(station), (m) => {
        received[key].push(m.data);
        return { type: 'result', payload: { status: 'Accepted' } };
      });
    try {
      expect(await a.acquirePartition(p, '1')).toBe(true);
      await busA.publish(Subjects.connection(station), conn('connected', 'c1'));
      const boot: InboundCall = {
        stationId: station,
        version: 'ocpp2.0.1',
        connectionId: 'c1',
        edgeId: 'e1',
        messageId: 'b1',
        action: 'BootNotification',
        payload: BOOT['ocpp2.0.1'],
        receivedAt: new Date().toISOString(),
      };
      expect(
        await busA.request<CallOutcome>(Subjects.inboundCall(station), boot, { timeoutMs: 5_000 }),
      ).toMatchObject({
        type: 'result',
      });
      await busA.publish(Subjects.connection(station), conn('disconnected', 'c1'));
      const outcome = await busA.request<CommandOutcome>(
        Subjects.command(station),
        {
          action: 'ClearCache',
          payload: {},
          whenOffline: 'queue',
        },
        { timeoutMs: 5_000 },
      );
      const id = commandId(outcome);

      // worker-b takes the partition over while worker-a still listens on its (partitioned) bus.
      expect(await b.acquirePartition(p, '2')).toBe(true);
      await answer(busA, 'a');
      await busA.publish(Subjects.connection(station), conn('connected', 'c2'));
      await eventually(() => Promise.resolve(fencedA.length > 0));
      expect(fencedA).toEqual([p]);
      expect(received.a).toEqual([]);
      expect((await findQueuedCommand(database.db, id))?.status).toBe('queued');

      await answer(busB, 'b');
      await busB.publish(Subjects.connection(station), conn('connected', 'c3'));
      const row = await eventually(async () => {
        const r = await findQueuedCommand(database.db, id);
        return r?.status === 'done' ? r : undefined;
      });
      expect(row.outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });
      expect(received.b.map((c) => c.action)).toEqual(['ClearCache']);
      expect(received.a).toEqual([]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
