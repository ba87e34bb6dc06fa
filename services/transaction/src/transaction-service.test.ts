import { sql } from '@csms/db';
import type { transactionV1 } from '@csms/grpc';
import { Status } from '@csms/grpc';
import { beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../../../test/support/grpc-rejection.js';
import {
  T,
  client,
  event201,
  fields,
  handle,
  register,
  start16,
  useTransactionApi,
} from './testing/transaction-api.js';

useTransactionApi();

describe('recording and reading transactions', () => {
  let a1: number;
  let a2: number;
  let b1: number;

  beforeAll(async () => {
    a1 = (await start16('TX-A', 1, 'TAG-1', '2030-01-01T10:00:00.000Z', 1000)).transactionId;
    await client.recordMeterValues({
      stationId: 'TX-A',
      fence: undefined,
      v16TransactionId: a1,
      evseId: 1,
      connectorId: 1,
      source: 'MeterValues',
      meterValues: [register('2030-01-01T10:15:00.000Z', 1500), register('2030-01-01T10:30:00.000Z', 2000)],
    });
    const stop = await client.recordStopTransaction16({
      stationId: 'TX-A',
      fence: undefined,
      transactionId: a1,
      meterStop: 2600,
      timestamp: '2030-01-01T11:00:00.000Z',
      reason: 'Local',
      idTag: 'TAG-1',
      transactionData: [register('2030-01-01T11:00:00.000Z', 2600, 'Transaction.End')],
    });
    expect(stop).toMatchObject({
      known: true,
      ended: true,
      conflicting: false,
      connectorId: 1,
      meterStart: 1000,
    });
    a2 = (await start16('TX-A', 2, 'TAG-2', '2030-01-03T10:00:00.000Z')).transactionId;
    b1 = (await start16('TX-B', 1, 'TAG-1', '2030-01-05T10:00:00.000Z')).transactionId;
    expect(new Set([a1, a2, b1]).size).toBe(3);

    const started = await event201('TX-C', 'c-1', 0, {
      eventType: 'Started',
      triggerReason: 'Authorized',
      timestamp: '2030-01-02T09:00:00.000Z',
      idToken: { idToken: 'TAG-3', type: 'ISO14443' },
      evse: { id: 1, connectorId: 1 },
      transactionInfo: { transactionId: 'c-1', chargingState: 'Charging' },
      meterValue: [
        {
          timestamp: '2030-01-02T09:00:00.000Z',
          sampledValue: [{ value: 5000, context: 'Transaction.Begin' }],
        },
      ],
    });
    expect(started).toMatchObject({ applied: true, created: true, state: T.TRANSACTION_STATE_ACTIVE });
    await event201('TX-C', 'c-1', 1, {
      meterValue: [{ timestamp: '2030-01-02T09:30:00.000Z', sampledValue: [{ value: 5500 }] }],
    });
  });

  it('answers a retried start with the same transactionId and records nothing new', async () => {
    const again = await start16('TX-A', 1, 'TAG-1', '2030-01-01T10:00:00.000Z', 1000);
    expect(again).toEqual({ created: false, transactionId: a1, supersededTransactionIds: [] });
    const retried = await event201('TX-C', 'c-1', 1, {});
    expect(retried.applied).toBe(false);
  });

  it('lists newest first with filters', async () => {
    const all = await client.listTransactions({});
    expect(all.transactions.map((t) => [t.stationId, t.transactionId])).toEqual([
      ['TX-C', 'c-1'],
      ['TX-B', String(b1)],
      ['TX-A', String(a2)],
      ['TX-A', String(a1)],
    ]);
    expect(all.nextPageToken).toBe('');
    const byStation = await client.listTransactions({ stationId: 'TX-A' });
    expect(byStation.transactions.map((t) => t.transactionId)).toEqual([String(a2), String(a1)]);
    const ended = await client.listTransactions({ state: T.TRANSACTION_STATE_ENDED });
    expect(ended.transactions.map((t) => t.transactionId)).toEqual([String(a1)]);
    const active = await client.listTransactions({ state: T.TRANSACTION_STATE_ACTIVE, idToken: 'TAG-1' });
    expect(active.transactions.map((t) => t.stationId)).toEqual(['TX-B']);
    const window = await client.listTransactions({
      startedAfter: new Date('2030-01-02T00:00:00.000Z'),
      startedBefore: new Date('2030-01-05T00:00:00.000Z'),
    });
    expect(window.transactions.map((t) => t.transactionId)).toEqual(['c-1', String(a2)]);
  });

  it('pages with opaque tokens', async () => {
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await client.listTransactions({ pageSize: 3, pageToken });
      seen.push(...page.transactions.map((t) => t.id));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== '');
    expect(pages).toBe(2);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
  });

  it('refuses bad page tokens, page sizes and filters with field violations', async () => {
    for (const pageToken of ['garbage!', Buffer.from('k:abc').toString('base64url'), 'aGVsbG8']) {
      const r = await rejection(client.listTransactions({ pageToken }));
      expect(r.code).toBe(Status.INVALID_ARGUMENT);
      expect(fields(r)).toEqual(['page_token']);
    }
    const big = await rejection(client.listTransactions({ pageSize: 1001 }));
    expect(big.code).toBe(Status.INVALID_ARGUMENT);
    expect(fields(big)).toEqual(['page_size']);
    const state = await rejection(client.listTransactions({ state: 9 as transactionV1.TransactionState }));
    expect(fields(state)).toEqual(['state']);
    const range = await rejection(
      client.listTransactions({
        startedAfter: new Date('2030-01-05T00:00:00.000Z'),
        startedBefore: new Date('2030-01-01T00:00:00.000Z'),
      }),
    );
    expect(fields(range)).toEqual(['started_before']);
    // Station ids follow the one station identity rule of every API (at most 48 characters, no ':').
    const longStation = await rejection(client.listTransactions({ stationId: 'S'.repeat(49) }));
    expect(longStation.violations).toEqual([
      { field: 'station_id', description: 'must be at most 48 characters' },
    ]);
    const colon = await rejection(client.getTransaction({ stationId: 'TX:A', transactionId: '1' }));
    expect(fields(colon)).toEqual(['station_id']);
  });

  it('gets a transaction by id or by station + transactionId, with its summary', async () => {
    const byRef = await client.getTransaction({ stationId: 'TX-A', transactionId: String(a1) });
    expect(byRef.transaction).toMatchObject({
      stationId: 'TX-A',
      ocppVersion: 'ocpp1.6',
      transactionId: String(a1),
      evseId: 1,
      connectorId: 1,
      idToken: 'TAG-1',
      state: T.TRANSACTION_STATE_ENDED,
      startTime: new Date('2030-01-01T10:00:00.000Z'),
      endTime: new Date('2030-01-01T11:00:00.000Z'),
      meterStartWh: 1000,
      meterStopWh: 2600,
      stopReason: 'Local',
    });
    expect(byRef.summary).toEqual({
      energyWh: 1600,
      meterValueCount: 3,
      lastMeterValueTime: new Date('2030-01-01T11:00:00.000Z'),
      eventCount: 0,
    });
    const byId = await client.getTransaction({ id: byRef.transaction!.id });
    expect(byId).toEqual(byRef);

    const c = await client.getTransaction({ stationId: 'TX-C', transactionId: 'c-1' });
    expect(c.transaction).toMatchObject({
      ocppVersion: 'ocpp2.0.1',
      idToken: 'TAG-3',
      idTokenType: 'ISO14443',
      chargingState: 'Charging',
      meterStartWh: 5000,
      lastSeqNo: 1,
      state: T.TRANSACTION_STATE_ACTIVE,
    });
    expect(c.transaction?.endTime).toBeUndefined();
    expect(c.summary).toMatchObject({ meterValueCount: 2, eventCount: 2 });
    // Active: from its meter start to its latest register reading (an Updated event).
    expect(c.summary?.energyWh).toBe(500);
    expect(c.transaction?.energyWh).toBe(500);
  });

  it('answers NOT_FOUND and INVALID_ARGUMENT for unknown or badly named transactions', async () => {
    const missing = await rejection(client.getTransaction({ id: '999999' }));
    expect(missing.code).toBe(Status.NOT_FOUND);
    expect(missing.reason).toBe('NOT_FOUND');
    const missingRef = await rejection(client.getTransaction({ stationId: 'TX-A', transactionId: 'nope' }));
    expect(missingRef.code).toBe(Status.NOT_FOUND);
    const none = await rejection(client.getTransaction({}));
    expect(none.code).toBe(Status.INVALID_ARGUMENT);
    expect(fields(none)).toEqual(['station_id', 'transaction_id']);
    const notDigits = await rejection(client.getTransaction({ id: '12a' }));
    expect(fields(notDigits)).toEqual(['id']);
    const events = await rejection(client.listTransactionEvents({ id: '999999' }));
    expect(events.code).toBe(Status.NOT_FOUND);
  });

  it('lists meter values of a transaction or of a station in a time range', async () => {
    const { transaction } = await client.getTransaction({ stationId: 'TX-A', transactionId: String(a1) });
    const ofTx = await client.listMeterValues({ transactionId: transaction!.id });
    expect(ofTx.meterValues.map((m) => [m.source, m.time?.toISOString()])).toEqual([
      ['MeterValues', '2030-01-01T10:15:00.000Z'],
      ['MeterValues', '2030-01-01T10:30:00.000Z'],
      ['StopTransaction', '2030-01-01T11:00:00.000Z'],
    ]);
    expect(ofTx.meterValues[0]).toMatchObject({
      stationId: 'TX-A',
      transactionId: transaction!.id,
      evseId: 1,
      connectorId: 1,
      sampledValues: [
        { value: '1500', context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
      ],
    });
    const paged = await client.listMeterValues({ transactionId: transaction!.id, pageSize: 2 });
    expect(paged.meterValues).toHaveLength(2);
    const rest = await client.listMeterValues({
      transactionId: transaction!.id,
      pageSize: 2,
      pageToken: paged.nextPageToken,
    });
    expect(rest.meterValues.map((m) => m.source)).toEqual(['StopTransaction']);
    expect(rest.nextPageToken).toBe('');

    const ranged = await client.listMeterValues({
      stationId: 'TX-A',
      startTime: new Date('2030-01-01T10:20:00.000Z'),
      endTime: new Date('2030-01-01T11:00:00.000Z'),
    });
    expect(ranged.meterValues.map((m) => m.time?.toISOString())).toEqual(['2030-01-01T10:30:00.000Z']);

    const neither = await rejection(client.listMeterValues({}));
    expect(neither.code).toBe(Status.INVALID_ARGUMENT);
    expect(fields(neither)).toEqual(['station_id', 'transaction_id']);
    const unknown = await rejection(client.listMeterValues({ transactionId: '999999' }));
    expect(unknown.code).toBe(Status.NOT_FOUND);
  });

  it('lists the 2.0.1 events of a transaction in seqNo order', async () => {
    const events = await client.listTransactionEvents({
      stationId: 'TX-C',
      transactionId: 'c-1',
      pageSize: 1,
    });
    expect(events.events.map((e) => [e.seqNo, e.eventType])).toEqual([[0, 'Started']]);
    expect(events.events[0]?.payload).toMatchObject({ idToken: { idToken: 'TAG-3', type: 'ISO14443' } });
    const next = await client.listTransactionEvents({
      stationId: 'TX-C',
      transactionId: 'c-1',
      pageSize: 1,
      pageToken: events.nextPageToken,
    });
    expect(next.events.map((e) => [e.seqNo, e.eventType])).toEqual([[1, 'Updated']]);
  });

  it('refuses malformed record requests with field violations and writes nothing', async () => {
    const before = await handle.db
      .selectFrom('transactions')
      .select(sql<string>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    const badStart = await rejection(
      client.recordStartTransaction16({
        stationId: '',
        fence: undefined,
        connectorId: 0,
        idTag: '',
        timestamp: 'yesterday',
        meterStart: 0,
      }),
    );
    expect(badStart.code).toBe(Status.INVALID_ARGUMENT);
    expect(fields(badStart)).toEqual(['connector_id', 'id_tag', 'station_id', 'timestamp']);
    const badEvent = await rejection(
      client.recordTransactionEvent201({
        stationId: 'TX-C',
        fence: undefined,
        event: { seqNo: -1, meterValue: [null] },
      }),
    );
    expect(fields(badEvent)).toEqual([
      'event.eventType',
      'event.meterValue[0].timestamp',
      'event.seqNo',
      'event.timestamp',
      'event.transactionInfo.transactionId',
      'event.triggerReason',
    ]);
    const noEvent = await rejection(
      client.recordTransactionEvent201({ stationId: 'TX-C', fence: undefined, event: undefined }),
    );
    expect(fields(noEvent)).toEqual(['event']);
    const badValues = await rejection(
      client.recordMeterValues({
        stationId: 'TX-A',
        fence: undefined,
        source: 'MeterValues',
        meterValues: [{ timestamp: 'x' }],
      }),
    );
    expect(fields(badValues)).toEqual(['meter_values[0].timestamp']);
    const badStation = await rejection(start16('S'.repeat(49), 1, 'TAG-1', '2030-01-01T10:00:00.000Z'));
    expect(badStation.violations).toEqual([
      { field: 'station_id', description: 'must be at most 48 characters' },
    ]);
    const unknownStation = await rejection(start16('NOT-REGISTERED', 1, 'TAG-1', '2030-01-01T10:00:00.000Z'));
    expect(unknownStation.code).toBe(Status.NOT_FOUND);
    const after = await handle.db
      .selectFrom('transactions')
      .select(sql<string>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
