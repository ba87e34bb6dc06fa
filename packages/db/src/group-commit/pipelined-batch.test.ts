import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { StatementNames } from '../statement-names.js';
import { runPipeline, type BatchOutcome } from './pipelined-batch.js';

let pgDb: TestDatabase;
let client: pg.Client;
/** RowDescription messages the client's connection received. */
let described = 0;
/** One per process in production (names are per connection on the server): one for the client here. */
const names = new StatementNames();

beforeAll(async () => {
  pgDb = await createTestDatabase();
  client = new pg.Client({ connectionString: pgDb.url });
  await client.connect();
  (client as unknown as { connection: pg.Connection }).connection.on(
    'rowDescription',
    () => void described++,
  );
  await client.query(
    `create table plan_probe (id int8 primary key, label text, at timestamptz, doc jsonb, tags text[],
     ok bool, amount numeric)`,
  );
});
afterAll(async () => {
  await client.end();
  await pgDb.drop();
});

function rowsOf(outcome: BatchOutcome, index: number): unknown[] {
  if (!outcome.ok) throw outcome.error as Error;
  return outcome.results[index]?.rows ?? [];
}

const query = (sqlText: string, parameters: unknown[]) => CompiledQuery.raw(sqlText, parameters);

describe('pipelined batches (PostgreSQL)', () => {
  it("parses rows as pg's own query does, and describes a prepared statement only on its first run", async () => {
    const insert = query(
      'insert into plan_probe values ($1, $2, $3, $4, $5, $6, $7), ($8, $9, $10, $11, $12, $13, $14)',
      [
        ...[1, 'one', new Date('2026-12-06T10:00:00.123Z'), { a: [1, 'x'] }, ['p', 'q'], true, '12.50'],
        ...[2, null, null, null, null, null, null],
      ],
    );
    expect((await runPipeline(client, [insert], names)).ok).toBe(true);
    const select = query('select * from plan_probe where id >= $1 order by id', [1]);
    const expected = (await client.query(select.sql, [...select.parameters])).rows;
    expect(expected).toHaveLength(2);

    const before = described;
    const first = await runPipeline(client, [select], names);
    expect(described - before).toBe(1);
    const again = await runPipeline(client, [select, select], names);
    expect(described - before).toBe(1);
    for (const rows of [rowsOf(first, 0), rowsOf(again, 0), rowsOf(again, 1)]) expect(rows).toEqual(expected);
    expect(rowsOf(again, 0)[0]).toMatchObject({ id: '1', at: new Date('2026-12-06T10:00:00.123Z') });
  });

  it('remembers a statement without rows, and a changed table gets its statement prepared and described anew', async () => {
    const update = query('update plan_probe set label = $1 where id = $2', ['uno', 1]);
    const before = described;
    for (let i = 0; i < 2; i++) {
      const outcome = await runPipeline(client, [update], names);
      expect(outcome.ok && outcome.results[0]?.rowCount).toBe(1);
    }
    expect(described - before).toBe(0);

    const read = query('select * from plan_probe where id = $1', [1]);
    expect(rowsOf(await runPipeline(client, [read], names), 0)[0]).not.toHaveProperty('note');
    await client.query(`alter table plan_probe add column note text default 'n'`);
    const refused = await runPipeline(client, [read], names);
    expect(refused.ok ? undefined : (refused.error as Error).message).toMatch(/cached plan must not change/);
    // Renamed: prepared again, described again, the new column parsed.
    expect(rowsOf(await runPipeline(client, [read], names), 0)[0]).toMatchObject({ label: 'uno', note: 'n' });
  });
});
