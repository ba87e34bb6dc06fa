import { partitionOf } from '@csms/bus';
import { sql } from '@csms/db';
import { Status } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { rejection } from '../../../test/support/grpc-rejection.js';
import { client, fields, handle, register, useTransactionApi } from './testing/transaction-api.js';

useTransactionApi();

describe('fence', () => {
  it('refuses a stale epoch with FAILED_PRECONDITION FENCED and writes nothing; the current epoch writes with owner_epoch', async () => {
    const station = 'FENCED-1';
    const partition = partitionOf(station);
    await sql`insert into partition_fences (partition, epoch, owner) values (${partition}, 7, 'worker-new')
      on conflict (partition) do update set epoch = 7, owner = 'worker-new'`.execute(handle.db);

    const stale = await rejection(
      client.recordStartTransaction16({
        stationId: station,
        fence: { partition, epoch: '6' },
        connectorId: 1,
        idTag: 'TAG-F',
        timestamp: '2030-02-01T10:00:00.000Z',
        meterStart: 0,
      }),
    );
    expect(stale.code).toBe(Status.FAILED_PRECONDITION);
    expect(stale.reason).toBe('FENCED');
    expect(stale.metadata).toEqual({ partition: String(partition), epoch: '6' });
    const staleValues = await rejection(
      client.recordMeterValues({
        stationId: station,
        fence: { partition, epoch: '6' },
        source: 'MeterValues',
        meterValues: [register('2030-02-01T10:00:00.000Z', 1)],
      }),
    );
    expect(staleValues.reason).toBe('FENCED');
    const staleEvent = await rejection(
      client.recordTransactionEvent201({
        stationId: station,
        fence: { partition, epoch: '6' },
        event: {
          eventType: 'Started',
          timestamp: '2030-02-01T10:00:00.000Z',
          triggerReason: 'Authorized',
          seqNo: 0,
          transactionInfo: { transactionId: 'f-1' },
        },
      }),
    );
    expect(staleEvent.reason).toBe('FENCED');
    const written = async () => ({
      tx: await handle.db.selectFrom('transactions').selectAll().where('station_id', '=', station).execute(),
      ev: await handle.db
        .selectFrom('transaction_events')
        .selectAll()
        .where('station_id', '=', station)
        .execute(),
      mv: await handle.db.selectFrom('meter_values').selectAll().where('station_id', '=', station).execute(),
    });
    expect(await written()).toEqual({ tx: [], ev: [], mv: [] });

    const wrongPartition = await rejection(
      client.recordStartTransaction16({
        stationId: station,
        fence: { partition: partition + 1, epoch: '7' },
        connectorId: 1,
        idTag: 'TAG-F',
        timestamp: '2030-02-01T10:00:00.000Z',
        meterStart: 0,
      }),
    );
    expect(wrongPartition.code).toBe(Status.INVALID_ARGUMENT);
    expect(fields(wrongPartition)).toEqual(['fence.partition']);

    const ok = await client.recordStartTransaction16({
      stationId: station,
      fence: { partition, epoch: '7' },
      connectorId: 1,
      idTag: 'TAG-F',
      timestamp: '2030-02-01T10:00:00.000Z',
      meterStart: 0,
    });
    expect(ok.created).toBe(true);
    const { tx } = await written();
    expect(tx.map((t) => String(t.owner_epoch))).toEqual(['7']);
  });
});
