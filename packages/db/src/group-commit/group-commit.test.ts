import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { openDatabase, type DatabaseHandle } from '../database.js';

let pgDb: TestDatabase;
let handle: DatabaseHandle;
/** Other sessions, outside the handle's pool: what they see. */
let observer: pg.Pool;

beforeAll(async () => {
  pgDb = await createTestDatabase();
  // One connection: every batch and every replay share a session, so prepared names must stay consistent.
  handle = await openDatabase({ kind: 'postgres', url: pgDb.url, poolSize: 1 });
  observer = new pg.Pool({ connectionString: pgDb.url, max: 3 });
  await sql`create table gc_probe (id int primary key, label text not null)`.execute(handle.db);
});
afterAll(async () => {
  await observer.end();
  await handle.close();
  await pgDb.drop();
});

const probe = () => handle.autocommitDb.insertInto('gc_probe' as never);

async function storedIds(): Promise<number[]> {
  const { rows } = await observer.query<{ id: number }>('select id from gc_probe order by id');
  return rows.map((r) => r.id);
}

describe('group commit (PostgreSQL)', () => {
  it('commits concurrent single statements in fewer batches than statements, each with its own result', async () => {
    const before = handle.groupCommitStats();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        probe()
          .values({ id: i, label: `l${i}` } as never)
          .returning(['id' as never])
          .executeTakeFirstOrThrow(),
      ),
    );
    expect(results.map((r) => (r as { id: number }).id)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const after = handle.groupCommitStats();
    expect(after!.statements - before!.statements).toBe(40);
    expect(after!.batches - before!.batches).toBeLessThan(40);
    expect(await storedIds()).toHaveLength(40);
    // Updates report their affected rows as without grouping.
    const update = await handle.autocommitDb
      .updateTable('gc_probe' as never)
      .set({ label: 'x' } as never)
      .where('id' as never, '<', 5 as never)
      .executeTakeFirstOrThrow();
    expect(update.numUpdatedRows).toBe(5n);
  });

  it('answers each caller only after its batch committed (visible to another session)', async () => {
    await Promise.all(
      [100, 101, 102].map(async (id) => {
        await probe().values({ id, label: 'c' }).execute();
        const { rowCount } = await observer.query('select 1 from gc_probe where id = $1', [id]);
        expect(rowCount).toBe(1);
      }),
    );
  });

  it('keeps the order of one batch: a later statement sees an earlier one', async () => {
    const [, , read] = await Promise.all([
      probe()
        .values({ id: 200, label: 'first' } as never)
        .execute(),
      handle.autocommitDb
        .updateTable('gc_probe' as never)
        .set({ label: 'second' } as never)
        .where('id' as never, '=', 200 as never)
        .execute(),
      handle.autocommitDb
        .selectFrom('gc_probe' as never)
        .select(['label' as never])
        .where('id' as never, '=', 200 as never)
        .executeTakeFirst(),
    ]);
    expect(read).toEqual({ label: 'second' });
  });

  it('a refused statement fails alone: the batch is replayed one statement at a time', async () => {
    const before = handle.groupCommitStats()!;
    const outcomes = await Promise.allSettled([
      probe()
        .values({ id: 300, label: 'a' } as never)
        .execute(),
      probe()
        .values({ id: 0, label: 'duplicate' } as never)
        .execute(),
      probe()
        .values({ id: 301, label: 'b' } as never)
        .execute(),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = outcomes[1] as PromiseRejectedResult;
    expect((refused.reason as { code?: string }).code).toBe('23505');
    expect(handle.groupCommitStats()!.replayedBatches).toBeGreaterThan(before.replayedBatches);
    const ids = await storedIds();
    expect(ids).toEqual(expect.arrayContaining([300, 301]));
    const { rows } = await observer.query<{ label: string }>('select label from gc_probe where id = 0');
    expect(rows[0]?.label).not.toBe('duplicate');
  });

  it('reuses its prepared statements across batches and after a refused batch', async () => {
    for (let round = 0; round < 3; round++) {
      const base = 1_000 + round * 10;
      const outcomes = await Promise.allSettled([
        probe()
          .values({ id: base, label: 'r' } as never)
          .execute(),
        // A statement text never seen before, refused: its Parse may be skipped by the server.
        sql`select 1 / ${round - round} as boom`.execute(handle.autocommitDb),
        probe()
          .values({ id: base + 1, label: 'r' } as never)
          .execute(),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    }
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements
      where statement like 'insert into "gc_probe"%' and statement not like '%returning%'`.execute(handle.db);
    expect(rows[0]?.n).toBe(1);
  });

  it('refuses transactions on the group-commit handle', async () => {
    await expect(handle.autocommitDb.transaction().execute(() => Promise.resolve())).rejects.toThrow(
      /single statements/,
    );
  });
});

describe('group commit off', () => {
  it('uses the ordinary handle for single statements', async () => {
    const off = await openDatabase({ kind: 'postgres', url: pgDb.url, poolSize: 1, groupCommit: false });
    try {
      expect(off.autocommitDb).toBe(off.db);
      expect(off.groupCommitStats()).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});
