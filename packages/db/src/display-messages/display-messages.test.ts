import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import { upsertStation } from '../stations/stations.js';
import {
  listDisplayMessages,
  removeDisplayMessage,
  storeAcceptedDisplayMessage,
  type DisplayMessageFilter,
} from './display-messages.js';
import {
  findDisplayMessageRequest,
  recordDisplayMessagesAnswer,
  startDisplayMessageRequest,
  storeDisplayMessagesPart,
} from './message-reports.js';

/** A MessageInfoType as the CSMS sets it or a station reports it. */
function msg(id: number, extra: Partial<V201.MessageInfoType> = {}): V201.MessageInfoType {
  return { id, priority: 'NormalCycle', message: { format: 'UTF8', content: `message ${id}` }, ...extra };
}

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

describe.each([['postgres'], ['pglite-memory']] as const)('display messages on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });

  const ids = async (stationId: string, filter: DisplayMessageFilter = {}, now?: Date) =>
    (await listDisplayMessages(handle.db, stationId, filter, undefined, 100, now)).map((r) => r.message_id);
  const station = async (id: string) => {
    await upsertStation(handle.db, { id, securityProfile: 0 });
    return id;
  };

  it('stores accepted messages with their fields, replaces by id (O06.FR.01) and removes on clear (O05)', async () => {
    const s = await station('DM-STORE');
    const display = { name: 'Display', instance: 'front', evse: { id: 1 } };
    await storeAcceptedDisplayMessage(
      handle.db,
      s,
      msg(2, {
        priority: 'InFront',
        state: 'Charging',
        startDateTime: '2031-01-01T10:00:00.000Z',
        endDateTime: '2099-01-01T10:00:00.000Z',
        message: { format: 'HTML', language: 'en', content: '<b>hi</b>' },
        display,
      }),
    );
    await storeAcceptedDisplayMessage(handle.db, s, msg(1));
    const [one, two] = await listDisplayMessages(handle.db, s, {}, undefined, 10);
    expect(one).toMatchObject({ message_id: 1, priority: 'NormalCycle', state: null, display: null });
    expect(two).toMatchObject({
      message_id: 2,
      priority: 'InFront',
      state: 'Charging',
      format: 'HTML',
      language: 'en',
      content: '<b>hi</b>',
      display,
      request_id: null,
      start_date_time: new Date('2031-01-01T10:00:00.000Z'),
      end_date_time: new Date('2099-01-01T10:00:00.000Z'),
    });
    await storeAcceptedDisplayMessage(handle.db, s, msg(2, { message: { format: 'ASCII', content: 'new' } }));
    const replaced = await listDisplayMessages(handle.db, s, { ids: [2] }, undefined, 10);
    expect(replaced).toMatchObject([{ message_id: 2, state: null, format: 'ASCII', content: 'new' }]);
    expect(await removeDisplayMessage(handle.db, s, 2)).toBe(true);
    expect(await removeDisplayMessage(handle.db, s, 2)).toBe(false);
    expect(await ids(s)).toEqual([1]);
  });

  it('a new AlwaysFront message replaces the one already set (O01.FR.16)', async () => {
    const s = await station('DM-FRONT');
    await storeAcceptedDisplayMessage(handle.db, s, msg(1, { priority: 'AlwaysFront' }));
    await storeAcceptedDisplayMessage(handle.db, s, msg(2, { priority: 'InFront' }));
    await storeAcceptedDisplayMessage(handle.db, s, msg(3, { priority: 'AlwaysFront' }));
    expect(await ids(s)).toEqual([2, 3]);
  });

  it('filters, pages, and leaves out expired messages and those of ended transactions (O01.FR.07, O02.FR.02)', async () => {
    const s = await station('DM-LIST');
    await storeAcceptedDisplayMessage(handle.db, s, msg(1, { state: 'Idle' }));
    await storeAcceptedDisplayMessage(handle.db, s, msg(2, { priority: 'InFront', state: 'Idle' }));
    await storeAcceptedDisplayMessage(handle.db, s, msg(3, { endDateTime: '2031-01-01T00:00:00.000Z' }));
    await storeAcceptedDisplayMessage(handle.db, s, msg(4, { transactionId: 'TX-ACTIVE' }));
    await storeAcceptedDisplayMessage(handle.db, s, msg(5, { transactionId: 'TX-ENDED' }));
    for (const [transactionId, state] of [
      ['TX-ACTIVE', 'active'],
      ['TX-ENDED', 'ended'],
    ] as const)
      await handle.db
        .insertInto('transactions')
        .values({ station_id: s, transaction_id: transactionId, ocpp_version: 'ocpp2.0.1', state })
        .execute();
    expect(await ids(s, {}, new Date('2030-12-31T00:00:00.000Z'))).toEqual([1, 2, 3, 4]);
    expect(await ids(s, {}, new Date('2031-01-01T00:00:00.000Z'))).toEqual([1, 2, 4]);
    expect(await ids(s, { state: 'Idle' })).toEqual([1, 2]);
    expect(await ids(s, { state: 'Idle', priority: 'InFront' })).toEqual([2]);
    expect(await ids(s, { ids: [1, 4, 9] })).toEqual([1, 4]);
    expect(await ids(s, { transactionId: 'TX-ACTIVE' })).toEqual([4]);
    const page = await listDisplayMessages(handle.db, s, {}, 1, 2, new Date('2031-01-01T00:00:00.000Z'));
    expect(page.map((r) => r.message_id)).toEqual([2, 4]);
  });

  it("reconciles a whole report with the request's criteria, keeping messages set meanwhile (O03, O04)", async () => {
    const s = await station('DM-REPORT');
    await storeAcceptedDisplayMessage(handle.db, s, msg(1, { priority: 'InFront' }));
    await storeAcceptedDisplayMessage(handle.db, s, msg(2, { priority: 'InFront' }));
    await storeAcceptedDisplayMessage(handle.db, s, msg(3, { priority: 'NormalCycle' }));
    expect(await startDisplayMessageRequest(handle.db, s, 7, { priority: 'InFront' })).toBe(true);
    expect(await startDisplayMessageRequest(handle.db, s, 7, {})).toBe(false);
    await recordDisplayMessagesAnswer(handle.db, s, 7, 'Accepted');
    // Set after the request was made: not in the report, but kept.
    await storeAcceptedDisplayMessage(handle.db, s, msg(4, { priority: 'InFront' }));
    const reported = msg(2, { priority: 'InFront', message: { format: 'URI', content: 'https://x/y' } });
    await storeDisplayMessagesPart(handle.db, {
      stationId: s,
      requestId: 7,
      messages: [reported],
      tbc: true,
    });
    expect(await ids(s)).toEqual([1, 2, 3, 4]);
    expect((await findDisplayMessageRequest(handle.db, s, 7))?.complete).toBe(false);
    await storeDisplayMessagesPart(handle.db, {
      stationId: s,
      requestId: 7,
      messages: [msg(8, { priority: 'InFront' })],
      tbc: false,
    });
    expect(await findDisplayMessageRequest(handle.db, s, 7)).toMatchObject({
      status: 'Accepted',
      complete: true,
      criteria: { priority: 'InFront' },
    });
    const rows = await listDisplayMessages(handle.db, s, {}, undefined, 10);
    expect(rows.map((r) => [r.message_id, r.request_id, r.content])).toEqual([
      [2, 7, 'https://x/y'],
      [3, null, 'message 3'],
      [4, null, 'message 4'],
      [8, 7, 'message 8'],
    ]);
  });

  it('an Unknown answer empties the criteria; a report of an unrecorded request removes nothing', async () => {
    const s = await station('DM-UNKNOWN');
    await storeAcceptedDisplayMessage(handle.db, s, msg(1));
    await storeAcceptedDisplayMessage(handle.db, s, msg(2));
    await startDisplayMessageRequest(handle.db, s, 1, { id: [2] });
    await recordDisplayMessagesAnswer(handle.db, s, 1, 'Unknown');
    expect(await findDisplayMessageRequest(handle.db, s, 1)).toMatchObject({ complete: true });
    expect(await ids(s)).toEqual([1]);
    await storeDisplayMessagesPart(handle.db, {
      stationId: s,
      requestId: 99,
      messages: [msg(5)],
      tbc: false,
    });
    expect(await ids(s)).toEqual([1, 5]);
    expect(await findDisplayMessageRequest(handle.db, s, 99)).toMatchObject({
      criteria: null,
      complete: true,
    });
    // A retried last part reconciles nothing more.
    await startDisplayMessageRequest(handle.db, s, 2, {});
    await storeDisplayMessagesPart(handle.db, { stationId: s, requestId: 2, messages: [msg(1)], tbc: false });
    expect(await ids(s)).toEqual([1]);
    await storeAcceptedDisplayMessage(handle.db, s, msg(6));
    await storeDisplayMessagesPart(handle.db, { stationId: s, requestId: 2, messages: [msg(1)], tbc: false });
    expect(await ids(s)).toEqual([1, 6]);
    await handle.db.deleteFrom('stations').where('id', '=', s).execute();
    expect(await ids(s)).toEqual([]);
  });
});
