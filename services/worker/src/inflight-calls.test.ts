/**
 * A CALL the edge re-sends while the worker is still handling (or queueing) the first copy is joined to
 * it: handled once, both requests answered with the one outcome. Real worker, real in-memory bus, PGlite.
 */
import { upsertStation } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type SimulatedStation, type WorkerHarness } from './testing/worker-harness.js';

const BOOT = { chargePointVendor: 'VendorX', chargePointModel: 'ModelY' };

let h: WorkerHarness;
/** Every call of the clock is a new millisecond: a handler that ran twice answers two different times. */
let tick = 0;

beforeAll(async () => {
  h = await startWorkerHarness({ now: () => new Date(Date.UTC(2026, 0, 1) + ++tick) });
});
afterAll(async () => {
  await h.close();
});

async function accepted(id: string): Promise<SimulatedStation> {
  await upsertStation(h.database.db, { id, securityProfile: 0 });
  const station = await h.connect(id, 'ocpp1.6');
  expect(await station.ok('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
  return station;
}

describe('re-sent station CALLs', () => {
  it('joins a copy that arrives while the first is in flight: handled once, both answered alike', async () => {
    const station = await accepted('CP-JOIN');
    const joinedBefore = h.worker.joinedCalls;
    // A CALL waiting in the mailbox behind a slower one, then its re-sent copy (the edge's next attempt).
    const ahead = station.call('StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Available',
    });
    const first = station.call('Heartbeat', {}, 'hb-1');
    const copy = station.call('Heartbeat', {}, 'hb-1');
    const [, a, b] = await Promise.all([ahead, first, copy]);
    expect(a).toMatchObject({ type: 'result' });
    expect(b).toEqual(a);
    expect(h.worker.joinedCalls - joinedBefore).toBe(1);
  });

  it('handles CALLs with different message ids, or a copy sent after the answer, again', async () => {
    const station = await accepted('CP-NOJOIN');
    const joinedBefore = h.worker.joinedCalls;
    const [a, b] = await Promise.all([
      station.call('Heartbeat', {}, 'x-1'),
      station.call('Heartbeat', {}, 'x-2'),
    ]);
    expect(a).toMatchObject({ type: 'result' });
    expect(b).toMatchObject({ type: 'result' });
    // Two handler runs, two clock readings (this is what makes the joined case above able to fail).
    expect(b).not.toEqual(a);
    const again = await station.call('Heartbeat', {}, 'x-1');
    expect(again).toMatchObject({ type: 'result' });
    expect(again).not.toEqual(a);
    expect(h.worker.joinedCalls).toBe(joinedBefore);
  });

  it('does not join the same message id of another connection of the station', async () => {
    const first = await accepted('CP-RECONNECT');
    const second = await h.connect('CP-RECONNECT', 'ocpp1.6');
    const joinedBefore = h.worker.joinedCalls;
    const [a, b] = await Promise.all([
      first.call('Heartbeat', {}, 'same'),
      second.call('Heartbeat', {}, 'same'),
    ]);
    expect(a).toMatchObject({ type: 'result' });
    expect(b).toMatchObject({ type: 'result' });
    expect(b).not.toEqual(a);
    expect(h.worker.joinedCalls).toBe(joinedBefore);
  });
});
