import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreparedPglite } from './prepared-pglite.js';

// The prepared path against PGlite's own `query` on the same database: same rows, same errors, and the statement
// really is prepared once (pg_prepared_statements), re-prepared when its table changed under it.

describe('PreparedPglite', () => {
  let pglite: PGlite;
  let prepared: PreparedPglite;
  beforeAll(async () => {
    pglite = await PGlite.create({ parsers: { 20: (value: string) => value } });
    prepared = new PreparedPglite(pglite);
    await pglite.query(
      'create table items (k text primary key, n int8, at timestamptz, doc jsonb, raw bytea)',
    );
  });
  afterAll(async () => {
    await prepared.close();
  });

  it('returns what PGlite returns, for every parameter and column type the CSMS uses', async () => {
    const insert = 'insert into items (k, n, at, doc, raw) values ($1, $2, $3, $4, $5) returning *';
    const values = [
      'a',
      '9007199254740993',
      new Date('2031-01-01T10:00:00Z'),
      '{"x":[1,null]}',
      Buffer.from([1, 2]),
    ];
    const ours = await prepared.query(insert, values);
    const theirs = await pglite.query<Record<string, unknown>>(insert, ['b', ...values.slice(1)]);
    expect(ours.rows).toEqual([{ ...theirs.rows[0], k: 'a' }]);
    expect(ours.affectedRows).toBe(1);
    const select = 'select * from items where k = any($1::text[]) and n is not distinct from $2 order by k';
    expect((await prepared.query(select, [['a', 'b'], null])).rows).toEqual([]);
    expect((await prepared.query(select, [['a', 'b'], '9007199254740993'])).rows).toEqual(
      (await pglite.query(select, [['a', 'b'], '9007199254740993'])).rows,
    );
  });

  it('parses a text once and executes it again by name', async () => {
    const text = 'select k from items where k = $1';
    await prepared.query(text, ['a']);
    await prepared.query(text, ['b']);
    const named = await pglite.query<{ name: string }>(
      'select name from pg_prepared_statements where statement = $1',
      [text],
    );
    expect(named.rows).toHaveLength(1);
    expect(named.rows[0]!.name).toMatch(/^csms_\d+$/);
  });

  it("passes PostgreSQL's error with its fields, and the next statement runs", async () => {
    const error = await prepared.query('insert into items (k) values ($1)', ['a']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23505', constraint: 'items_pkey' });
    await expect(prepared.query('select nonsense from items where k = $1', ['a'])).rejects.toMatchObject({
      code: '42703',
    });
    expect((await prepared.query('select count(*)::int as n from items where k = $1', ['a'])).rows).toEqual([
      { n: 1 },
    ]);
  });

  it('keeps a transaction: an error aborts it until rollback, a commit keeps what ran', async () => {
    await prepared.query('begin');
    await prepared.query('insert into items (k) values ($1)', ['t1']);
    await expect(prepared.query('insert into items (k) values ($1)', ['t1'])).rejects.toMatchObject({
      code: '23505',
    });
    await expect(prepared.query('select k from items where k = $1', ['t1'])).rejects.toMatchObject({
      code: '25P02', // in_failed_sql_transaction
    });
    await prepared.query('rollback');
    expect((await prepared.query('select k from items where k = $1', ['t1'])).rows).toEqual([]);
  });

  it('prepares a text again after its table changed under it (a migration while running)', async () => {
    await pglite.query('create table changing (k text)');
    await pglite.query("insert into changing values ('x')");
    const text = 'select * from changing where k = $1';
    expect((await prepared.query(text, ['x'])).rows).toEqual([{ k: 'x' }]);
    await pglite.query('alter table changing add column extra int');
    // As on PostgreSQL through pg (prepared-statements.ts): the first execution after the change is refused...
    await expect(prepared.query(text, ['x'])).rejects.toMatchObject({ code: '0A000' });
    // ...and the next one prepares the text again and sees the new column.
    expect((await prepared.query(text, ['x'])).rows).toEqual([{ k: 'x', extra: null }]);
  });
});
