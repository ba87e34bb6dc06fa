/** The edge and the station's actor: how the actor's answers, timeouts and absence reach the station. */
import { afterEach, describe, expect, it } from 'vitest';
import type { CallOutcome, InboundCall } from '@csms/bus';
import { CapturingLogger } from './testing/capturing-logger.js';
import { RawStation, deferred, startEdge, startWorker } from './testing/edge-harness.js';
import type { EdgeHarness } from './testing/edge-harness.js';

describe('answers from the actor side', () => {
  let h: EdgeHarness;
  let logger: CapturingLogger;
  afterEach(() => h.stop());

  async function setup(
    answer?: (call: InboundCall) => CallOutcome | Promise<CallOutcome>,
    timeoutMs = 2_000,
  ) {
    logger = new CapturingLogger();
    h = await startEdge({ logger, stationCallTimeoutMs: timeoutMs });
    if (answer) await startWorker(h.bus, answer);
    h.store.add('CP', 0);
    return RawStation.connect(`${h.url}/CP`, 'ocpp2.0.1');
  }

  it('replaces a schema-violating CALLRESULT by InternalError and logs an error', async () => {
    const station = await setup(() => ({ type: 'result', payload: { currentTime: 'not a date', extra: 1 } }));
    await expect(station.call('x', 'Heartbeat', {})).resolves.toEqual([
      4,
      'x',
      'InternalError',
      'The CSMS could not process the request',
      {},
    ]);
    expect(logger.find('error', 'violates the response schema')).toHaveLength(1);
  });

  it('passes a CALLERROR outcome on, spelt for the version', async () => {
    const station = await setup(() => ({
      type: 'error',
      code: 'FormationViolation',
      description: 'd'.repeat(300),
      details: { why: 1 },
    }));
    await expect(station.call('x', 'Heartbeat', {})).resolves.toEqual([
      4,
      'x',
      'FormatViolation',
      'd'.repeat(255),
      { why: 1 },
    ]);
  });

  it.each([
    // These are retried until stationCallTimeoutMs (fail-over), then answered InternalError.
    ['no worker (NoRespondersError)', undefined, 500],
    ['worker throws (RemoteHandlerError)', () => Promise.reject(new Error('kaput')), 500],
    ['worker too slow (timeout)', () => new Promise<CallOutcome>(() => {}), 100],
    ['malformed outcome', () => ({ type: 'banana' }) as unknown as CallOutcome, 2_000],
  ] as const)('%s → InternalError with a generic description', async (_name, answer, timeoutMs) => {
    const station = await setup(answer, timeoutMs);
    await expect(station.call('x', 'Heartbeat', {})).resolves.toEqual([
      4,
      'x',
      'InternalError',
      'The CSMS could not process the request',
      {},
    ]);
    // And the station may go on.
    await expect(station.call('y', 'FooBar', {})).resolves.toEqual([
      4,
      'y',
      'NotImplemented',
      "Unknown action 'FooBar'",
      {},
    ]);
  });
});

describe('a CALL the station timed out (OCPP-J part 4 §4.1.1)', () => {
  let h: EdgeHarness;
  afterEach(() => h.stop());

  it('handles a new CALL sent after abandonInboundAfterMs and drops the late answer of the earlier one', async () => {
    const logger = new CapturingLogger();
    h = await startEdge({ logger, abandonInboundAfterMs: 300 });
    const first = deferred<CallOutcome>();
    const answered: string[] = [];
    await startWorker(h.bus, (call) => {
      answered.push(call.messageId);
      return call.messageId === 'slow'
        ? first.promise
        : { type: 'result', payload: { currentTime: '2025-01-01T00:00:01.000Z' } };
    });
    h.store.add('CP', 0);
    const station = await RawStation.connect(`${h.url}/CP`, 'ocpp2.0.1');
    station.send([2, 'slow', 'Heartbeat', {}]);
    await new Promise((r) => setTimeout(r, 350));
    // After it: the station gave up on 'slow' and may send 'late', which is answered.
    await expect(station.call('late', 'Heartbeat', {})).resolves.toEqual([
      3,
      'late',
      { currentTime: '2025-01-01T00:00:01.000Z' },
    ]);
    expect(logger.find('warn', 'timed out the outstanding one')).toHaveLength(1);
    // The actor still completes 'slow'; its answer is not written to the station.
    first.resolve({ type: 'result', payload: { currentTime: '2025-01-01T00:00:00.000Z' } });
    await expect.poll(() => logger.find('info', 'abandoned CALL not sent').length).toBe(1);
    await expect(station.call('after', 'Heartbeat', {})).resolves.toEqual([
      3,
      'after',
      { currentTime: '2025-01-01T00:00:01.000Z' },
    ]);
    expect(answered).toEqual(['slow', 'late', 'after']);
    station.close();
  });
});

describe('fail-over of the station actor', () => {
  let h: EdgeHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('retries a CALL nobody answers until a worker takes the station over', async () => {
    const logger = new CapturingLogger();
    h = await startEdge({ logger, stationCallTimeoutMs: 10_000 });
    h.store.add('CP', 0);
    const station = await RawStation.connect(`${h.url}/CP`, 'ocpp2.0.1');
    const answer = station.call('x', 'Heartbeat', {});
    await new Promise((r) => setTimeout(r, 400)); // no owner for a while: requests find no responders
    const seen: string[] = [];
    await startWorker(h.bus, (call) => {
      seen.push(call.messageId);
      return { type: 'result', payload: { currentTime: '2026-01-01T00:00:00.000Z' } };
    });
    await expect(answer).resolves.toEqual([3, 'x', { currentTime: '2026-01-01T00:00:00.000Z' }]);
    expect(seen).toEqual(['x']);
    expect(logger.find('warn', 'retrying CALL')).toHaveLength(1);
  });
});
