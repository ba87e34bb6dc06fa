import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { openDatabase, type DatabaseHandle } from './database.js';
import { deferredWrite } from './transaction-driver.js';

// The driver of openDatabase on PostgreSQL (transaction-driver.ts): BEGIN deferred to the first statement.
let pgDb: TestDatabase;
let handle: DatabaseHandle;
beforeAll(async () => {
  pgDb = await createTestDatabase();
  // One connection: a connection left in a transaction or an aborted one would fail the next statement.
  handle = await openDatabase({ kind: 'postgres', url: pgDb.url, poolSize: 1 });
  await sql`create table probe (id int primary key, note text)`.execute(handle.db);
});
afterAll(async () => {
  await handle.close();
  await pgDb.drop();
});

const ids = async () =>
  (await sql<{ id: number }>`select id from probe order by id`.execute(handle.db)).rows.map((r) => r.id);
/** Whether the current statement runs inside a transaction block (now() is frozen at its start). */
const backendXact = (trx: typeof handle.db) =>
  sql<{ xid: string | null }>`select pg_current_xact_id_if_assigned()::text as xid`.execute(trx);

describe('transactions with a deferred BEGIN', () => {
  it('the first statement (with parameters) runs in the transaction and returns its rows and count', async () => {
    const result = await handle.db.transaction().execute(async (trx) => {
      const first = await trx
        .insertInto('probe' as never)
        .values({ id: 1, note: 'a' } as never)
        .returning(sql`id`.as('id') as never)
        .executeTakeFirstOrThrow();
      const second = await sql`insert into probe (id, note) values (${2}, ${'b'})`.execute(trx);
      // Both writes belong to one transaction: one transaction id is assigned.
      const xid = (await backendXact(trx)).rows[0]?.xid;
      return { first, affected: second.numAffectedRows, xid };
    });
    expect(result.first).toEqual({ id: 1 });
    expect(result.affected).toBe(1n);
    expect(result.xid).toMatch(/^\d+$/);
    expect(await ids()).toEqual([1, 2]);
  });

  it('a failure after the first statement rolls everything back', async () => {
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await sql`insert into probe (id) values (${3})`.execute(trx);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await ids()).toEqual([1, 2]);
  });

  it('a refused first statement is the transaction error; the connection is clean afterwards', async () => {
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await sql`insert into probe (id) values (${1})`.execute(trx); // duplicate key
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await ids()).toEqual([1, 2]);
  });

  it('a refusal the caller caught still fails the commit: nothing of the transaction is stored', async () => {
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await sql`insert into probe (id) values (${4})`.execute(trx);
        await sql`insert into probe (id) values (${1})`.execute(trx).catch(() => undefined);
        return 'reported as stored';
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await ids()).toEqual([1, 2]);
  });

  it('a first statement without parameters (several statements in one text) runs after a plain BEGIN', async () => {
    await handle.db.transaction().execute(async (trx) => {
      await sql`insert into probe (id) values (5); insert into probe (id) values (6)`.execute(trx);
      await sql`insert into probe (id) values (${7})`.execute(trx);
    });
    expect(await ids()).toEqual([1, 2, 5, 6, 7]);
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await sql`insert into probe (id) values (8); insert into probe (id) values (9)`.execute(trx);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await ids()).toEqual([1, 2, 5, 6, 7]);
  });

  it('a transaction that runs no statement commits and rolls back without a round trip', async () => {
    await expect(handle.db.transaction().execute(() => Promise.resolve('nothing'))).resolves.toBe('nothing');
    await expect(
      handle.db.transaction().execute(() => Promise.reject(new Error('before any statement'))),
    ).rejects.toThrow('before any statement');
    // The connection is not left inside a transaction: a statement outside one autocommits.
    await sql`insert into probe (id) values (${10})`.execute(handle.db);
    expect((await backendXact(handle.db)).rows[0]?.xid).toBeNull();
    expect(await ids()).toEqual([1, 2, 5, 6, 7, 10]);
  });
});

describe('deferred writes', () => {
  const write = (id: number) => deferredWrite(sql`insert into probe (id) values (${id})`.compile(handle.db));
  const reset = () => sql`delete from probe where id >= ${100}`.execute(handle.db);

  it("leave with the commit, also as the transaction's only statement", async () => {
    await reset();
    const answer = await handle.db.transaction().execute(async (trx) => {
      const result = await trx.executeQuery(write(100));
      expect(result.rows).toEqual([]);
      await trx.executeQuery(write(101));
      return 'done';
    });
    expect(answer).toBe('done');
    expect((await ids()).filter((id) => id >= 100)).toEqual([100, 101]);
  });

  it("are seen by the transaction's next statement (they leave before it, in its pipeline)", async () => {
    await reset();
    const seen = await handle.db.transaction().execute(async (trx) => {
      await sql`insert into probe (id) values (${102})`.execute(trx);
      await trx.executeQuery(write(103));
      return (await sql<{ n: string }>`select count(*)::text as n from probe where id >= ${100}`.execute(trx))
        .rows[0]?.n;
    });
    expect(seen).toBe('2');
    expect((await ids()).filter((id) => id >= 100)).toEqual([102, 103]);
  });

  it('a refused one fails the commit (or the next statement) and nothing of the transaction is stored', async () => {
    await reset();
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await sql`insert into probe (id) values (${104})`.execute(trx);
        await trx.executeQuery(write(1)); // duplicate key, found at the commit
      }),
    ).rejects.toThrow(/duplicate key/);
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await trx.executeQuery(write(105));
        await trx.executeQuery(write(1));
        await sql`select ${1}`.execute(trx);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect((await ids()).filter((id) => id >= 100)).toEqual([]);
    // The connection is clean: the next transaction commits.
    await handle.db.transaction().execute((trx) => trx.executeQuery(write(106)));
    expect((await ids()).filter((id) => id >= 100)).toEqual([106]);
  });

  it('are dropped by a rollback, and run at once outside a transaction', async () => {
    await reset();
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await trx.executeQuery(write(107));
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    await handle.db.executeQuery(write(108));
    expect((await ids()).filter((id) => id >= 100)).toEqual([108]);
  });
});
