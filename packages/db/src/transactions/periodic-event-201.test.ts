import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import { upsertStation } from '../stations/stations.js';
import { isPeriodicTransactionEvent201, recordPeriodicTransactionEvent201 } from './periodic-event-201.js';
import { recordTransactionEvent201 } from './records-v201.js';
import type { MeterValue201, TransactionEvent201 } from './transaction-event-201.js';

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

const register = (timestamp: string, wh: number, context?: string): MeterValue201 => ({
  timestamp,
  sampledValue: [{ value: wh, ...(context ? { context } : {}) }],
});

const started = (transactionId: string): TransactionEvent201 => ({
  eventType: 'Started',
  timestamp: '2026-12-01T10:00:00.000Z',
  triggerReason: 'Authorized',
  seqNo: 0,
  transactionInfo: { transactionId, chargingState: 'Charging' },
  idToken: { idToken: 'TOKEN', type: 'ISO14443' },
  evse: { id: 1, connectorId: 1 },
  meterValue: [register('2026-12-01T10:00:00.000Z', 1000, 'Transaction.Begin')],
});

const periodic = (transactionId: string, seqNo: number, at: string, wh: number): TransactionEvent201 => ({
  eventType: 'Updated',
  timestamp: at,
  triggerReason: 'MeterValuePeriodic',
  seqNo,
  transactionInfo: { transactionId },
  meterValue: [register(at, wh)],
});

/**
 * The periodic TransactionEvent as one statement without a database transaction (recordPeriodicTransactionEvent201):
 * what it records, and that it records nothing when it cannot apply the event on its own.
 */
describe.each([['postgres'], ['pglite-memory']] as const)('periodic TransactionEvent on %s', (kind) => {
  let handle: DatabaseHandle;
  const STATION = 'TE-PERIODIC';
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
    await upsertStation(handle.db, { id: STATION, securityProfile: 0, bootPolicy: null });
  });
  afterAll(() => handle.close());

  const row = (transactionId: string) =>
    handle.db
      .selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', STATION)
      .where('transaction_id', '=', transactionId)
      .executeTakeFirstOrThrow();
  const counts = async (transactionId: string) => {
    const { id } = await row(transactionId);
    const events = await handle.db
      .selectFrom('transaction_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('station_id', '=', STATION)
      .where('transaction_id', '=', transactionId)
      .executeTakeFirstOrThrow();
    const values = await handle.db
      .selectFrom('meter_values')
      .select(['evse_id', 'connector_id', 'source'])
      .where('transaction_ref', '=', id)
      .orderBy('timestamp')
      .execute();
    return { events: Number(events.n), values };
  };

  it('tells periodic events from those that carry facts of the transaction', () => {
    expect(isPeriodicTransactionEvent201(periodic('X', 1, '2026-12-01T10:01:00.000Z', 1))).toBe(true);
    expect(isPeriodicTransactionEvent201(started('X'))).toBe(false);
    const withState = periodic('X', 1, '2026-12-01T10:01:00.000Z', 1);
    expect(
      isPeriodicTransactionEvent201({
        ...withState,
        transactionInfo: { transactionId: 'X', chargingState: 'SuspendedEV' },
      }),
    ).toBe(false);
    expect(isPeriodicTransactionEvent201({ ...withState, evse: { id: 1 } })).toBe(false);
    expect(isPeriodicTransactionEvent201({ ...withState, eventType: 'Ended' })).toBe(false);
  });

  it('applies a periodic event to a started transaction: seqNo, register span and meter values on its EVSE', async () => {
    await recordTransactionEvent201(handle.db, STATION, started('P-1'));
    const result = await recordPeriodicTransactionEvent201(
      handle.db,
      STATION,
      periodic('P-1', 1, '2026-12-01T10:05:00.000Z', 1500),
    );
    expect(result).toEqual({
      applied: { created: false, state: 'active', chargingState: 'Charging', superseded: [] },
    });
    expect(await row('P-1')).toMatchObject({
      last_seq_no: 1,
      meter_start: 1000,
      meter_stop: null,
      register_first_wh: 1000,
      register_first_at: new Date('2026-12-01T10:00:00.000Z'),
      register_last_wh: 1500,
      register_last_at: new Date('2026-12-01T10:05:00.000Z'),
    });
    expect(await counts('P-1')).toEqual({
      events: 2,
      values: [
        { evse_id: 1, connector_id: 1, source: 'TransactionEvent' },
        { evse_id: 1, connector_id: 1, source: 'TransactionEvent' },
      ],
    });
  });

  it('answers a retried event (E13) with no change, and keeps the span when events arrive out of order', async () => {
    await recordTransactionEvent201(handle.db, STATION, started('P-2'));
    const late = periodic('P-2', 3, '2026-12-01T10:15:00.000Z', 3000);
    expect((await recordPeriodicTransactionEvent201(handle.db, STATION, late))?.applied).toBeDefined();
    // The retry stores nothing twice.
    expect(await recordPeriodicTransactionEvent201(handle.db, STATION, late)).toEqual({});
    // An earlier event arriving after a later one (E04.FR.02 offline queue) moves neither the highest seqNo nor the
    // latest reading.
    const early = periodic('P-2', 2, '2026-12-01T10:10:00.000Z', 2000);
    expect((await recordPeriodicTransactionEvent201(handle.db, STATION, early))?.applied).toBeDefined();
    expect(await row('P-2')).toMatchObject({
      last_seq_no: 3,
      register_first_wh: 1000,
      register_last_wh: 3000,
      register_last_at: new Date('2026-12-01T10:15:00.000Z'),
    });
    expect((await counts('P-2')).events).toBe(3);
    expect((await counts('P-2')).values).toHaveLength(3);
  });

  it('stores nothing and leaves the event to the transactional path when the transaction is unknown or started later', async () => {
    const unknown = periodic('P-3', 1, '2026-12-01T10:05:00.000Z', 1500);
    expect(await recordPeriodicTransactionEvent201(handle.db, STATION, unknown)).toBeUndefined();
    const stored = await handle.db
      .selectFrom('transaction_events')
      .select('id')
      .where('transaction_id', '=', 'P-3')
      .execute();
    expect(stored).toEqual([]);
    // The transactional path records it (the row is created by the first event seen).
    expect((await recordTransactionEvent201(handle.db, STATION, unknown)).applied?.created).toBe(true);

    // An event older than the row's started_at would move it: not periodic for this row.
    await recordTransactionEvent201(handle.db, STATION, started('P-4'));
    const before = periodic('P-4', 1, '2026-12-01T09:59:00.000Z', 900);
    expect(await recordPeriodicTransactionEvent201(handle.db, STATION, before)).toBeUndefined();
    expect((await counts('P-4')).events).toBe(1);
    expect((await recordTransactionEvent201(handle.db, STATION, before)).applied).toBeDefined();
    expect(await row('P-4')).toMatchObject({
      started_at: new Date('2026-12-01T10:00:00.000Z'),
      register_first_wh: 900,
      last_seq_no: 1,
    });
  });

  it('records the same through the general path (periodicTried: the statement already found nothing)', async () => {
    const facts = async (transactionId: string) => {
      const {
        id: _id,
        transaction_id: _tid,
        created_at: _created,
        updated_at: _updated,
        ...rest
      } = await row(transactionId);
      return { ...rest, ...(await counts(transactionId)) };
    };
    // Each read before the next starts on the same EVSE (which ends the one before).
    const recorded = async (transactionId: string, periodicTried: boolean) => {
      await recordTransactionEvent201(handle.db, STATION, started(transactionId));
      const event = periodic(transactionId, 1, '2026-12-01T10:05:00.000Z', 1500);
      expect(await recordTransactionEvent201(handle.db, STATION, event, { periodicTried })).toEqual({
        applied: { created: false, state: 'active', chargingState: 'Charging', superseded: [] },
      });
      return facts(transactionId);
    };
    const byStatement = await recorded('P-7', false);
    expect(await recorded('P-8', true)).toEqual(byStatement);
  });

  it('does not record a Started, Ended or an event with facts (the transactional path folds them)', async () => {
    expect(await recordPeriodicTransactionEvent201(handle.db, STATION, started('P-5'))).toBeUndefined();
    const rows = await handle.db
      .selectFrom('transactions')
      .select('id')
      .where('transaction_id', '=', 'P-5')
      .execute();
    expect(rows).toEqual([]);
  });

  it.runIf(kind === 'postgres')(
    'applies the event to the row as a concurrent writer left it (the row lock, not a stale read)',
    async () => {
      await recordTransactionEvent201(handle.db, STATION, started('P-6'));
      // Another session ends the transaction and holds its row lock while the periodic event arrives.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const ending = handle.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('transactions')
          .set({ state: 'ended', ended_by: 'operator', last_seq_no: 7 })
          .where('transaction_id', '=', 'P-6')
          .execute();
        locked();
        await held;
      });
      await isLocked;
      const event = recordPeriodicTransactionEvent201(
        handle.db,
        STATION,
        periodic('P-6', 2, '2026-12-01T10:20:00.000Z', 4000),
      );
      // The statement waits for the lock (it cannot finish while the other session holds the row).
      const early = await Promise.race([event.then(() => 'done'), sleep(300).then(() => 'waiting')]);
      release();
      await ending;
      expect(early).toBe('waiting');
      expect(await event).toEqual({
        applied: { created: false, state: 'ended', chargingState: 'Charging', superseded: [] },
      });
      expect(await row('P-6')).toMatchObject({
        state: 'ended',
        ended_by: 'operator',
        last_seq_no: 7,
        register_last_wh: 4000,
      });
    },
  );
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
