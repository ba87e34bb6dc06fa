import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import { upsertIdToken } from '../id-tokens/id-tokens.js';
import { upsertStation } from '../stations/stations.js';
import { recordTransactionEvent201 } from '../transactions/records-v201.js';
import { findTransactionRow } from '../transactions/queries.js';
import { findTransactionCost, storeTransactionCost } from './transaction-costs.js';
import { tariffForTransaction, transactionCostOf } from './transaction-cost.js';
import {
  anyTariffDefined,
  createTariff,
  deleteTariff,
  findApplicableTariff,
  findTariff,
  findTariffWithoutGroup,
  listTariffs,
  updateTariff,
  type Tariff,
} from './tariffs.js';

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

const tariff = (id: string, extra: Partial<Tariff> = {}): Tariff => ({
  id,
  currency: 'EUR',
  pricePerKwh: 0.3,
  pricePerHour: 1.2,
  flatFee: 0.5,
  taxRatePercent: 21,
  displayText: `text ${id}`,
  displayTexts: {},
  stationId: null,
  evseId: null,
  idTokenGroup: null,
  ...extra,
});

describe.each([['postgres'], ['pglite-memory']] as const)('tariffs on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
    await upsertStation(handle.db, { id: 'TS-1', securityProfile: 0 });
    await upsertStation(handle.db, { id: 'TS-2', securityProfile: 0 });
  });
  afterAll(async () => {
    await handle.close();
  });

  it("the look at whether any tariff exists is shared by the handle's transactions", async () => {
    expect(await anyTariffDefined(handle.db)).toBe(false);
    // Written behind this process's back (as by another process): the look is trusted for its 5 s.
    await sql`insert into tariffs (id, currency, price_per_kwh, price_per_hour, flat_fee, tax_rate_percent,
      display_text) values ('behind', 'EUR', 0, 0, 0, 0, 'x')`.execute(handle.db);
    try {
      expect(await handle.db.transaction().execute((trx) => anyTariffDefined(trx))).toBe(false);
    } finally {
      await sql`delete from tariffs where id = 'behind'`.execute(handle.db);
    }
  });

  it("a transaction's look does not wait for a look of the handle queued behind that transaction", async () => {
    // A fresh handle: nothing looked yet. On PGlite (one connection) the handle's look waits for the transaction;
    // the transaction's own look must not wait for it (it did when a look still on its way was shared).
    const fresh = await openDatabase(kind === 'postgres' ? { kind, url: pgDb.url } : { kind });
    let deadlock: NodeJS.Timeout | undefined;
    try {
      await migrateToLatest(fresh.db);
      const looks = fresh.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        const outside = anyTariffDefined(fresh.db);
        return { inside: await anyTariffDefined(trx), outside };
      });
      const stuck = new Promise<never>((_, reject) => {
        deadlock = setTimeout(
          () => reject(new Error('the transaction waited for a look queued behind it')),
          10_000,
        );
      });
      const { inside, outside } = await Promise.race([looks, stuck]);
      expect(inside).toBe(false);
      expect(await outside).toBe(false);
    } finally {
      clearTimeout(deadlock);
      await fresh.close();
    }
  });

  it('creates, finds, updates, lists and deletes; refuses a taken id, a taken scope, an unknown station', async () => {
    const db = handle.db;
    const created = await createTariff(db, tariff('default', { displayTexts: { nl: 'tekst' } }));
    expect(created).toMatchObject({
      created: { id: 'default', pricePerKwh: 0.3, taxRatePercent: 21, displayTexts: { nl: 'tekst' } },
    });
    expect(await createTariff(db, tariff('default', { stationId: 'TS-1' }))).toEqual({
      refused: 'id-exists',
    });
    expect(await createTariff(db, tariff('other-default'))).toEqual({ refused: 'scope-exists' });
    expect(await createTariff(db, tariff('nowhere', { stationId: 'NOPE' }))).toEqual({
      refused: 'no-station',
    });
    expect(await updateTariff(db, 'default', { flatFee: 0.75, displayTexts: {} })).toMatchObject({
      id: 'default',
      flatFee: 0.75,
      pricePerKwh: 0.3,
      displayTexts: {},
    });
    expect(await updateTariff(db, 'missing', { flatFee: 1 })).toBeUndefined();
    await createTariff(db, tariff('ts1', { stationId: 'TS-1' }));
    expect((await listTariffs(db, { limit: 10 })).map((t) => t.id)).toEqual(['default', 'ts1']);
    expect((await listTariffs(db, { limit: 10, stationId: 'TS-1' })).map((t) => t.id)).toEqual(['ts1']);
    expect((await listTariffs(db, { limit: 10, afterId: 'default' })).map((t) => t.id)).toEqual(['ts1']);
    const noGroups = await findTariffWithoutGroup(db, { stationId: 'TS-1', evseId: 1 });
    expect([noGroups.tariff?.id, noGroups.groupTariffs]).toEqual(['ts1', false]);
    expect(await deleteTariff(db, 'ts1')).toBe(true);
    expect(await deleteTariff(db, 'ts1')).toBe(false);
    expect(await findTariff(db, 'ts1')).toBeUndefined();
  });

  it('resolves the most specific tariff: group, then station EVSE, then station, then default', async () => {
    const db = handle.db;
    await createTariff(db, tariff('st2', { stationId: 'TS-2' }));
    await createTariff(db, tariff('st2-evse2', { stationId: 'TS-2', evseId: 2 }));
    await createTariff(db, tariff('fleet', { idTokenGroup: 'FLEET' }));
    const id = async (scope: Parameters<typeof findApplicableTariff>[1]) =>
      (await findApplicableTariff(db, scope))?.id;
    expect(await id({ stationId: 'TS-1' })).toBe('default');
    expect(await id({ stationId: 'TS-2' })).toBe('st2');
    expect(await id({ stationId: 'TS-2', evseId: 1 })).toBe('st2');
    expect(await id({ stationId: 'TS-2', evseId: 2 })).toBe('st2-evse2');
    expect(await id({ stationId: 'TS-2', evseId: 2, idTokenGroup: 'FLEET' })).toBe('fleet');
    expect(await id({ stationId: 'TS-1', idTokenGroup: 'OTHER' })).toBe('default');
    const withGroups = await findTariffWithoutGroup(db, { stationId: 'TS-2', evseId: 2 });
    expect([withGroups.tariff?.id, withGroups.groupTariffs]).toEqual(['st2-evse2', true]);
  });

  it("finds a transaction's tariff by its token's group and stores its final cost", async () => {
    const db = handle.db;
    await upsertIdToken(db, { idToken: 'FLEET-TAG', status: 'Accepted', groupId: 'FLEET' });
    const start = '2031-05-01T10:00:00.000Z';
    const end = '2031-05-01T10:30:00.000Z';
    const reading = (value: number, timestamp: string, context: 'Transaction.Begin' | 'Transaction.End') => ({
      timestamp,
      sampledValue: [{ value, context, measurand: 'Energy.Active.Import.Register' as const }],
    });
    await recordTransactionEvent201(db, 'TS-2', {
      eventType: 'Started',
      timestamp: start,
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'TX-COST' },
      evse: { id: 2, connectorId: 1 },
      idToken: { idToken: 'FLEET-TAG', type: 'ISO14443' },
      meterValue: [reading(1000, start, 'Transaction.Begin')],
    });
    await recordTransactionEvent201(db, 'TS-2', {
      eventType: 'Ended',
      timestamp: end,
      triggerReason: 'StopAuthorized',
      seqNo: 1,
      transactionInfo: { transactionId: 'TX-COST' },
      meterValue: [reading(13_345, end, 'Transaction.End')],
    });
    const row = (await findTransactionRow(db, { stationId: 'TS-2', transactionId: 'TX-COST' }))!;
    const applied = (await tariffForTransaction(db, row))!;
    expect(applied.id).toBe('fleet');
    expect((await tariffForTransaction(db, row, null))!.id).toBe('st2-evse2');
    const cost = transactionCostOf(applied, row, new Date(end));
    expect(cost).toMatchObject({ energyWh: 12_345, durationS: 1800, subtotal: 4.8, tax: 1.01, total: 5.81 });
    await storeTransactionCost(db, row.id, applied.id, cost, new Date(end));
    await storeTransactionCost(db, row.id, applied.id, cost, new Date(end));
    const stored = await findTransactionCost(db, row.id);
    expect(stored).toMatchObject({
      tariff_id: 'fleet',
      currency: 'EUR',
      energy_wh: 12_345,
      duration_s: 1800,
    });
    expect([Number(stored!.subtotal), Number(stored!.tax), Number(stored!.total)]).toEqual([4.8, 1.01, 5.81]);
  });
});
