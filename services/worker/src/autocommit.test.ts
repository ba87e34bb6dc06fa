import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteHandlerError, partitionOf } from '@csms/bus';
import type { Database, Kysely } from '@csms/db';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { startWorkerHarness, type WorkerHarness } from './testing/worker-harness.js';
import { bootedStation } from './v201/testing.js';

/**
 * Observes a database handle: counts its `transaction()` calls and records the SQL of the compiled statements
 * (`executeQuery`: the query templates) run on it or in its transactions. The queries themselves run unchanged.
 */
function transactionCounter() {
  let transactions = 0;
  const statements: string[] = [];
  const observe = <D extends object>(db: D, inTransaction: boolean): D =>
    new Proxy(db, {
      get(target, property) {
        // Kysely keeps its state in private fields: its methods must run on the real instance.
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        const method = (value as (...a: unknown[]) => unknown).bind(target);
        if (property === 'executeQuery')
          return (query: { sql: string }, ...rest: unknown[]) => {
            statements.push(query.sql);
            return method(query, ...rest);
          };
        if (property === 'transaction' && !inTransaction) {
          transactions++;
          return () => {
            const builder = method() as { execute: (fn: (trx: object) => unknown) => unknown };
            return {
              execute: (fn: (trx: object) => unknown) => builder.execute((trx) => fn(observe(trx, true))),
            };
          };
        }
        return method;
      },
    });
  return {
    observe: (db: Kysely<Database>): Kysely<Database> => observe(db, false),
    during: async (work: () => Promise<unknown>): Promise<number> => {
      const before = transactions;
      await work();
      return transactions - before;
    },
    /** The statements run during `work` whose SQL includes `fragment`. */
    statementsDuring: async (fragment: string, work: () => Promise<unknown>): Promise<number> => {
      const before = statements.length;
      await work();
      return statements.slice(before).filter((sql) => sql.includes(fragment)).length;
    },
  };
}

const periodicEvent = (seqNo: number, transactionId: string, at: string) => ({
  eventType: 'Updated',
  timestamp: at,
  triggerReason: 'MeterValuePeriodic',
  seqNo,
  transactionInfo: { transactionId },
  meterValue: [{ timestamp: at, sampledValue: [{ value: 1000 + seqNo }] }],
});

const startedEvent = (transactionId: string) => ({
  eventType: 'Started',
  timestamp: '2031-01-01T10:00:00.000Z',
  triggerReason: 'CablePluggedIn',
  seqNo: 0,
  transactionInfo: { transactionId, chargingState: 'Charging' },
  evse: { id: 1, connectorId: 1 },
});

/**
 * Which CALLs run in a database transaction: the actor's one decision, observed on the real database handle it
 * is given (every `transaction()` it opens is counted; the queries themselves run unchanged).
 */
describe('autocommit of single-write actions (unfenced worker)', () => {
  let h: WorkerHarness;
  const counter = transactionCounter();
  const during = counter.during;
  beforeAll(async () => {
    h = await startWorkerHarness({ workerDb: counter.observe });
  });
  afterAll(() => h.close());

  it('Heartbeat, StatusNotification, Authorize and MeterValues commit their one write without BEGIN', async () => {
    const cs = await bootedStation(h, 'AC-1');
    const now = '2031-01-01T10:00:00.000Z';
    expect(await during(() => cs.ok('Heartbeat', {}))).toBe(0);
    expect(
      await during(() =>
        cs.ok('StatusNotification', {
          timestamp: now,
          connectorStatus: 'Occupied',
          evseId: 1,
          connectorId: 1,
        }),
      ),
    ).toBe(0);
    expect(await during(() => cs.ok('Authorize', { idToken: { idToken: 'NOPE', type: 'ISO14443' } }))).toBe(
      0,
    );
    expect(
      await during(() =>
        cs.ok('MeterValues', {
          evseId: 1,
          meterValue: [{ timestamp: now, sampledValue: [{ value: 1234 }] }],
        }),
      ),
    ).toBe(0);
    // The writes are there, committed.
    const station = await h.database.db
      .selectFrom('stations')
      .select('last_heartbeat_at')
      .where('id', '=', 'AC-1')
      .executeTakeFirstOrThrow();
    expect(station.last_heartbeat_at).not.toBeNull();
    const connector = await h.database.db
      .selectFrom('connectors')
      .select('status')
      .where('station_id', '=', 'AC-1')
      .executeTakeFirstOrThrow();
    expect(connector.status).toBe('Occupied');
    const meterValues = await h.database.db
      .selectFrom('meter_values')
      .select('station_id')
      .where('station_id', '=', 'AC-1')
      .execute();
    expect(meterValues).toHaveLength(1);
  });

  it('BootNotification commits its one statement without BEGIN, and answers with the stored policy', async () => {
    const cs = await bootedStation(h, 'AC-B');
    const boot = {
      reason: 'PowerUp',
      chargingStation: { model: 'M2', vendorName: 'V2', firmwareVersion: '2.0' },
    };
    let answer: Record<string, unknown> = {};
    expect(
      await during(async () => {
        answer = await cs.ok('BootNotification', boot);
      }),
    ).toBe(0);
    expect(answer).toMatchObject({ status: 'Accepted' });
    expect(
      await h.database.db
        .selectFrom('stations')
        .select(['model', 'vendor', 'firmware_version', 'registration_status'])
        .where('id', '=', 'AC-B')
        .executeTakeFirstOrThrow(),
    ).toEqual({ model: 'M2', vendor: 'V2', firmware_version: '2.0', registration_status: 'Accepted' });
    // The station's own policy wins over the CSMS default, read and stored by the same statement.
    await h.database.db
      .updateTable('stations')
      .set({ boot_policy: 'Pending' })
      .where('id', '=', 'AC-B')
      .execute();
    expect(await during(async () => void (answer = await cs.ok('BootNotification', boot)))).toBe(0);
    expect(answer).toMatchObject({ status: 'Pending' });
    expect(
      await h.database.db
        .selectFrom('stations')
        .select('registration_status')
        .where('id', '=', 'AC-B')
        .executeTakeFirstOrThrow(),
    ).toEqual({ registration_status: 'Pending' });
  });

  it('a TransactionEvent that starts a transaction (several writes) runs in one transaction', async () => {
    const cs = await bootedStation(h, 'AC-2');
    expect(
      await during(() =>
        cs.ok('TransactionEvent', {
          eventType: 'Started',
          timestamp: '2031-01-01T10:00:00.000Z',
          triggerReason: 'CablePluggedIn',
          seqNo: 0,
          transactionInfo: { transactionId: 'AC-TX-1' },
          evse: { id: 1, connectorId: 1 },
        }),
      ),
    ).toBe(1);
  });

  it('a periodic TransactionEvent of a started transaction commits its one statement without BEGIN', async () => {
    const cs = await bootedStation(h, 'AC-3');
    await cs.ok('TransactionEvent', startedEvent('AC-TX-3'));
    expect(
      await during(() => cs.ok('TransactionEvent', periodicEvent(1, 'AC-TX-3', '2031-01-01T10:01:00.000Z'))),
    ).toBe(0);
    // A retry (E13) too, and it stores nothing twice.
    expect(
      await during(() => cs.ok('TransactionEvent', periodicEvent(1, 'AC-TX-3', '2031-01-01T10:01:00.000Z'))),
    ).toBe(0);
    // The first event seen of a transaction needs the transactional path: it runs again in one, once, and
    // does not repeat the periodic statement that found the transaction unknown.
    let periodicStatements = 0;
    expect(
      await during(async () => {
        periodicStatements = await counter.statementsDuring('with "target"', () =>
          cs.ok('TransactionEvent', periodicEvent(5, 'AC-TX-4', '2031-01-01T10:02:00.000Z')),
        );
      }),
    ).toBe(1);
    expect(periodicStatements).toBe(1);
    const rows = await h.database.db
      .selectFrom('transactions')
      .select(['transaction_id', 'last_seq_no', 'register_last_wh', 'evse_id'])
      .where('station_id', '=', 'AC-3')
      .orderBy('transaction_id')
      .execute();
    expect(rows).toEqual([
      { transaction_id: 'AC-TX-3', last_seq_no: 1, register_last_wh: 1001, evse_id: 1 },
      { transaction_id: 'AC-TX-4', last_seq_no: 5, register_last_wh: 1005, evse_id: null },
    ]);
    const values = await h.database.db
      .selectFrom('meter_values')
      .select('transaction_ref')
      .where('station_id', '=', 'AC-3')
      .execute();
    expect(values).toHaveLength(2);
  });
});

describe('autocommit in a fenced (distributed) worker', () => {
  let testDb: TestDatabase;
  let h: WorkerHarness;
  const counter = transactionCounter();
  const during = counter.during;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    h = await startWorkerHarness({
      database: { kind: 'postgres', url: testDb.url },
      workerDb: counter.observe,
      partitioned: { workerId: 'fenced-autocommit' },
    });
  });
  afterAll(async () => {
    await h.close();
    await testDb.drop();
  });

  it('the single-write actions and the periodic TransactionEvent go through fenced statements; its fallback through a fenced transaction', async () => {
    const stationId = 'FA-1';
    expect(await h.worker.acquirePartition(partitionOf(stationId), '7')).toBe(true);
    const cs = await bootedStation(h, stationId);
    expect(await during(() => cs.ok('Heartbeat', {}))).toBe(0);
    await cs.ok('TransactionEvent', startedEvent('FA-TX-1'));
    expect(
      await during(() => cs.ok('TransactionEvent', periodicEvent(1, 'FA-TX-1', '2031-01-01T10:01:00.000Z'))),
    ).toBe(0);
    // The first event seen of a transaction: the statement stores nothing, the rerun is one fenced transaction.
    expect(
      await during(() => cs.ok('TransactionEvent', periodicEvent(3, 'FA-TX-2', '2031-01-01T10:02:00.000Z'))),
    ).toBe(1);
    const rows = await h.database.db
      .selectFrom('transactions')
      .select(['transaction_id', 'last_seq_no', 'register_last_wh'])
      .where('station_id', '=', stationId)
      .orderBy('transaction_id')
      .execute();
    expect(rows).toEqual([
      { transaction_id: 'FA-TX-1', last_seq_no: 1, register_last_wh: 1001 },
      { transaction_id: 'FA-TX-2', last_seq_no: 3, register_last_wh: 1003 },
    ]);
    // The statements carry the fence: at another owner's newer epoch, a periodic event is refused and stores nothing.
    await h.database.db
      .updateTable('partition_fences')
      .set({ epoch: '8' })
      .where('partition', '=', partitionOf(stationId))
      .execute();
    await expect(
      cs.call('TransactionEvent', periodicEvent(2, 'FA-TX-1', '2031-01-01T10:03:00.000Z')),
    ).rejects.toBeInstanceOf(RemoteHandlerError);
    const events = await h.database.db
      .selectFrom('transaction_events')
      .select('seq_no')
      .where('station_id', '=', stationId)
      .where('transaction_id', '=', 'FA-TX-1')
      .orderBy('seq_no')
      .execute();
    expect(events.map((e) => e.seq_no)).toEqual([0, 1]);
  });
});
