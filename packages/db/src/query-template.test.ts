import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from './database.js';
import { queryTemplate } from './query-template.js';
import { upsertStation } from './stations/stations.js';

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

// A parameter used twice, a constant of the builder, a value inside a `sql` template.
const touch = queryTemplate((db, p: { id: string; at: Date }) =>
  db
    .updateTable('stations')
    .set({ last_heartbeat_at: p.at, updated_at: p.at })
    .where('id', '=', p.id)
    .where(sql<boolean>`${p.id} <> ${'never-this-id'}`)
    .returning(['id', 'last_heartbeat_at']),
);

describe.each([['postgres'], ['pglite-memory']] as const)('queryTemplate on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
    for (const id of ['QT-1', 'QT-2']) await upsertStation(handle.db, { id, securityProfile: 0 });
  });
  afterAll(async () => {
    await handle.close();
  });

  it('compiles to the SQL Kysely builds, once, with placeholders for the parameters', () => {
    const built = handle.db
      .updateTable('stations')
      .set({ last_heartbeat_at: new Date(0), updated_at: new Date(0) })
      .where('id', '=', 'x')
      .where(sql<boolean>`${'x'} <> ${'never-this-id'}`)
      .returning(['id', 'last_heartbeat_at'])
      .compile();
    expect(touch.sql).toBe(built.sql);
  });

  it('runs with each call’s values on the handle, in a transaction and on the autocommit handle', async () => {
    const a = new Date('2031-01-01T00:00:00Z');
    const b = new Date('2031-01-02T00:00:00Z');
    expect((await touch.run(handle.db, { id: 'QT-1', at: a })).rows).toEqual([
      { id: 'QT-1', last_heartbeat_at: a },
    ]);
    const inTx = await handle.db.transaction().execute((trx) => touch.run(trx, { id: 'QT-2', at: b }));
    expect(inTx.rows).toEqual([{ id: 'QT-2', last_heartbeat_at: b }]);
    expect(inTx.numAffectedRows).toBe(1n);
    expect((await touch.run(handle.autocommitDb, { id: 'QT-1', at: b })).rows).toEqual([
      { id: 'QT-1', last_heartbeat_at: b },
    ]);
    // The builder's own constant stays a constant: a row with that id would not match.
    expect((await touch.run(handle.db, { id: 'missing', at: a })).rows).toEqual([]);
    const rows = await handle.db
      .selectFrom('stations')
      .select(['id', 'updated_at'])
      .where('id', 'like', 'QT-%')
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 'QT-1', updated_at: b },
      { id: 'QT-2', updated_at: b },
    ]);
  });
});
