/**
 * The load sweep (`npm run bench -- --sweep-only`), run programmatically with tiny steps: the ceiling and
 * the embedded CSMS each get a table of load steps, a best sustained step and its ratio to the ceiling;
 * a limit no configuration can meet ends in "none sustained" after bisecting down. No timing
 * thresholds on this shared machine. Needs the build (apps/csms/dist), like the ci profile test.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, runBench } from '../../bench/index.js';

describe('benchmark load sweep', () => {
  it('steps the load, finds the best sustained step of each configuration and its ratio to the ceiling', async () => {
    const result = await runBench({
      profile: 'ci',
      configurations: ['ceiling', 'embedded'],
      sweep: { enabled: true, only: true, startStations: 10, maxStations: 20, steadySec: 2, settleSec: 1 },
    });
    const report = formatReport(result);
    console.log(report);
    expect(result.configurations).toEqual([]); // sweep only
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    const sweep = result.sweep;
    expect(sweep?.settings).toMatchObject({ startStations: 10, maxStations: 20, p99LimitMs: 100 });
    expect(sweep?.configurations.map((r) => r.configuration)).toEqual(['ceiling', 'embedded']);
    for (const r of sweep?.configurations ?? []) {
      // 10 and 20 stations; with 20 sustained the search ends at the maximum.
      expect(r.steps.map((s) => s.stations).slice(0, 2), r.configuration).toEqual([10, 20]);
      for (const s of r.steps) {
        expect(s.booted, r.configuration).toBe(s.stations);
        expect(s.windowMs).toBeGreaterThanOrEqual(1_900);
        expect(s.answersPerSecond).toBeGreaterThan(0);
        expect(s.p50Ms).toBeLessThanOrEqual(s.p99Ms);
        expect(s.sustained).toBe(s.reason === null);
      }
      expect(r.best).not.toBeNull();
      expect(r.best?.sustained).toBe(true);
    }
    expect(sweep?.ratios.ceiling).toBe(1);
    expect(sweep?.ratios.embedded).toBeGreaterThan(0);
    expect(report).toContain('== load sweep');
  }, 120_000);

  it('bisects down and reports none sustained when no step meets the limit', async () => {
    const result = await runBench({
      profile: 'ci',
      configurations: ['ceiling'],
      sweep: {
        enabled: true,
        only: true,
        startStations: 10,
        maxStations: 40,
        steadySec: 1,
        settleSec: 0,
        refineSteps: 1,
        p99LimitMs: 0.01, // no WebSocket round trip is that fast
      },
    });
    const r = result.sweep?.configurations[0];
    expect(r?.steps.map((s) => [s.stations, s.sustained])).toEqual([
      [10, false],
      [5, false],
    ]);
    expect(r?.steps[0]?.reason).toContain('p99 ≥ 0.01 ms');
    expect(r?.best).toBeNull();
    expect(r?.boundedByMax).toBe(false);
    expect(result.sweep?.ratios.ceiling).toBeNull();
    expect(formatReport(result)).toContain('none sustained');
  }, 60_000);
});
