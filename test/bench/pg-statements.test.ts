/**
 * `--pg-statements` (bench/pg-statements.ts) against a real PostgreSQL server started with pg_stat_statements
 * preloaded (@csms/test-servers `preloadLibraries`): the window counts what ran between open and close, per CALL.
 */
import pg from 'pg';
import { startPostgres, type PostgresServer } from '@csms/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPgStatements, PgStatementsWindow } from '../../bench/pg-statements.js';

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

describe('PgStatementsWindow', () => {
  it('reports the statements run inside the window per answered CALL, not those before it', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('create table t (id integer primary key, v text)');
    await client.query('insert into t values (0, $1)', ['before the window']);
    const window = new PgStatementsWindow(url);
    await window.open();
    for (let i = 1; i <= 10; i++) await client.query('insert into t values ($1, $2)', [i, `row ${i}`]);
    for (let i = 0; i < 5; i++) await client.query('select v from t where id = $1', [i]);
    await client.end(); // its backend reports its commits as it exits
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
    expect(result.statementsPerCall).toBe(3);
    // Every statement ran alone, so each committed (the window's own queries may add a few).
    expect(result.commitsPerCall).toBeGreaterThanOrEqual(3);
    const report = formatPgStatements(result).join('\n');
    expect(report).toMatch(
      /3 statements, [\d.]+ commits and [\d.]+ µs of execution per CALL \(5 CALLs answered\)/,
    );
    expect(report).toMatch(/insert into t values \(\$1, \$2\)\s+10\s+2\.000/);
  });
});
