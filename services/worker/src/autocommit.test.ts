import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from './testing/worker-harness.js';
import { bootedStation } from './v201/testing.js';

/**
 * Which CALLs run in a database transaction: the actor's one decision, observed on the real database handle it
 * is given (every `transaction()` it opens is counted; the queries themselves run unchanged).
 */
describe('autocommit of single-write actions (unfenced worker)', () => {
  let h: WorkerHarness;
  let transactions = 0;
  beforeAll(async () => {
    h = await startWorkerHarness({
      workerDb: (db) =>
        new Proxy(db, {
          get(target, property) {
            if (property === 'transaction') transactions++;
            // Kysely keeps its state in private fields: its methods must run on the real instance.
            const value = Reflect.get(target, property, target) as unknown;
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        }),
    });
  });
  afterAll(() => h.close());

  const during = async (work: () => Promise<unknown>): Promise<number> => {
    const before = transactions;
    await work();
    return transactions - before;
  };

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

  it('BootNotification and TransactionEvent (several writes) run in one transaction each', async () => {
    const cs = await bootedStation(h, 'AC-2');
    expect(
      await during(() =>
        cs.ok('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } }),
      ),
    ).toBe(1);
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
    const event = (seqNo: number, transactionId: string, at: string) => ({
      eventType: 'Updated',
      timestamp: at,
      triggerReason: 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId },
      meterValue: [{ timestamp: at, sampledValue: [{ value: 1000 + seqNo }] }],
    });
    await cs.ok('TransactionEvent', {
      eventType: 'Started',
      timestamp: '2031-01-01T10:00:00.000Z',
      triggerReason: 'CablePluggedIn',
      seqNo: 0,
      transactionInfo: { transactionId: 'AC-TX-3', chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 },
    });
    expect(
      await during(() => cs.ok('TransactionEvent', event(1, 'AC-TX-3', '2031-01-01T10:01:00.000Z'))),
    ).toBe(0);
    // A retry (E13) too, and it stores nothing twice.
    expect(
      await during(() => cs.ok('TransactionEvent', event(1, 'AC-TX-3', '2031-01-01T10:01:00.000Z'))),
    ).toBe(0);
    // The first event seen of a transaction needs the transactional path: it runs again in one, once.
    expect(
      await during(() => cs.ok('TransactionEvent', event(5, 'AC-TX-4', '2031-01-01T10:02:00.000Z'))),
    ).toBe(1);
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
