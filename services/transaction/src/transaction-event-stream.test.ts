import { Subjects } from '@csms/bus';
import type { transactionV1 } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { bus, client, useTransactionApi } from './testing/transaction-api.js';

useTransactionApi();

describe('StreamTransactionEvents', () => {
  it('delivers transaction facts in order, only of the requested stations, until cancelled', async () => {
    const abort = new AbortController();
    const received: transactionV1.TransactionStationEvent[] = [];
    const stream = client.streamTransactionEvents({ stationIds: ['S-1'] }, { signal: abort.signal });
    const done = (async () => {
      try {
        for await (const r of stream) {
          received.push(r.event!);
          if (received.length === 3) abort.abort();
        }
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      }
    })();
    // The subscription starts when the server handles the call: publish until the first one arrives.
    const publish = (stationId: string, type: string, data: Record<string, unknown>) =>
      bus.publish(Subjects.event(stationId, type), {
        ...data,
        stationId,
        type,
        at: '2030-03-01T10:00:00.000Z',
      });
    while (received.length === 0) {
      await publish('S-1', 'transaction-started', { transactionId: 1 });
      await new Promise((r) => setTimeout(r, 20));
    }
    const first = received.length;
    await publish('S-2', 'transaction-started', { transactionId: 99 });
    await publish('S-1', 'booted', { reason: 'PowerUp' });
    await publish('S-1', 'transaction-event', { transactionId: 't', seqNo: 1 });
    await publish('S-1', 'transaction-ended', { transactionId: 1, stopReason: 'Local' });
    await done;
    expect(received.slice(first - 1).map((e) => [e.stationId, e.type, e.data])).toEqual(
      [
        ['S-1', 'transaction-started', { transactionId: 1 }],
        ['S-1', 'transaction-event', { transactionId: 't', seqNo: 1 }],
        ['S-1', 'transaction-ended', { transactionId: 1, stopReason: 'Local' }],
      ].slice(0, 3 - (first - 1)),
    );
    expect(received[0]?.time).toEqual(new Date('2030-03-01T10:00:00.000Z'));
  });
});
