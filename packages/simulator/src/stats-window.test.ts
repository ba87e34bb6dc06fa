/**
 * `resetStats()` starts a new measurement window (a load sweep measures each step after its ramp-up):
 * the KPI table then covers only what happened after it, and connected / booted stations are kept.
 * Real embedded CSMS, real sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../../../test/support/csms.js';
import { Simulator } from './index.js';

const STATIONS = 6;

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms();
});
afterAll(() => csms.close());

describe('Simulator.resetStats', () => {
  it('restarts the counters and response times, keeps the stations, and measures rates over the window', async () => {
    const simulator = new Simulator({
      url: csms.endpoint,
      stations: STATIONS,
      idPrefix: 'WINDOW',
      bootStorm: true,
      heartbeatIntervalSec: 1,
      transaction: { auto: false },
      durationMs: 30_000,
      callTimeoutMs: 5_000,
    });
    try {
      await simulator.start();
      expect(await simulator.waitForBoot(10_000)).toBe(STATIONS);
      const before = simulator.stats();
      expect(before.actions.find((a) => a.action === 'BootNotification')?.count).toBeGreaterThan(0);

      simulator.resetStats();
      const fresh = simulator.stats();
      expect(fresh.messages).toMatchObject({ sent: 0, received: 0 });
      expect(fresh.all.count).toBe(0);
      expect(fresh.actions.every((a) => a.count === 0 && a.sent === 0)).toBe(true);
      expect(fresh.connections.attempts).toBe(0);
      expect(fresh.stations).toMatchObject({
        booted: STATIONS,
        connected: STATIONS,
        peakConnected: STATIONS,
      });

      await new Promise((r) => setTimeout(r, 2_500));
      const window = simulator.stats();
      // Heartbeats every second, nothing else (no boot in the window).
      expect(window.actions.find((a) => a.action === 'BootNotification' && a.count > 0)).toBeUndefined();
      const heartbeats = window.actions
        .filter((a) => a.action === 'Heartbeat')
        .reduce((n, a) => n + a.count, 0);
      expect(heartbeats).toBeGreaterThanOrEqual(STATIONS);
      expect(window.elapsedMs).toBeGreaterThanOrEqual(2_400);
      expect(window.elapsedMs).toBeLessThan(before.elapsedMs + 5_000);
      expect(window.messages.receivedPerSecond).toBeCloseTo(
        window.messages.received / (window.elapsedMs / 1000),
        0,
      );
      expect(window.all.count).toBe(window.messages.received);
    } finally {
      await simulator.stop();
    }
  });
});
