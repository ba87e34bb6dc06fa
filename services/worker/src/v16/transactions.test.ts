import { Subjects } from '@csms/bus';
import { sql, upsertIdToken, upsertStation, type DatabaseConfig } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { startWorkerHarness, type SimulatedStation, type WorkerHarness } from '../testing/worker-harness.js';
import { foldTransactionId, startKeyOf } from './start-transaction.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const BOOT = { chargePointVendor: 'VendorX', chargePointModel: 'ModelY' };

interface StartAnswer {
  transactionId: number;
  idTagInfo: { status: string; parentIdTag?: string; expiryDate?: string };
}

const sample = (timestamp: string, wh: string, context = 'Sample.Periodic') => ({
  timestamp,
  sampledValue: [
    { value: wh, context, measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
    { value: '16.0', context, measurand: 'Current.Import', unit: 'A', phase: 'L1' },
  ],
});

describe('transactionId folding', () => {
  it('keeps ids up to 2^31-1 and wraps larger ones into 1..2^31-1', () => {
    expect(foldTransactionId(1n)).toBe(1);
    expect(foldTransactionId(12345n)).toBe(12345);
    expect(foldTransactionId(2_147_483_647n)).toBe(2_147_483_647);
    expect(foldTransactionId(2_147_483_648n)).toBe(1);
    expect(foldTransactionId(4_294_967_294n)).toBe(2_147_483_647);
  });

  it('derives the start key from connector, idTag, timestamp and meterStart', () => {
    const start = { connectorId: 1, idTag: 'A', meterStart: 5, timestamp: '2025-06-01T10:00:00Z' };
    // A retried StartTransaction.req is the same message; a reservationId does not change its key.
    const withReservation = { ...start, reservationId: 3 };
    expect(startKeyOf(start)).toBe(startKeyOf(withReservation));
    expect(startKeyOf(start)).not.toBe(startKeyOf({ ...start, meterStart: 6 }));
    expect(startKeyOf(start)).not.toBe(startKeyOf({ ...start, timestamp: '2025-06-01T10:00:01Z' }));
    expect(startKeyOf(start)).not.toBe(startKeyOf({ ...start, connectorId: 2 }));
    expect(startKeyOf(start)).not.toBe(startKeyOf({ ...start, idTag: 'B' }));
  });
});

let pg: TestDatabase;
beforeAll(async () => {
  pg = await createTestDatabase();
});
afterAll(async () => {
  await pg.drop();
});

describe.each(['pglite-memory', 'postgres'] as const)('OCPP 1.6 transactions on %s', (kind) => {
  let h: WorkerHarness;
  const events: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const database: DatabaseConfig = kind === 'postgres' ? { kind, url: pg.url } : { kind };
    h = await startWorkerHarness({ database, config: { maxConnectorId: 4 }, now: () => NOW });
    await h.bus.subscribe<Record<string, unknown>>(Subjects.eventWildcard, (m) => void events.push(m.data));
    const db = h.database.db;
    await upsertIdToken(db, {
      idToken: 'DRIVER1',
      status: 'Accepted',
      groupId: 'ACME',
      expiresAt: new Date('2027-01-01T00:00:00Z'),
    });
    await upsertIdToken(db, { idToken: 'DRIVER2', status: 'Accepted' });
    await upsertIdToken(db, { idToken: 'DRIVER3', status: 'Accepted' });
    await upsertIdToken(db, { idToken: 'BLOCKED', status: 'Blocked' });
  });
  afterAll(async () => {
    await h.close();
  });

  async function accepted(id: string): Promise<SimulatedStation> {
    await upsertStation(h.database.db, { id, securityProfile: 0 });
    const station = await h.connect(id, 'ocpp1.6');
    expect(await station.ok('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
    return station;
  }

  function transactionsOf(stationId: string) {
    return h.database.db
      .selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', stationId)
      .orderBy('id')
      .execute();
  }

  function meterValuesOf(stationId: string) {
    return h.database.db
      .selectFrom('meter_values')
      .selectAll()
      .where('station_id', '=', stationId)
      .orderBy('id')
      .execute();
  }

  it('records a full session: Start, MeterValues x2, Stop with transactionData', async () => {
    const station = await accepted('CP-FULL');
    await station.ok('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    expect(await station.ok('Authorize', { idTag: 'DRIVER1' })).toEqual({
      idTagInfo: { status: 'Accepted', parentIdTag: 'ACME', expiryDate: '2027-01-01T00:00:00.000Z' },
    });
    const start = await station.ok<StartAnswer>('StartTransaction', {
      connectorId: 1,
      idTag: 'DRIVER1',
      meterStart: 1000,
      timestamp: '2025-06-01T10:00:00.000Z',
      reservationId: 17,
    });
    expect(start.idTagInfo).toEqual({
      status: 'Accepted',
      parentIdTag: 'ACME',
      expiryDate: '2027-01-01T00:00:00.000Z',
    });
    expect(Number.isInteger(start.transactionId)).toBe(true);
    expect(start.transactionId).toBeGreaterThan(0);

    for (const [t, wh] of [
      ['2025-06-01T10:15:00.000Z', '2500'],
      ['2025-06-01T10:30:00.000Z', '4000'],
    ] as const) {
      expect(
        await station.ok('MeterValues', {
          connectorId: 1,
          transactionId: start.transactionId,
          meterValue: [sample(t, wh)],
        }),
      ).toEqual({});
    }
    const stop = await station.ok('StopTransaction', {
      transactionId: start.transactionId,
      idTag: 'DRIVER1',
      meterStop: 5000,
      timestamp: '2025-06-01T10:40:00.000Z',
      transactionData: [
        sample('2025-06-01T10:00:00.000Z', '1000', 'Transaction.Begin'),
        sample('2025-06-01T10:40:00.000Z', '5000', 'Transaction.End'),
      ],
    });
    expect(stop).toEqual({
      idTagInfo: { status: 'Accepted', parentIdTag: 'ACME', expiryDate: '2027-01-01T00:00:00.000Z' },
    });

    const txs = await transactionsOf('CP-FULL');
    expect(txs).toHaveLength(1);
    const tx = txs[0]!;
    // transactionId = transactions.id below 2^31. (PGlite reads bigint as a number, pg as a string.)
    expect(String(tx.id)).toBe(String(start.transactionId));
    expect(tx).toMatchObject({
      transaction_id: String(start.transactionId),
      ocpp_version: 'ocpp1.6',
      evse_id: 1,
      connector_id: 1,
      id_token: 'DRIVER1',
      state: 'ended',
      meter_start: 1000,
      meter_stop: 5000,
      stop_reason: 'Local', // reason omitted: Local (§4.10)
      reservation_id: 17,
      start_key: startKeyOf({
        connectorId: 1,
        idTag: 'DRIVER1',
        meterStart: 1000,
        timestamp: '2025-06-01T10:00:00.000Z',
      }),
    });
    expect(tx.started_at?.toISOString()).toBe('2025-06-01T10:00:00.000Z');
    expect(tx.ended_at?.toISOString()).toBe('2025-06-01T10:40:00.000Z');

    const mvs = await meterValuesOf('CP-FULL');
    expect(
      mvs.map((m) => [
        m.source,
        String(m.transaction_ref),
        m.evse_id,
        m.connector_id,
        m.timestamp.toISOString(),
      ]),
    ).toEqual([
      ['MeterValues', String(tx.id), 1, 1, '2025-06-01T10:15:00.000Z'],
      ['MeterValues', String(tx.id), 1, 1, '2025-06-01T10:30:00.000Z'],
      ['StopTransaction', String(tx.id), 1, 1, '2025-06-01T10:00:00.000Z'],
      ['StopTransaction', String(tx.id), 1, 1, '2025-06-01T10:40:00.000Z'],
    ]);
    expect(mvs[1]?.sampled_values).toEqual(sample('2025-06-01T10:30:00.000Z', '4000').sampledValue);

    await expect
      .poll(() => events.filter((e) => e.stationId === 'CP-FULL' && e.type === 'transaction-ended').length)
      .toBe(1);
    expect(events.find((e) => e.stationId === 'CP-FULL' && e.type === 'transaction-started')).toMatchObject({
      transactionId: start.transactionId,
      connectorId: 1,
      idTag: 'DRIVER1',
      authorizationStatus: 'Accepted',
      meterStart: 1000,
    });
    expect(events.find((e) => e.stationId === 'CP-FULL' && e.type === 'transaction-ended')).toMatchObject({
      transactionId: start.transactionId,
      meterStart: 1000,
      meterStop: 5000,
      stopReason: 'Local',
    });
  });

  it('answers a retried StartTransaction with the same transactionId and stores nothing new', async () => {
    const station = await accepted('CP-RETRY');
    const req = { connectorId: 2, idTag: 'DRIVER2', meterStart: 300, timestamp: '2025-06-01T09:00:00.000Z' };
    const first = await station.ok<StartAnswer>('StartTransaction', req);
    const again = await station.ok<StartAnswer>('StartTransaction', req);
    // Not ConcurrentTx with itself.
    expect(again).toEqual(first);
    expect(first.idTagInfo).toEqual({ status: 'Accepted' });
    const txs = await transactionsOf('CP-RETRY');
    expect(txs.map((t) => [t.transaction_id, t.state])).toEqual([[String(first.transactionId), 'active']]);
    await expect
      .poll(() => events.filter((e) => e.stationId === 'CP-RETRY' && e.type === 'transaction-started').length)
      .toBe(1);

    // Another StartTransaction with the same token on another connector is a different one: ConcurrentTx.
    const other = await station.ok<StartAnswer>('StartTransaction', {
      ...req,
      connectorId: 1,
      timestamp: '2025-06-01T09:05:00.000Z',
    });
    expect(other.transactionId).not.toBe(first.transactionId);
    expect(other.idTagInfo).toEqual({ status: 'ConcurrentTx' });
    expect(await transactionsOf('CP-RETRY')).toHaveLength(2);
  });

  it('makes a StopTransaction retry a no-op and keeps the first stop data', async () => {
    const station = await accepted('CP-STOP');
    const { transactionId } = await station.ok<StartAnswer>('StartTransaction', {
      connectorId: 1,
      idTag: 'DRIVER3',
      meterStart: 0,
      timestamp: '2025-06-01T08:00:00.000Z',
    });
    const stop = {
      transactionId,
      meterStop: 700,
      timestamp: '2025-06-01T08:30:00.000Z',
      reason: 'EVDisconnected',
      transactionData: [sample('2025-06-01T08:30:00.000Z', '700', 'Transaction.End')],
    };
    expect(await station.ok('StopTransaction', stop)).toEqual({});
    const afterFirst = await transactionsOf('CP-STOP');
    expect(await station.ok('StopTransaction', stop)).toEqual({});
    expect(await transactionsOf('CP-STOP')).toEqual(afterFirst);
    expect(afterFirst).toHaveLength(1);
    expect(afterFirst[0]).toMatchObject({ state: 'ended', meter_stop: 700, stop_reason: 'EVDisconnected' });
    expect(await meterValuesOf('CP-STOP')).toHaveLength(1);

    // A different stop for the ended transaction does not overwrite the first.
    expect(
      await station.ok('StopTransaction', { ...stop, meterStop: 999, reason: 'Other', transactionData: [] }),
    ).toEqual({});
    expect((await transactionsOf('CP-STOP'))[0]).toMatchObject({
      meter_stop: 700,
      stop_reason: 'EVDisconnected',
    });
    await expect
      .poll(() => events.filter((e) => e.stationId === 'CP-STOP' && e.type === 'transaction-ended').length)
      .toBe(1);
  });

  it('stores a retried MeterValues once, and values of an unknown transaction without a link', async () => {
    const station = await accepted('CP-MV');
    const { transactionId } = await station.ok<StartAnswer>('StartTransaction', {
      connectorId: 1,
      idTag: 'DRIVER2',
      meterStart: 0,
      timestamp: '2025-06-01T07:00:00.000Z',
    });
    const mv = { connectorId: 1, transactionId, meterValue: [sample('2025-06-01T07:05:00.000Z', '100')] };
    await station.ok('MeterValues', mv);
    await station.ok('MeterValues', mv);
    await station.ok('MeterValues', {
      connectorId: 0,
      meterValue: [sample('2025-06-01T07:05:00.000Z', '88000', 'Sample.Clock')],
    });
    await station.ok('MeterValues', {
      connectorId: 1,
      transactionId: 424242,
      meterValue: [sample('2025-06-01T07:06:00.000Z', '5')],
    });
    const rows = await meterValuesOf('CP-MV');
    const [tx] = await transactionsOf('CP-MV');
    expect(
      rows.map((r) => [
        r.transaction_ref === null ? null : String(r.transaction_ref),
        r.evse_id,
        r.connector_id,
      ]),
    ).toEqual([
      [String(tx!.id), 1, 1],
      [null, 0, 0],
      [null, 1, 1],
    ]);
    await station.ok('StopTransaction', {
      transactionId,
      meterStop: 100,
      timestamp: '2025-06-01T07:10:00.000Z',
      reason: 'Local',
    });
  });

  it('records a transaction started with a non-Accepted idTag and its DeAuthorized stop', async () => {
    const station = await accepted('CP-INVALID');
    const unknown = await station.ok<StartAnswer>('StartTransaction', {
      connectorId: 1,
      idTag: 'STRANGER',
      meterStart: 50,
      timestamp: '2025-06-01T06:00:00.000Z',
    });
    expect(unknown.idTagInfo).toEqual({ status: 'Invalid' });
    expect(unknown.transactionId).toBeGreaterThan(0);
    const blocked = await station.ok<StartAnswer>('StartTransaction', {
      connectorId: 2,
      idTag: 'BLOCKED',
      meterStart: 60,
      timestamp: '2025-06-01T06:00:01.000Z',
    });
    expect(blocked.idTagInfo).toEqual({ status: 'Blocked' });
    expect(await transactionsOf('CP-INVALID')).toMatchObject([
      {
        transaction_id: String(unknown.transactionId),
        id_token: 'STRANGER',
        state: 'active',
        meter_start: 50,
      },
      {
        transaction_id: String(blocked.transactionId),
        id_token: 'BLOCKED',
        state: 'active',
        meter_start: 60,
      },
    ]);
    expect(
      await station.ok('StopTransaction', {
        transactionId: unknown.transactionId,
        idTag: 'STRANGER',
        meterStop: 51,
        timestamp: '2025-06-01T06:00:05.000Z',
        reason: 'DeAuthorized',
      }),
    ).toEqual({ idTagInfo: { status: 'Invalid' } });
    expect((await transactionsOf('CP-INVALID'))[0]).toMatchObject({
      state: 'ended',
      meter_stop: 51,
      stop_reason: 'DeAuthorized',
    });
  });

  it('answers a StopTransaction for an unknown transactionId and keeps it once for reconciliation', async () => {
    const station = await accepted('CP-ORPHAN');
    const stop = {
      transactionId: -1,
      idTag: 'DRIVER2',
      meterStop: 1234,
      timestamp: '2025-06-01T05:00:00.000Z',
      reason: 'PowerLoss',
      transactionData: [sample('2025-06-01T05:00:00.000Z', '1234', 'Transaction.End')],
    };
    expect(await station.ok('StopTransaction', stop)).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await station.ok('StopTransaction', stop)).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await transactionsOf('CP-ORPHAN')).toEqual([]);
    const notes = await h.database.db
      .selectFrom('station_notifications')
      .select(['action', 'payload'])
      .where('station_id', '=', 'CP-ORPHAN')
      .execute();
    expect(notes).toEqual([
      {
        action: 'StopTransaction',
        payload: {
          unknownTransaction: true,
          transactionId: -1,
          idTag: 'DRIVER2',
          meterStop: 1234,
          timestamp: '2025-06-01T05:00:00.000Z',
          reason: 'PowerLoss',
        },
      },
    ]);
    const mvs = await meterValuesOf('CP-ORPHAN');
    expect(mvs.map((m) => [m.source, m.transaction_ref, m.connector_id])).toEqual([
      ['StopTransaction', null, null],
    ]);
  });

  it('ends a transaction whose StopTransaction was lost when a new one starts on its connector', async () => {
    const station = await accepted('CP-LOST');
    const first = await station.ok<StartAnswer>('StartTransaction', {
      connectorId: 1,
      idTag: 'DRIVER3',
      meterStart: 0,
      timestamp: '2025-06-01T01:00:00.000Z',
    });
    const other = await station.ok<StartAnswer>('StartTransaction', {
      connectorId: 2,
      idTag: 'DRIVER1',
      meterStart: 0,
      timestamp: '2025-06-01T01:00:30.000Z',
    });
    // Hard reset without StopTransaction; the same driver starts again on the same connector.
    const second = await station.ok<StartAnswer>('StartTransaction', {
      connectorId: 1,
      idTag: 'DRIVER3',
      meterStart: 900,
      timestamp: '2025-06-01T02:00:00.000Z',
    });
    expect(second.idTagInfo).toEqual({ status: 'Accepted' }); // not ConcurrentTx with the lost one
    const txs = await transactionsOf('CP-LOST');
    expect(txs.map((t) => [t.transaction_id, t.state, t.stop_reason, t.meter_stop])).toEqual([
      [String(first.transactionId), 'ended', 'Other', null],
      [String(other.transactionId), 'active', null, null], // another connector: untouched
      [String(second.transactionId), 'active', null, null],
    ]);
    // Its StopTransaction turning up after all still records the stop data.
    await station.ok('StopTransaction', {
      transactionId: first.transactionId,
      meterStop: 400,
      timestamp: '2025-06-01T01:30:00.000Z',
      reason: 'HardReset',
    });
    expect((await transactionsOf('CP-LOST'))[0]).toMatchObject({
      state: 'ended',
      meter_stop: 400,
      stop_reason: 'HardReset',
    });
  });

  // Moves the shared id sequence: keep last.
  it('keeps transactionIds within int32 and skips ids the station already uses', async () => {
    const station = await accepted('CP-INT32');
    const db = h.database.db;
    // A 2.0.1-era transaction of this station whose id looks like the number 2.
    await db
      .insertInto('transactions')
      .values({
        station_id: 'CP-INT32',
        ocpp_version: 'ocpp2.0.1',
        transaction_id: '2',
        evse_id: 1,
        connector_id: 1,
        id_token: null,
        id_token_type: null,
        state: 'ended',
        started_at: null,
        ended_at: null,
        meter_start: null,
        meter_stop: null,
        stop_reason: null,
        charging_state: null,
        last_seq_no: null,
        remote_start_id: null,
        reservation_id: null,
        start_key: null,
      })
      .execute();
    await sql`select setval(pg_get_serial_sequence('transactions', 'id'), 2147483646)`.execute(db);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await station.ok<StartAnswer>('StartTransaction', {
        connectorId: i + 1,
        idTag: `INT32-${i}`,
        meterStart: 0,
        timestamp: '2025-06-01T03:00:00.000Z',
      });
      ids.push(answer.transactionId);
    }
    // 2147483647 = id; id 2147483648 folds to 1; id 2147483649 folds to 2 (taken), so 2147483650 → 3.
    expect(ids).toEqual([2_147_483_647, 1, 3]);
    const rows = await db
      .selectFrom('transactions')
      .select(['id', 'transaction_id'])
      .where('station_id', '=', 'CP-INT32')
      .where('ocpp_version', '=', 'ocpp1.6')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => ({ ...r, id: String(r.id) }))).toEqual([
      { id: '2147483647', transaction_id: '2147483647' },
      { id: '2147483648', transaction_id: '1' },
      { id: '2147483650', transaction_id: '3' },
    ]);
    // The folded id still finds its transaction.
    await station.ok('StopTransaction', {
      transactionId: 1,
      meterStop: 10,
      timestamp: '2025-06-01T03:10:00.000Z',
    });
    expect(
      await db.selectFrom('transactions').select('state').where('id', '=', '2147483648').executeTakeFirst(),
    ).toEqual({
      state: 'ended',
    });
  });
});
