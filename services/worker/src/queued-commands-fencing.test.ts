/**
 * Durable queued commands across workers: each row is claimed atomically and every write of the actor
 * is fenced, so a former owner of the station's partition cannot send or record a queued command.
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
} from '@csms/bus';
import {
  findQueuedCommand,
  migrateToLatest,
  openDatabase,
  upsertStation,
  type DatabaseHandle,
} from '@csms/db';
import { createValidator } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { BOOT, commandId, eventually } from './testing/queued-commands.js';
import { silentLogger } from './testing/worker-harness.js';
import { Worker } from './worker.js';

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
