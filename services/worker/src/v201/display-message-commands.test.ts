import { findDisplayMessageRequest, listDisplayMessages, upsertStation } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type Responder, type WorkerHarness } from '../testing/worker-harness.js';
import { bootRequest } from './testing.js';

function msg(id: number, extra: Partial<V201.MessageInfoType> = {}): V201.MessageInfoType {
  return { id, priority: 'NormalCycle', message: { format: 'UTF8', content: `message ${id}` }, ...extra };
}

describe('OCPP 2.0.1 display message commands, however sent (O01-O06 after-command hooks)', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await startWorkerHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** A booted station answering every CSMS CALL with `answers[action]` (a CALLRESULT payload). */
  async function station(id: string, answers: Record<string, Record<string, unknown>>) {
    await upsertStation(h.database.db, { id, securityProfile: 0 });
    const answer: Responder = (call) => ({ type: 'result', payload: answers[call.action] ?? {} });
    const cs = await h.connect(id, 'ocpp2.0.1', { answer });
    await cs.ok('BootNotification', { ...bootRequest() });
    return { cs, answers };
  }
  const ids = async (stationId: string) =>
    (await listDisplayMessages(h.database.db, stationId, {}, undefined, 100)).map((r) => r.message_id);

  it('an Accepted SetDisplayMessage is stored, other statuses are not; an Accepted clear removes it', async () => {
    const { cs, answers } = await station('DMC-SET', {
      SetDisplayMessage: { status: 'Accepted' },
      ClearDisplayMessage: { status: 'Unknown' },
    });
    expect(await cs.command('SetDisplayMessage', { message: msg(1) })).toMatchObject({ status: 'result' });
    answers.SetDisplayMessage = { status: 'NotSupportedState' };
    await cs.command('SetDisplayMessage', { message: msg(2, { state: 'Faulted' }) });
    expect(await ids('DMC-SET')).toEqual([1]);
    await cs.command('ClearDisplayMessage', { id: 1 });
    expect(await ids('DMC-SET')).toEqual([1]);
    answers.ClearDisplayMessage = { status: 'Accepted' };
    await cs.command('ClearDisplayMessage', { id: 1 });
    expect(await ids('DMC-SET')).toEqual([]);
  });

  it('a GetDisplayMessages sent another way records its criteria: Unknown empties them, a report reconciles them', async () => {
    const { cs, answers } = await station('DMC-GET', {
      SetDisplayMessage: { status: 'Accepted' },
      GetDisplayMessages: { status: 'Unknown' },
    });
    for (const m of [msg(1, { priority: 'InFront' }), msg(2, { priority: 'InFront' }), msg(3)])
      await cs.command('SetDisplayMessage', { message: m });
    await cs.command('GetDisplayMessages', { requestId: 11, id: [2] });
    expect(await findDisplayMessageRequest(h.database.db, 'DMC-GET', 11)).toMatchObject({
      criteria: { id: [2] },
      status: 'Unknown',
      complete: true,
    });
    expect(await ids('DMC-GET')).toEqual([1, 3]);
    answers.GetDisplayMessages = { status: 'Accepted' };
    await cs.command('GetDisplayMessages', { requestId: 12, priority: 'InFront' });
    expect(await ids('DMC-GET')).toEqual([1, 3]);
    expect(
      await cs.ok('NotifyDisplayMessages', { requestId: 12, messageInfo: [msg(4, { priority: 'InFront' })] }),
    ).toEqual({});
    expect(await ids('DMC-GET')).toEqual([3, 4]);
  });
});
