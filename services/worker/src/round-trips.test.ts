/**
 * Round trips to PostgreSQL per station CALL of the benchmark's traffic (BENCHMARKS.md: a round trip is a socket
 * write, a backend wake-up and a reply to parse, the main cost of a CALL). The counts are what the handlers need
 * today; a change that adds one fails here and must say why, one that saves one lowers the count.
 *
 * Counted by observing `pg.Client#query` (every statement, pipeline and commit of the pools goes through it; the
 * calls pass through unchanged to the real PostgreSQL). One warm-up cycle first: caches filled on first use (the
 * tariffs' existence, prepared statements) are not per-CALL costs.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import type { SimulatedStation, WorkerHarness } from './testing/worker-harness.js';
import { sample, startTransactionHarness, transactionTools, type StartAnswer } from './v16/testing.js';
import { bootedStation } from './v201/testing.js';

let db: TestDatabase;
let h: WorkerHarness;
let roundTrips = 0;
const query = Object.getOwnPropertyDescriptor(pg.Client.prototype, 'query');

beforeAll(async () => {
  db = await createTestDatabase();
  h = await startTransactionHarness({ kind: 'postgres', url: db.url }, []);
  const original = query?.value as (this: pg.Client, ...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    roundTrips++;
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
});
afterAll(async () => {
  if (query) Object.defineProperty(pg.Client.prototype, 'query', query);
  await h?.close();
  await db?.drop();
});

/** Runs one CALL of a session and counts its round trips. */
type Count = (call: () => Promise<unknown>) => Promise<void>;

/** Round trips of each CALL of `session`, in order (the CALLs run one at a time: none shares a group commit). */
async function countEach(session: (count: Count) => Promise<void>): Promise<number[]> {
  const counts: number[] = [];
  await session(async (call) => {
    roundTrips = 0;
    await call();
    counts.push(roundTrips);
  });
  return counts;
}

describe('round trips to PostgreSQL per CALL', () => {
  it('OCPP 1.6: Heartbeat, StatusNotification, Authorize, MeterValues 1; StartTransaction 4; StopTransaction 3', async () => {
    const station = await transactionTools(() => h).accepted('CP-RT16');
    await countEach((count) => session16(station, 0, count));
    expect(await countEach((count) => session16(station, 1, count))).toEqual([1, 1, 1, 4, 1, 3]);
  });

  it('OCPP 2.0.1: Heartbeat, StatusNotification, Authorize, periodic TransactionEvent 1; Started 4; Ended 4', async () => {
    const station = await bootedStation(h, 'CP-RT201');
    await countEach((count) => session201(station, 0, count));
    expect(await countEach((count) => session201(station, 1, count))).toEqual([1, 1, 1, 4, 1, 4]);
  });
});

async function session16(s: SimulatedStation, i: number, count: Count): Promise<void> {
  const at = (seconds: number) => `2025-06-01T10:0${i}:${seconds}.000Z`;
  await count(() => s.ok('Heartbeat', {}));
  await count(() =>
    s.ok('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' }),
  );
  await count(() => s.ok('Authorize', { idTag: 'DRIVER1' }));
  let start: StartAnswer | undefined;
  await count(async () => {
    start = await s.ok<StartAnswer>('StartTransaction', {
      connectorId: 1,
      idTag: 'DRIVER1',
      meterStart: 1000,
      timestamp: at(10),
    });
  });
  const transactionId = start?.transactionId;
  await count(() =>
    s.ok('MeterValues', { connectorId: 1, transactionId, meterValue: [sample(at(30), '1200')] }),
  );
  await count(() =>
    s.ok('StopTransaction', { transactionId, meterStop: 2000, timestamp: at(50), idTag: 'DRIVER1' }),
  );
}

async function session201(s: SimulatedStation, i: number, count: Count): Promise<void> {
  const idToken = { idToken: 'DRIVER1', type: 'ISO14443' };
  const event = (eventType: string, seqNo: number, triggerReason: string, extra: object = {}) => {
    const timestamp = `2025-06-01T10:0${i}:1${seqNo}.000Z`;
    return {
      eventType,
      timestamp,
      triggerReason,
      seqNo,
      transactionInfo: {
        transactionId: `RT-${i}`,
        ...(eventType === 'Ended' ? { stoppedReason: 'Local' } : {}),
      },
      meterValue: [
        { timestamp, sampledValue: [{ value: 100 + seqNo, measurand: 'Energy.Active.Import.Register' }] },
      ],
      ...extra,
    };
  };
  await count(() => s.ok('Heartbeat', {}));
  await count(() =>
    s.ok('StatusNotification', {
      timestamp: '2025-06-01T10:00:00.000Z',
      connectorStatus: 'Occupied',
      evseId: 1,
      connectorId: 1,
    }),
  );
  await count(() => s.ok('Authorize', { idToken }));
  await count(() =>
    s.ok('TransactionEvent', event('Started', 0, 'Authorized', { evse: { id: 1, connectorId: 1 }, idToken })),
  );
  await count(() => s.ok('TransactionEvent', event('Updated', 1, 'MeterValuePeriodic')));
  await count(() => s.ok('TransactionEvent', event('Ended', 2, 'StopAuthorized')));
}
