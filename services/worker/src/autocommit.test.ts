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
});
