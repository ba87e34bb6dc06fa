/**
 * OCPP 1.6 transactions off the happy path: non-Accepted idTags, unknown and lost stops, and
 * transactionIds kept within int32.
 */
import { sql, type DatabaseConfig } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import type { WorkerHarness } from '../testing/worker-harness.js';
import { sample, startTransactionHarness, transactionTools, type StartAnswer } from './testing.js';

let pg: TestDatabase;
beforeAll(async () => {
  pg = await createTestDatabase();
});
afterAll(async () => {
  await pg.drop();
});

describe.each(['pglite-memory', 'postgres'] as const)('OCPP 1.6 transaction edge cases on %s', (kind) => {
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
