/**
 * `--pg-statements` (bench/pg-statements.ts) against a real PostgreSQL server started with pg_stat_statements
 * preloaded (@csms/test-servers `preloadLibraries`): the window counts what ran between open and close, per CALL.
 */
import pg from 'pg';
import { startPostgres, type PostgresServer } from '@csms/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPgStatements, OWN, PgStatementsWindow } from '../../bench/pg-statements.js';

let server: PostgresServer;
let url: string;

beforeAll(async () => {
  server = await startPostgres({ preloadLibraries: ['pg_stat_statements'] });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('create database stmts');
  await admin.end();
  url = server.url.replace(/\/postgres$/, '/stmts');
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

/**
 * Waits until table t's counter `column` reads `value`: a backend flushes its counters when it goes idle (at most
 * once a second unless forced) or exits, asynchronously to its client.
 */
async function counted(databaseUrl: string, column: 'n_tup_ins' | 'n_tup_del', value: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await client.query<{ n: string }>(
        `select ${column} as n from pg_stat_user_tables where relname = 't' ${OWN}`,
      );
      if (Number(rows[0]?.n) === value) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${column} of t did not reach ${value} within 10 s`);
  } finally {
    await client.end();
  }
}

describe('PgStatementsWindow', () => {
  it('reports the statements run inside the window per answered CALL, not those before it', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('create table t (id integer primary key, v text)');
    await client.query('insert into t values (0, $1)', ['before the window']);
    await client.query('select pg_stat_force_next_flush()');
    await counted(url, 'n_tup_ins', 1);
    const window = new PgStatementsWindow(url);
    await window.open();
    for (let i = 1; i <= 10; i++) await client.query('insert into t values ($1, $2)', [i, `row ${i}`]);
    for (let i = 0; i < 5; i++) await client.query('select v from t where id = $1', [i]);
    // v is not indexed: HOT; id is the primary key: a new index entry (not HOT).
    await client.query(`update t set v = 'hot' where id = 1`);
    await client.query('update t set id = 100 where id = 2');
    await client.query('delete from t where id = 3');
    await client.end(); // its backend reports its commits and table counters as it exits
    await counted(url, 'n_tup_del', 1);
    const result = await window.close(5);
    expect(result.database).toBe('stmts');
    expect(result.answered).toBe(5);
    const insert = result.top.find((r) => r.query.startsWith('insert into t'));
    expect(insert).toMatchObject({ calls: 10, perCall: 2, rows: 10 });
    expect(insert!.execMicrosPerCall).toBeGreaterThan(0);
    expect(result.top.find((r) => r.query.startsWith('select v from t'))).toMatchObject({
      calls: 5,
      perCall: 1,
    });
    expect(result.top.some((r) => r.query.startsWith('create table'))).toBe(false);
    expect(insert!.walBytesEach).toBeGreaterThan(0);
    expect(result.statementsPerCall).toBe(3.6);
    expect(result.tables).toEqual([
      { table: 't', insertsPerCall: 2, updatesPerCall: 0.4, hotShare: 0.5, deletesPerCall: 0.2 },
    ]);
    expect(result.wal.recordsPerCall).toBeGreaterThan(2);
    expect(result.wal.bytesPerCall).toBeGreaterThan(0);
    // This test server runs with fsync off (the benchmark's is durable), so no flush reached the disk.
    expect(result.wal.syncsPerCall).toBe(0);
    // Every statement ran alone, so each committed (the window's own queries may add a few).
    expect(result.commitsPerCall).toBeGreaterThanOrEqual(3);
    const report = formatPgStatements(result).join('\n');
    expect(report).toMatch(
      /3\.6 statements, [\d.]+ commits and [\d.]+ µs of execution per CALL \(5 CALLs answered\)/,
    );
    expect(report).toMatch(/insert into t values \(\$1, \$2\)\s+10\s+2\.000/);
    expect(report).toMatch(/full-page images and [\d.]+ flushes per CALL/);
    expect(report).toMatch(/\nt\s+2\.000\s+0\.400\s+50%\s+0\.200/);
  });
});
