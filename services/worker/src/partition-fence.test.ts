import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryBus,
  RemoteHandlerError,
  Subjects,
  partitionOf,
  type CallOutcome,
  type InboundCall,
} from '@csms/bus';
import { migrateToLatest, openDatabase, sql, upsertStation, type DatabaseHandle } from '@csms/db';
import { createValidator } from '@csms/ocpp';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { FencedError, PartitionFence } from './partition-fence.js';
import { silentLogger } from './testing/worker-harness.js';
import { Worker } from './worker.js';

let testDb: TestDatabase;
let database: DatabaseHandle;
const validator = createValidator();

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase({ kind: 'postgres', url: testDb.url });
  await migrateToLatest(database.db);
});
afterAll(async () => {
  await database.close();
  await testDb.drop();
});

function boot(stationId: string, messageId: string): InboundCall {
  return {
    stationId,
    version: 'ocpp2.0.1',
    connectionId: 'c1',
    edgeId: 'e1',
    messageId,
    action: 'BootNotification',
    payload: { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } },
    receivedAt: new Date().toISOString(),
  };
}

describe('PartitionFence', () => {
  it('refuses stale epochs and lets only the newest owner write', async () => {
    const a = new PartitionFence(database.db, 'worker-a');
    const b = new PartitionFence(database.db, 'worker-b');
    const station = 'fence-station-1';
    const p = partitionOf(station);
    expect(await a.acquire(p, '10')).toBe(true);
    await a.transaction(station, () => Promise.resolve());
    expect(await b.acquire(p, '11')).toBe(true);
    expect(await a.acquire(p, '10')).toBe(false); // stale
    await expect(a.transaction(station, () => Promise.resolve())).rejects.toBeInstanceOf(FencedError);
    await b.transaction(station, () => Promise.resolve());
    const log = await database.db
      .selectFrom('partition_ownership_log')
      .select(['owner', 'epoch', 'event'])
      .where('partition', '=', p)
      .orderBy('id')
      .execute();
    expect(log).toEqual([
      { owner: 'worker-a', epoch: '10', event: 'acquired' },
      { owner: 'worker-b', epoch: '11', event: 'acquired' },
    ]);
  });

  it('makes a new owner wait for the old owner’s open transaction', async () => {
    const a = new PartitionFence(database.db, 'worker-a');
    const b = new PartitionFence(database.db, 'worker-b');
    const station = 'fence-station-2';
    const p = partitionOf(station);
    expect(await a.acquire(p, '20')).toBe(true);
    const order: string[] = [];
    let releaseA!: () => void;
    const aHolds = new Promise<void>((r) => (releaseA = r));
    let aChecked!: () => void;
    const checked = new Promise<void>((r) => (aChecked = r));
    // The check leaves with the transaction's first statement (and the lock is held from then on).
    const aTx = a.transaction(station, async (trx) => {
      await sql`select ${1}`.execute(trx);
      aChecked();
      await aHolds; // the old owner is slow (or paused) inside its transaction
      order.push('a-commit');
    });
    await checked;
    const bAcquire = b.acquire(p, '21').then((ok) => order.push(`b-acquired:${ok}`));
    await new Promise((r) => setTimeout(r, 300));
    expect(order).toEqual([]); // b waits on a's FOR SHARE lock
    releaseA();
    await Promise.all([aTx, bAcquire]);
    expect(order).toEqual(['a-commit', 'b-acquired:true']);
  });
});

describe('Worker in partitioned mode', () => {
  it('serves only acquired partitions and stops writing once fenced', async () => {
    const station = 'fenced-worker-station';
    const p = partitionOf(station);
    await upsertStation(database.db, { id: station, securityProfile: 0 });
    // Two workers on separate buses (as if partitioned from each other), one database.
    const busA = new MemoryBus();
    const busB = new MemoryBus();
    const fencedA: number[] = [];
    const mk = (bus: MemoryBus, id: string, onFenced?: (p: number) => void) =>
      new Worker({
        bus,
        db: database.db,
        validator,
        log: silentLogger,
        partitioned: { workerId: id, ...(onFenced ? { onFenced } : {}) },
      });
    const a = mk(busA, 'worker-a', (x) => fencedA.push(x));
    const b = mk(busB, 'worker-b');
    await a.start();
    await b.start();
    try {
      await expect(
        busA.request(Subjects.inboundCall(station), boot(station, 'm0'), { timeoutMs: 2000 }),
      ).rejects.toThrow(/no responders/);
      expect(await a.acquirePartition(p, '100')).toBe(true);
      const first = await busA.request<CallOutcome>(Subjects.inboundCall(station), boot(station, 'm1'), {
        timeoutMs: 5000,
      });
      expect(first.type).toBe('result');

      expect(await b.acquirePartition(p, '101')).toBe(true); // a was "paused": its lease lapsed
      await expect(
        busA.request(Subjects.inboundCall(station), boot(station, 'm2'), { timeoutMs: 5000 }),
      ).rejects.toBeInstanceOf(RemoteHandlerError);
      expect(fencedA).toEqual([p]);
      await new Promise((r) => setTimeout(r, 50));
      expect(a.ownedPartitions()).toEqual([]);
      expect(a.actorCount).toBe(0);

      const second = await busB.request<CallOutcome>(Subjects.inboundCall(station), boot(station, 'm3'), {
        timeoutMs: 5000,
      });
      expect(second.type).toBe('result');
      const log = await database.db
        .selectFrom('partition_ownership_log')
        .select(['owner', 'event'])
        .where('partition', '=', p)
        .where('epoch', 'in', ['100', '101'])
        .orderBy('id')
        .execute();
      expect(log).toEqual([
        { owner: 'worker-a', event: 'acquired' },
        { owner: 'worker-b', event: 'acquired' },
        { owner: 'worker-a', event: 'fenced' },
      ]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
