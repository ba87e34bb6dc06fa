import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from './database.js';
import { pruneHistory } from './retention.js';
import { storeDeviceEvent, storeSecurityEvent } from './station-reports/device-reports.js';
import { storeStationNotification } from './station-reports/notifications.js';
import { upsertStation } from './stations/stations.js';

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

const DAY = 86_400_000;

describe.each([['postgres'], ['pglite-memory']] as const)('history retention on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });

  /** Dates every row of `table` for the station `daysAgo` days back. */
  const age = (table: string, stationId: string, daysAgo: number) =>
    sql`update ${sql.table(table)} set received_at = now() - make_interval(days => ${daysAgo})
        where station_id = ${stationId}`.execute(handle.db);
  const count = async (table: string, stationId: string) =>
    Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from ${sql.table(table)} where station_id = ${stationId}`.execute(handle.db)
      ).rows[0]!.n,
    );

  it('deletes notifications and events older than the cutoff in batches, keeps newer ones and device reports', async () => {
    const { db } = handle;
    for (const id of ['RET-OLD', 'RET-NEW']) await upsertStation(db, { id, securityProfile: 0 });
    for (const id of ['RET-OLD', 'RET-NEW']) {
      for (let i = 0; i < 5; i++) await storeStationNotification(db, id, 'NotifyChargingLimit', { i });
      await storeDeviceEvent(db, {
        stationId: id,
        seqNo: 0,
        generatedAt: new Date(),
        tbc: false,
        eventData: [],
      });
      await storeSecurityEvent(db, {
        stationId: id,
        type: 'StartupOfTheDevice',
        timestamp: new Date(),
        techInfo: null,
      });
    }
    for (const table of ['station_notifications', 'device_events', 'security_events'])
      await age(table, 'RET-OLD', 100);
    // Batches of 2: the five old notifications go in three statements.
    const deleted = await pruneHistory(db, { history: new Date(Date.now() - 90 * DAY) }, 2);
    expect(deleted).toMatchObject({ station_notifications: 5, device_events: 1 });
    expect(deleted.security_events).toBeUndefined();
    expect(await count('station_notifications', 'RET-OLD')).toBe(0);
    expect(await count('station_notifications', 'RET-NEW')).toBe(5);
    expect(await count('device_events', 'RET-NEW')).toBe(1);
    // The security log has a retention of its own.
    expect(await count('security_events', 'RET-OLD')).toBe(1);
    await pruneHistory(db, { securityEvents: new Date(Date.now() - 90 * DAY) }, 100);
    expect(await count('security_events', 'RET-OLD')).toBe(0);
    expect(await count('security_events', 'RET-NEW')).toBe(1);
  });

  it('stops between batches when asked to', async () => {
    const { db } = handle;
    await upsertStation(db, { id: 'RET-STOP', securityProfile: 0 });
    for (let i = 0; i < 4; i++) await storeStationNotification(db, 'RET-STOP', 'NotifyEvent', { i });
    await age('station_notifications', 'RET-STOP', 100);
    let batches = 0;
    const deleted = await pruneHistory(db, { history: new Date(Date.now() - DAY) }, 1, () => batches++ >= 2);
    expect(deleted.station_notifications).toBe(2);
    expect(await count('station_notifications', 'RET-STOP')).toBe(2);
  });
});
