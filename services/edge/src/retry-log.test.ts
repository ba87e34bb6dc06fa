/**
 * The edge's station-CALL retries and failures are logged at most once per interval and kind, with a
 * summary of the rest (under overload, one line per CALL buried the logs: 66,853 warnings in one
 * benchmark run). Real edge, real in-memory bus, real WebSockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RetryLog } from './retry-log.js';
import { CapturingLogger } from './testing/capturing-logger.js';
import { RawStation, startEdge, startWorker, type EdgeHarness } from './testing/edge-harness.js';

const STATIONS = 8;

describe('RetryLog', () => {
  it('logs the first event of an interval in full and sums up the others when it ends', async () => {
    const edge = new CapturingLogger();
    const station = new CapturingLogger().child({ stationId: 'CP-1' });
    const log = new RetryLog(edge, 100);
    log.retrying(station, { messageId: 'a', action: 'Heartbeat', failure: 'timeout' });
    log.retrying(station, { messageId: 'b', action: 'Heartbeat', failure: 'timeout' });
    log.retrying(station, { messageId: 'c', action: 'Authorize', failure: 'no-responders' });
    log.notProcessed(station, { messageId: 'd', action: 'Heartbeat', failure: 'timeout' });
    const stationLines = (station as CapturingLogger).lines;
    expect(stationLines.map((l) => [l.level, l.msg, l.fields.messageId])).toEqual([
      ['warn', 'retrying CALL', 'a'],
      ['error', 'CALL not processed', 'd'],
    ]);
    expect(stationLines[0]?.fields).toMatchObject({ stationId: 'CP-1', failure: 'timeout' });
    expect(edge.lines).toEqual([]);
    await new Promise((r) => setTimeout(r, 250));
    // Only the retries had more than one event: one summary, nothing for the single failure.
    expect(edge.lines).toEqual([
      {
        level: 'warn',
        msg: 'station CALLs retried (summary of the interval)',
        fields: { intervalMs: 100, total: 3, suppressed: 2, byFailure: { timeout: 2, 'no-responders': 1 } },
      },
    ]);
    // A new interval starts with a full line again.
    log.retrying(station, { messageId: 'e', action: 'Heartbeat', failure: 'timeout' });
    log.retrying(station, { messageId: 'f', action: 'Heartbeat', failure: 'timeout' });
    expect(stationLines.filter((l) => l.msg === 'retrying CALL').map((l) => l.fields.messageId)).toEqual([
      'a',
      'e',
    ]);
    log.flush();
    expect(edge.lines.at(-1)).toMatchObject({
      fields: { total: 2, suppressed: 1, byFailure: { timeout: 2 } },
    });
  });
});

describe('edge retries under a fleet-wide outage', () => {
  let h: EdgeHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('writes one retry line for all its stations, and still answers every CALL once a worker is back', async () => {
    const logger = new CapturingLogger();
    h = await startEdge({ logger, stationCallTimeoutMs: 10_000 });
    const ids = Array.from({ length: STATIONS }, (_, i) => `CP-${i}`);
    for (const id of ids) h.store.add(id, 0);
    const url = h.url;
    const stations = await Promise.all(ids.map((id) => RawStation.connect(`${url}/${id}`, 'ocpp2.0.1')));
    // No worker: every station's CALL finds no responders and is retried.
    const answers = stations.map((s, i) => s.call(`m${i}`, 'Heartbeat', {}));
    await new Promise((r) => setTimeout(r, 400));
    const seen: string[] = [];
    await startWorker(h.bus, (call) => {
      seen.push(`${call.stationId}/${call.messageId}`);
      return { type: 'result', payload: { currentTime: '2026-01-01T00:00:00.000Z' } };
    });
    const results = await Promise.all(answers);
    expect(results).toEqual(ids.map((_, i) => [3, `m${i}`, { currentTime: '2026-01-01T00:00:00.000Z' }]));
    expect(seen.sort()).toEqual(ids.map((id, i) => `${id}/m${i}`).sort());
    // Before: one warning per station. Now: the first in full, the rest in the interval's summary.
    expect(logger.find('warn', 'retrying CALL')).toHaveLength(1);
    expect(logger.find('warn', 'retrying CALL')[0]?.fields).toMatchObject({ failure: 'no-responders' });
    for (const s of stations) s.close();
  });
});
