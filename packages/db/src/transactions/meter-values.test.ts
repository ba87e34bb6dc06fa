import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import { upsertStation } from '../stations/stations.js';
import { queryTemplate } from '../query-template.js';
import {
  meterValueColumns,
  meterValueColumnsInsert,
  recordMeterValues,
  type MeterValueColumns,
  type RecordMeterValuesInput,
} from './meter-values.js';
import { recordStartTransaction16 } from './records-v16.js';

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

/** 1.6 MeterValues: the link to the transaction is resolved inside the insert (one statement). */
describe.each([['postgres'], ['pglite-memory']] as const)('recordMeterValues on %s', (kind) => {
  let handle: DatabaseHandle;
  let transactionId: number;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
    await upsertStation(handle.db, { id: 'MV-1', securityProfile: 0, bootPolicy: null });
    await upsertStation(handle.db, { id: 'MV-2', securityProfile: 0, bootPolicy: null });
    const started = await recordStartTransaction16(handle.db, {
      stationId: 'MV-1',
      connectorId: 1,
      idTag: 'T',
      timestamp: '2026-12-01T10:00:00.000Z',
      meterStart: 0,
      reservationId: null,
    });
    transactionId = started.transactionId;
  });
  afterAll(() => handle.close());

  const input = (stationId: string, v16TransactionId: number, value: string): RecordMeterValuesInput => ({
    stationId,
    v16TransactionId,
    evseId: 1,
    connectorId: 1,
    source: 'MeterValues',
    meterValues: [
      { timestamp: '2026-12-01T10:01:00.000Z', sampledValue: [{ value }] },
      { timestamp: '2026-12-01T10:02:00.000Z', sampledValue: [{ value: `${value}0` }] },
    ],
  });
  const linkedTo = async (stationId: string) =>
    (
      await handle.db
        .selectFrom('meter_values')
        .select('transaction_ref')
        .where('station_id', '=', stationId)
        .execute()
    ).map((r) => r.transaction_ref);

  it("links the values to the station's transaction, and a retry stores nothing new", async () => {
    expect(await recordMeterValues(handle.db, input('MV-1', transactionId, '5'))).toEqual({
      transactionFound: true,
      stored: 2,
    });
    const refs = await linkedTo('MV-1');
    expect(refs).toHaveLength(2);
    expect(refs[0]).not.toBeNull();
    expect(await recordMeterValues(handle.db, input('MV-1', transactionId, '5'))).toEqual({
      transactionFound: true,
      stored: 0,
    });
    expect(await linkedTo('MV-1')).toHaveLength(2);
  });

  it("stores values for an unknown transactionId (or another station's) unlinked, and says so", async () => {
    // Errata v4.0 §3.18: transactionId -1; another station's transaction is not this station's.
    expect(await recordMeterValues(handle.db, input('MV-2', -1, '7'))).toEqual({
      transactionFound: false,
      stored: 2,
    });
    expect(await recordMeterValues(handle.db, input('MV-2', transactionId, '8'))).toEqual({
      transactionFound: false,
      stored: 2,
    });
    expect(await linkedTo('MV-2')).toEqual([null, null, null, null]);
    // A retry still reports the transaction as unknown.
    expect(await recordMeterValues(handle.db, input('MV-2', -1, '7'))).toEqual({
      transactionFound: false,
      stored: 0,
    });
  });

  it('answers for a message without sampled sets', async () => {
    expect(
      await recordMeterValues(handle.db, { ...input('MV-1', transactionId, '1'), meterValues: [] }),
    ).toEqual({ transactionFound: true, stored: 0 });
  });
});

describe.each([['postgres'], ['pglite-memory']] as const)('meterValueColumnsInsert on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
    await upsertStation(handle.db, { id: 'MVC-1', securityProfile: 0, bootPolicy: null });
  });
  afterAll(() => handle.close());

  const insert = queryTemplate((db, p: MeterValueColumns) => meterValueColumnsInsert(db, p));
  const stored = () =>
    handle.db
      .selectFrom('meter_values')
      .select(['timestamp', 'sampled_values', 'evse_id', 'connector_id', 'transaction_ref', 'source'])
      .where('station_id', '=', 'MVC-1')
      .orderBy('timestamp')
      .execute();

  it('stores any number of sets, whatever their text holds, and skips a retried set', async () => {
    // Array literal metacharacters, JSON escapes and non-ASCII text in the values the station sent.
    const awkward = [{ value: '1,{2}"3"\\4 \u00e9\u20ac', measurand: 'Energy.Active.Import.Register' }];
    const sets = [
      { timestamp: '2026-12-01T10:01:00.000Z', sampledValue: awkward },
      { timestamp: '2026-12-01T10:02:00.000Z', sampledValue: [{ value: 'NULL' }] },
    ];
    const columns = meterValueColumns({
      stationId: 'MVC-1',
      transactionRef: null,
      evseId: 2,
      connectorId: null,
      source: 'MeterValues',
      meterValues: sets,
    });
    // (PGlite's dialect reports no count for an insert of no row.)
    const inserted = async (c: MeterValueColumns) => (await insert.run(handle.db, c)).numAffectedRows ?? 0n;
    expect(await inserted(columns)).toBe(2n);
    expect(await inserted(columns)).toBe(0n);
    expect(await inserted({ ...columns, timestamps: [], sampledValues: [], dedupeKeys: [] })).toBe(0n);
    expect(await stored()).toEqual([
      {
        timestamp: new Date(sets[0]!.timestamp),
        sampled_values: awkward,
        evse_id: 2,
        connector_id: null,
        transaction_ref: null,
        source: 'MeterValues',
      },
      {
        timestamp: new Date(sets[1]!.timestamp),
        sampled_values: [{ value: 'NULL' }],
        evse_id: 2,
        connector_id: null,
        transaction_ref: null,
        source: 'MeterValues',
      },
    ]);
  });
});
