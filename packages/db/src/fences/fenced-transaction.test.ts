import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../database.js';
import { FenceRejectedError, fencedStatements, fencedTransaction } from './fenced-transaction.js';
import { raisePartitionFence } from './fences.js';
import { deferredWrite } from '../transaction-driver.js';

let pgDb: TestDatabase;
let handle: DatabaseHandle;
/** A second pool: the "next owner" raising the fence while the first holds a transaction. */
let other: DatabaseHandle;
beforeAll(async () => {
  pgDb = await createTestDatabase();
  // One connection: a connection left in an aborted transaction would fail the next statement.
  handle = await openDatabase({ kind: 'postgres', url: pgDb.url, poolSize: 1 });
  other = await openDatabase({ kind: 'postgres', url: pgDb.url, poolSize: 1 });
  await migrateToLatest(handle.db);
  await sql`create table fenced_probe (id int primary key, epoch text)`.execute(handle.db);
  expect(await raisePartitionFence(handle.db, 7, '5', 'worker-a')).toBe(true);
});
afterAll(async () => {
  await other.close();
  await handle.close();
  await pgDb.drop();
});

const probeIds = async () =>
  (await sql<{ id: number }>`select id from fenced_probe order by id`.execute(handle.db)).rows.map(
    (r) => r.id,
  );

describe('fencedTransaction: BEGIN, the partition fence check and the first statement in one round trip', () => {
  it('commits the work of a transaction whose fence is at its epoch, with csms.epoch set', async () => {
    const epoch = await fencedTransaction(handle.db, 7, '5', async (trx) => {
      await sql`insert into fenced_probe (id, epoch) values (1, current_setting('csms.epoch', true))`.execute(
        trx,
      );
      return (await sql<{ e: string }>`select current_setting('csms.epoch', true) as e`.execute(trx)).rows[0]
        ?.e;
    });
    expect(epoch).toBe('5');
    expect(await probeIds()).toEqual([1]);
  });

  it('refuses a stale epoch and an unknown partition, writes nothing, and leaves the connection clean', async () => {
    // The check leaves with the first statement: with parameters in one pipeline, without as `begin; select`.
    const attempt = (partition: number, epoch: string, parameters: boolean) =>
      fencedTransaction(handle.db, partition, epoch, async (trx) => {
        await (
          parameters
            ? sql`insert into fenced_probe (id) values (${2})`
            : sql`insert into fenced_probe (id) values (2)`
        ).execute(trx);
      });
    for (const parameters of [true, false]) {
      await expect(attempt(7, '4', parameters)).rejects.toBeInstanceOf(FenceRejectedError);
      await expect(attempt(8, '5', parameters)).rejects.toThrow(/partition 8 is fenced/);
    }
    // A transaction that runs no statement still checks its fence when it commits.
    await expect(fencedTransaction(handle.db, 7, '4', () => Promise.resolve())).rejects.toBeInstanceOf(
      FenceRejectedError,
    );
    // The pool's only connection is usable again (the aborted transaction was rolled back).
    expect(await probeIds()).toEqual([1]);
  });

  it('a transaction of deferred writes only checks its fence with its commit: refused, nothing stored', async () => {
    const deferred = deferredWrite(sql`insert into fenced_probe (id) values (${2})`.compile(handle.db));
    await expect(
      fencedTransaction(handle.db, 7, '4', async (trx) => {
        await trx.executeQuery(deferred);
      }),
    ).rejects.toBeInstanceOf(FenceRejectedError);
    expect(await probeIds()).toEqual([1]);
  });

  it('a caller that catches the refusal cannot commit: the transaction fails with it, nothing stored', async () => {
    let caught: unknown;
    await expect(
      fencedTransaction(handle.db, 7, '4', async (trx) => {
        await sql`insert into fenced_probe (id) values (${2})`
          .execute(trx)
          .catch((e: unknown) => (caught = e));
        return 'looks fine';
      }),
    ).rejects.toBeInstanceOf(FenceRejectedError);
    expect(caught).toBeInstanceOf(FenceRejectedError);
    expect(await probeIds()).toEqual([1]);
  });

  it('rolls back when the work fails', async () => {
    await expect(
      fencedTransaction(handle.db, 7, '5', async (trx) => {
        await sql`insert into fenced_probe (id) values (3)`.execute(trx);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await probeIds()).toEqual([1]);
  });

  it('holds the fence row: a newer owner raising the fence waits until the transaction ends', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const tx = fencedTransaction(handle.db, 7, '5', async (trx) => {
      await sql`insert into fenced_probe (id) values (4)`.execute(trx);
      entered();
      await held;
    });
    await inside;
    let raised = false;
    const raise = raisePartitionFence(other.db, 7, '6', 'worker-b').then((ok) => (raised = ok));
    // The raise cannot finish while the FOR SHARE lock is held (a short wait shows it is blocked; the
    // assertion after the release does not depend on timing).
    await new Promise((r) => setTimeout(r, 200));
    expect(raised).toBe(false);
    release();
    await tx;
    await raise;
    expect(raised).toBe(true);
    expect(await probeIds()).toEqual([1, 4]);
    // From now on the old epoch is refused.
    await expect(fencedTransaction(handle.db, 7, '5', () => Promise.resolve())).rejects.toBeInstanceOf(
      FenceRejectedError,
    );
  });

  it('checks its arguments before they are written into the statement', () => {
    expect(() =>
      fencedTransaction(handle.db, 7, "5'; drop table fenced_probe; --", () => Promise.resolve()),
    ).toThrow(RangeError);
    expect(() => fencedTransaction(handle.db, -1, '5', () => Promise.resolve())).toThrow(RangeError);
  });

  it('leaves plain transactions alone', async () => {
    await handle.db.transaction().execute(async (trx) => {
      await sql`insert into fenced_probe (id) values (5)`.execute(trx);
    });
    expect(await probeIds()).toEqual([1, 4, 5]);
  });
});

describe('fencedStatements: group-committed statements that carry the fence check', () => {
  beforeAll(async () => {
    expect(await raisePartitionFence(handle.db, 11, '5', 'worker-a')).toBe(true);
  });
  const insert = (db: typeof handle.autocommitDb, id: number) =>
    sql`insert into fenced_probe (id, epoch) values (${id}, current_setting('csms.epoch', true))`.execute(db);
  const epochOf = async (id: number) =>
    (await sql<{ epoch: string | null }>`select epoch from fenced_probe where id = ${id}`.execute(handle.db))
      .rows[0]?.epoch;

  it('stores a statement whose fence is at its epoch, with csms.epoch set for it', async () => {
    await fencedStatements(handle.autocommitDb, 11, '5', (db) => insert(db, 10));
    expect(await epochOf(10)).toBe('5');
  });

  it('refuses a stale epoch: FenceRejectedError, nothing stored', async () => {
    await expect(
      fencedStatements(handle.autocommitDb, 11, '4', (db) => insert(db, 20)),
    ).rejects.toBeInstanceOf(FenceRejectedError);
    await expect(fencedStatements(handle.autocommitDb, 9, '5', (db) => insert(db, 21))).rejects.toThrow(
      /partition 9 is fenced/,
    );
    expect(await epochOf(20)).toBeUndefined();
    expect(await epochOf(21)).toBeUndefined();
  });

  it('a fenced-out statement fails alone in a shared batch; the others commit', async () => {
    const outcomes = await Promise.allSettled([
      fencedStatements(handle.autocommitDb, 11, '5', (db) => insert(db, 30)),
      fencedStatements(handle.autocommitDb, 11, '4', (db) => insert(db, 31)),
      fencedStatements(handle.autocommitDb, 11, '5', (db) => insert(db, 32)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(FenceRejectedError);
    expect([await epochOf(30), await epochOf(31), await epochOf(32)]).toEqual(['5', undefined, '5']);
  });

  it('a raised fence waits for the statements that hold it, then refuses the old epoch', async () => {
    await fencedStatements(handle.autocommitDb, 11, '5', (db) => insert(db, 40));
    expect(await raisePartitionFence(other.db, 11, '6', 'worker-b')).toBe(true);
    await expect(
      fencedStatements(handle.autocommitDb, 11, '5', (db) => insert(db, 41)),
    ).rejects.toBeInstanceOf(FenceRejectedError);
    await fencedStatements(handle.autocommitDb, 11, '6', (db) => insert(db, 42));
    expect([await epochOf(40), await epochOf(41), await epochOf(42)]).toEqual(['5', undefined, '6']);
  });
});
