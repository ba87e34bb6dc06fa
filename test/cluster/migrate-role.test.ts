/**
 * `csms migrate` (the Kubernetes release job): migrates an empty database and exits 0, a second run is a
 * no-op, and without a PostgreSQL URL it exits 2 with a message. Runs the built `csms` command.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openDatabase, sql } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const MAIN = fileURLToPath(new URL('../../apps/csms/dist/main.js', import.meta.url));
const run = promisify(execFile);

describe('csms migrate', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  const migrate = (env: Record<string, string>) =>
    run(process.execPath, [MAIN, 'migrate'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 60_000,
    });

  it('migrates an empty database, exits 0, and a second run applies nothing', async () => {
    const first = await migrate({ CSMS_DATABASE_URL: database.url });
    expect(first.stdout).toMatch(/"msg":"migrations applied"/);
    const handle = await openDatabase({ kind: 'postgres', url: database.url, poolSize: 1 });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from csms_migration`.execute(
      handle.db,
    );
    await handle.close();
    expect(rows[0]?.n).toBeGreaterThanOrEqual(6);
    const second = await migrate({ CSMS_DATABASE_URL: database.url });
    expect(second.stdout).toMatch(/"applied":\[\],"msg":"schema already up to date"/);
  });

  it('without CSMS_DATABASE_URL it exits 2 and says what is missing', async () => {
    const failure = await migrate({}).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/CSMS_DATABASE_URL \(PostgreSQL\) is required for the migrate role/);
  });
});
