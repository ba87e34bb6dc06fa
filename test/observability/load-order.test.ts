/**
 * The pg and gRPC instrumentations patch their modules when those are loaded: `startTelemetry` must run before
 * anything loads `pg` or `@grpc/grpc-js`. Checked in fresh processes (a test file's module graph is shared).
 */
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const run = promisify(execFile);
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

async function spansOf(mode: 'telemetry-first' | 'modules-first'): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', join(here, 'fixtures', 'load-order-child.ts'), mode],
    { cwd: root, env: { ...process.env, LOAD_ORDER_PG_URL: database.url }, timeout: 60_000 },
  );
  const last = stdout.trim().split('\n').at(-1) ?? '[]';
  return JSON.parse(last) as string[];
}

describe('startTelemetry before pg and @grpc/grpc-js are loaded', () => {
  it('records pg query spans and gRPC client and server spans', async () => {
    const spans = await spansOf('telemetry-first');
    expect(spans).toContain('root');
    expect(spans.filter((s) => s.startsWith('pg.query'))).not.toEqual([]);
    expect(spans.filter((s) => s === 'grpc.csms.station.v1.StationService/GetStation').length).toBe(2);
  });

  it('records neither when the modules were loaded first (why main.ts must start telemetry first)', async () => {
    const spans = await spansOf('modules-first');
    expect(spans).toContain('root');
    expect(spans.filter((s) => s.startsWith('pg.') || s.startsWith('grpc.'))).toEqual([]);
  });
});
