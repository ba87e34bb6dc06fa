/** OCPP 1.6 transactions: a whole session, and retries of each message recorded once. */
import type { DatabaseConfig } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import type { WorkerHarness } from '../testing/worker-harness.js';
import { foldTransactionId, startKeyOf } from './start-transaction.js';
import { sample, startTransactionHarness, transactionTools, type StartAnswer } from './testing.js';

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
    h = await startTransactionHarness(database, events);
  });
  afterAll(async () => {
    await h.close();
  });
  const { accepted, transactionsOf, meterValuesOf } = transactionTools(() => h);

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
});
