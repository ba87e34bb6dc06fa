/**
 * Delivery of durable queued commands (`whenOffline: 'queue'`): in order and once, through the actor's
 * outbound queue, when the station is back; expired ones are never sent; the caller reads the outcome.
 */
import {
  Subjects,
  type CallOutcome,
  type InboundCall,
  type OutboundCall,
  type OutboundOutcome,
} from '@csms/bus';
import { findQueuedCommand, setBootPolicy } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accepted,
  BOOT,
  commandId,
  eventually,
  GET_VARIABLES,
  queuedCommandTools,
  sleep,
} from './testing/queued-commands.js';
import { startWorkerHarness, type Responder, type WorkerHarness } from './testing/worker-harness.js';

const QUEUE_LIMIT = 3;

let h: WorkerHarness;
beforeAll(async () => {
  h = await startWorkerHarness({ config: { queuedCommandLimit: QUEUE_LIMIT } });
});
afterAll(() => h.close());
const { seenOffline, command, queue, rows, completions } = queuedCommandTools(() => h);

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
