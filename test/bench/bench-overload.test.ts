/**
 * The overload phase (`npm run bench -- --overload <n>`), run programmatically with tiny settings on the
 * ceiling (the cheapest configuration) after a one-step sweep (`--sweep-only`): the result is complete
 * (windows, recovery windows, memory of every server process). No timing thresholds and no assertion
 * that it recovered: this machine is shared and noisy. Needs the build, like the ci profile test.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, parseCli, resolveOptions, runBench, type OverloadWindow } from '../../bench/index.js';

const BASE = 10;

function expectCompleteWindow(w: OverloadWindow | undefined, stations: number, where: string): void {
  expect(w?.stations, where).toBe(stations);
  expect(w?.windowMs, where).toBeGreaterThan(0);
  expect(w?.answersPerSecond, where).toBeGreaterThan(0);
  expect(w?.fleetP99Ms.length, where).toBe(stations / BASE);
  const figures = [
    w?.offeredPerSecond,
    w?.p50Ms,
    w?.p99Ms,
    w?.timeouts,
    w?.callErrors,
    w?.bootsRefused,
    w?.disconnects,
    w?.reconnects,
    w?.connectFailures,
    w?.dropped,
    w?.connected,
    ...(w?.fleetP99Ms ?? []),
  ];
  for (const value of figures) {
    expect(Number.isFinite(value), where).toBe(true);
    expect(value as number, where).toBeGreaterThanOrEqual(0);
  }
  const byCode = Object.values(w?.callErrorsByCode ?? {}).reduce((a, b) => a + b, 0);
  expect(byCode, where).toBe(w?.callErrors);
}

describe('benchmark overload phase', () => {
  it('measures before, 2× load, per-second recovery and memory of every server process', async () => {
    const result = await runBench({
      profile: 'ci',
      configurations: ['ceiling'],
      sweep: {
        enabled: true,
        only: true,
        startStations: 10,
        maxStations: 10,
        refineSteps: 0,
        settleSec: 0,
        steadySec: 1,
      },
      overload: { baseStations: BASE, overloadSec: 5, recoverySec: 5 },
    });
    const report = formatReport(result);
    console.log(report);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(result.overload?.map((r) => r.configuration)).toEqual(['ceiling']);
    const r = result.overload?.[0];
    expect(r).toMatchObject({
      settings: { baseStations: BASE, overloadSec: 5, recoverySec: 5 },
      p99LimitMs: 100,
      baseStations: BASE,
      overloadStations: 2 * BASE,
      booted: { base: BASE },
    });
    expectCompleteWindow(r?.before, BASE, 'before');
    expectCompleteWindow(r?.overload, 2 * BASE, 'overload');
    expectCompleteWindow(r?.after, BASE, 'after');
    expect(r?.overload.windowMs).toBeGreaterThanOrEqual(4_900);
    expect(r?.stopMs).toBeGreaterThanOrEqual(0);

    expect(r?.recovery.length).toBeGreaterThan(0);
    for (const w of r?.recovery ?? []) {
      for (const value of [w.startSec, w.windowMs, w.answersPerSecond, w.p99Ms, w.timeouts, w.callErrors])
        expect(Number.isFinite(value)).toBe(true);
      expect(w.ok).toBe(w.answersPerSecond > 0 && w.p99Ms < 100 && w.timeouts === 0);
    }
    // Recovered or not (no timing assertion), the figures agree with each other.
    if (r?.recoverySec === null) expect(r.verdict.p99RecoveredWithin10s).toBe(false);
    else expect(r?.verdict.p99RecoveredWithin10s).toBe((r?.recoverySec ?? Infinity) <= 10);

    expect(r?.memory.map((m) => m.name)).toEqual(['echo-server']);
    for (const m of r?.memory ?? []) {
      for (const kib of [m.beforeRssKiB, m.peakRssKiB, m.afterRssKiB]) expect(kib).toBeGreaterThan(0);
      expect(m.samples).toBeGreaterThanOrEqual(2);
      expect(m.peakRssKiB as number).toBeGreaterThanOrEqual(m.beforeRssKiB as number);
      expect(Number.isFinite(m.peakGrowthMiB)).toBe(true);
      expect(Number.isFinite(m.afterGrowthMiB)).toBe(true);
    }
    expect(Number.isFinite(r?.verdict.maxPeakGrowthMiB)).toBe(true);
    expect(report).toContain('== overload');
    expect(report).toContain('-- overload summary');
  }, 150_000);

  it('refuses an overload fleet larger than the seeded stations, and durations without --overload', () => {
    expect(() => resolveOptions({ profile: 'ci', overload: { baseStations: 26 } })).toThrow(
      /2 × 26 = 52 stations, but only 50 are seeded/,
    );
    expect(() => resolveOptions({ profile: 'ci', overload: { baseStations: 10, overloadSec: 1 } })).toThrow(
      RangeError,
    );
    expect(resolveOptions({ profile: 'ci', overload: { baseStations: 25 } }).overload).toEqual({
      baseStations: 25,
      overloadSec: 30,
      recoverySec: 30,
    });
    expect(() => parseCli(['--overload-sec', '10'])).toThrow(/need --overload/);
    expect(parseCli(['--overload', '20', '--recovery-sec', '10']).options.overload).toEqual({
      baseStations: 20,
      recoverySec: 10,
    });
  });
});
