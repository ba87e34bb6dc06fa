import {
  findDisplayMessageRequest,
  listDisplayMessages,
  startDisplayMessageRequest,
  storeAcceptedDisplayMessage,
} from '@csms/db';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from '../testing/worker-harness.js';
import { bootedStation } from './testing.js';

function msg(id: number, extra: Partial<V201.MessageInfoType> = {}): V201.MessageInfoType {
  return { id, priority: 'InFront', message: { format: 'UTF8', content: `message ${id}` }, ...extra };
}

function part(requestId: number, messageInfo: V201.MessageInfoType[], tbc?: boolean) {
  const request: V201.NotifyDisplayMessagesRequest = {
    requestId,
    ...(messageInfo.length > 0 ? { messageInfo } : {}),
    ...(tbc !== undefined ? { tbc } : {}),
  };
  return { ...request };
}

describe('OCPP 2.0.1 NotifyDisplayMessages (O03/O04)', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await startWorkerHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const catalogue = async (stationId: string) =>
    (await listDisplayMessages(h.database.db, stationId, {}, undefined, 100)).map((r) => [
      r.message_id,
      r.request_id,
      r.content,
    ]);

  it("writes each part to the catalogue and reconciles it with the request's criteria on the last part (O03.FR.04)", async () => {
    const cs = await bootedStation(h, 'NDM-PARTS');
    const db = h.database.db;
    await storeAcceptedDisplayMessage(db, 'NDM-PARTS', msg(1));
    await storeAcceptedDisplayMessage(db, 'NDM-PARTS', msg(2));
    await storeAcceptedDisplayMessage(db, 'NDM-PARTS', msg(3, { priority: 'NormalCycle' }));
    await startDisplayMessageRequest(db, 'NDM-PARTS', 41, { priority: 'InFront' });
    const reported = msg(2, { message: { format: 'ASCII', content: 'as the station has it' } });
    expect(await cs.ok('NotifyDisplayMessages', part(41, [reported], true))).toEqual({});
    // Not whole yet: nothing removed.
    expect(await catalogue('NDM-PARTS')).toEqual([
      [1, null, 'message 1'],
      [2, 41, 'as the station has it'],
      [3, null, 'message 3'],
    ]);
    expect((await findDisplayMessageRequest(db, 'NDM-PARTS', 41))?.complete).toBe(false);
    expect(await cs.ok('NotifyDisplayMessages', part(41, [msg(7)]))).toEqual({});
    // InFront message 1 was not reported: the station no longer has it; NormalCycle 3 was not asked for.
    expect(await catalogue('NDM-PARTS')).toEqual([
      [2, 41, 'as the station has it'],
      [3, null, 'message 3'],
      [7, 41, 'message 7'],
    ]);
    expect((await findDisplayMessageRequest(db, 'NDM-PARTS', 41))?.complete).toBe(true);
    // Still stored as received, as before.
    const stored = await db
      .selectFrom('station_notifications')
      .select('payload')
      .where('station_id', '=', 'NDM-PARTS')
      .where('action', '=', 'NotifyDisplayMessages')
      .execute();
    expect(stored.map((r) => r.payload)).toEqual([part(41, [reported], true), part(41, [msg(7)])]);
  });

  it('a retried last part changes nothing more; a report of a request the CSMS did not record removes nothing', async () => {
    const cs = await bootedStation(h, 'NDM-RETRY');
    const db = h.database.db;
    await startDisplayMessageRequest(db, 'NDM-RETRY', 5, {});
    await storeAcceptedDisplayMessage(db, 'NDM-RETRY', msg(1));
    const last = part(5, [msg(2)]);
    expect(await cs.call('NotifyDisplayMessages', last, 'ndm-1')).toMatchObject({ type: 'result' });
    expect(await catalogue('NDM-RETRY')).toEqual([
      [1, null, 'message 1'],
      [2, 5, 'message 2'],
    ]);
    await storeAcceptedDisplayMessage(db, 'NDM-RETRY', msg(9));
    await db
      .deleteFrom('display_messages')
      .where('station_id', '=', 'NDM-RETRY')
      .where('message_id', '=', 1)
      .execute();
    await storeAcceptedDisplayMessage(db, 'NDM-RETRY', msg(1));
    expect(await cs.call('NotifyDisplayMessages', last, 'ndm-1')).toMatchObject({ type: 'result' });
    expect((await catalogue('NDM-RETRY')).map(([id]) => id)).toEqual([1, 2, 9]);
    // requestId 77 was sent another way (e.g. the generic Call): its criteria are unknown.
    expect(await cs.ok('NotifyDisplayMessages', part(77, [msg(3)]))).toEqual({});
    expect((await catalogue('NDM-RETRY')).map(([id]) => id)).toEqual([1, 2, 3, 9]);
    // An empty report (no messageInfo) of all messages empties the catalogue of what was confirmed before.
    await startDisplayMessageRequest(db, 'NDM-RETRY', 6, {});
    expect(await cs.ok('NotifyDisplayMessages', part(6, []))).toEqual({});
    expect(await catalogue('NDM-RETRY')).toEqual([]);
  });
});
