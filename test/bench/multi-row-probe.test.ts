/**
 * bench/multi-row-probe.ts against a real PostgreSQL server: both forms store every row, linked to its
 * station's transaction, and the report has one line per batch size.
 */
import pg from 'pg';
import { startPostgres, type PostgresServer } from '@csms/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProbe, runMultiRowProbe } from '../../bench/multi-row-probe.js';

let server: PostgresServer;
let url: string;

beforeAll(async () => {
  server = await startPostgres();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('create database probe');
  await admin.end();
  url = server.url.replace(/\/postgres$/, '/probe');
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('runMultiRowProbe', () => {
  it('stores each batch as single-row statements and as one multi-row statement, every row linked', async () => {
    const rows = await runMultiRowProbe(url, { sizes: [1, 4], rounds: 5, repeat: 1, stations: 3 });
    // Per size: a warm-up and one measurement of each form, `rounds` batches of `size` rows each.
    expect(rows.map((r) => [r.size, r.rowsStored])).toEqual([
      [1, 10],
      [4, 40],
    ]);
    for (const r of rows) {
      expect(Number.isFinite(r.singleMicrosPerRow) && r.singleMicrosPerRow >= 0).toBe(true);
      expect(Number.isFinite(r.mergedMicrosPerRow) && r.mergedMicrosPerRow >= 0).toBe(true);
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows: counts } = await client.query<{ total: string; linked: string }>(
        `select count(*) as total, count(transaction_ref) as linked from meter_values`,
      );
      // Warm-ups included: 2 × (5 + 5) rows of size 1, 2 × (20 + 20) of size 4.
      expect(counts[0]).toEqual({ total: '100', linked: '100' });
    } finally {
      await client.end();
    }
    const report = formatProbe(rows).join('\n');
    expect(report).toMatch(/rows per batch/);
    expect(report.split('\n').filter((l) => /^\s*4\s/.test(l))).toHaveLength(1);
  });
});
