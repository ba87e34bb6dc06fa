import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { openDatabase, type DatabaseHandle } from './database.js';
import { StatementNames } from './prepared-statements.js';

let pgDb: TestDatabase;
let handle: DatabaseHandle;
beforeAll(async () => {
  pgDb = await createTestDatabase();
  // One connection, so that the session's prepared statements are the ones this test looks at.
  handle = await openDatabase({ kind: 'postgres', url: pgDb.url, poolSize: 1 });
});
afterAll(async () => {
  await handle.close();
  await pgDb.drop();
});

/** The statements prepared in the pool's (only) session, by their SQL text. */
async function preparedTexts(): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(
    handle.db,
  );
  return rows.map((r) => r.statement);
}

describe('named prepared statements (PostgreSQL)', () => {
  it('prepares a parameterised query once per connection and reuses it', async () => {
    await sql`create table prep_probe (id int primary key, label text)`.execute(handle.db);
    for (let i = 0; i < 3; i++) {
      await handle.db
        .insertInto('prep_probe' as never)
        .values({ id: i, label: `l${i}` })
        .execute();
    }
    const texts = await preparedTexts();
    const inserts = texts.filter((t) => t.startsWith('insert into "prep_probe"'));
    expect(inserts).toHaveLength(1);
    const rows = await handle.db
      .selectFrom('prep_probe' as never)
      .selectAll()
      .where('id' as never, '>=', 1 as never)
      .execute();
    expect(rows).toHaveLength(2);
  });

  it('keeps the simple protocol for queries without parameters (several statements in one text)', async () => {
    await sql`create table prep_multi (id int); insert into prep_multi values (1)`.execute(handle.db);
    expect((await preparedTexts()).some((t) => t.includes('prep_multi'))).toBe(false);
  });

  it('recovers when a migration changes the columns under a prepared select *', async () => {
    await sql`create table prep_change (id int primary key)`.execute(handle.db);
    const read = () =>
      handle.db
        .selectFrom('prep_change' as never)
        .selectAll()
        .where('id' as never, '=', 1 as never)
        .execute();
    await sql`insert into prep_change values (1)`.execute(handle.db);
    expect(await read()).toEqual([{ id: 1 }]);
    await sql`alter table prep_change add column note text default 'n'`.execute(handle.db);
    // The statement prepared before the change fails once (PostgreSQL refuses its cached plan) ...
    await expect(read()).rejects.toThrow(/cached plan must not change result type/);
    // ... and is prepared again under a new name on its next use.
    expect(await read()).toEqual([{ id: 1, note: 'n' }]);
  });

  it("passes a bad query's error on unchanged", async () => {
    await expect(
      handle.db
        .selectFrom('no_such_table' as never)
        .selectAll()
        .where('id' as never, '=', 1 as never)
        .execute(),
    ).rejects.toThrow(/relation "no_such_table" does not exist/);
    // The connection still works.
    expect((await sql<{ one: number }>`select ${1}::int as one`.execute(handle.db)).rows).toEqual([
      { one: 1 },
    ]);
  });
});

describe('StatementNames', () => {
  it('names each text once, up to its limit, and renames on request', () => {
    const names = new StatementNames(2);
    const a = names.nameOf('select 1 where $1');
    expect(names.nameOf('select 1 where $1')).toBe(a);
    const b = names.nameOf('select 2 where $1');
    expect(b).not.toBe(a);
    expect(names.nameOf('select 3 where $1')).toBeUndefined();
    expect(names.size).toBe(2);
    const renamed = names.rename('select 1 where $1');
    expect(renamed).not.toBe(a);
    expect(names.nameOf('select 1 where $1')).toBe(renamed);
  });
});
