/**
 * The benchmark harness end to end (`npm run bench -- --profile ci`, run programmatically): the ceiling,
 * the embedded CSMS and the distributed topology are each measured completely. No timing thresholds:
 * this machine is shared and noisy; the numbers themselves are only meaningful from a dedicated run.
 * Needs the build (apps/csms/dist, packages/simulator/dist), like the fail-over suite.
 */
import { existsSync } from 'node:fs';
import { SERVICE_ROLES } from '@csms/config';
import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS, formatReport, runBench, type ConfigurationResult } from '../../bench/index.js';

const STATIONS = 50;

/** The rows of `action` in the steady table that got answers, per version. */
function answered(c: ConfigurationResult, action: string): Record<string, number> {
  return Object.fromEntries(
    c.steady.actions.filter((a) => a.action === action && a.count > 0).map((a) => [a.version, a.count]),
  );
}

/** Every process of the configuration has a CPU figure over a window with answers; no thresholds. */
function expectCompleteCpu(c: ConfigurationResult): void {
  const where = `${c.name} cpu`;
  const cpu = c.cpu;
  expect(cpu.missing, where).toEqual([]);
  expect(cpu.window.elapsedMs, where).toBeGreaterThan(0);
  expect(cpu.window.callsAnswered, where).toBeGreaterThan(0);
  expect(cpu.window.stationsBooted, where).toBe(STATIONS);
  expect(cpu.clockTicksPerSecond, where).toBeGreaterThan(0);
  // The same processes as the memory table, in the same order, then the shared servers.
  expect(cpu.processes.slice(0, c.memory.processes.length).map((p) => p.pid)).toEqual(
    c.memory.processes.map((p) => p.pid),
  );
  const figures = [...cpu.processes.map((p) => p.cpu), cpu.total, cpu.loadGenerator];
  for (const [i, f] of figures.entries()) {
    const name = cpu.processes[i]?.name ?? (i === cpu.processes.length ? 'total' : 'load generator');
    expect(f, `${where} ${name}`).not.toBeNull();
    for (const value of [f?.cpuSeconds, f?.microsPerCall, f?.coreShare]) {
      expect(Number.isFinite(value), `${where} ${name}`).toBe(true);
      expect(value as number, `${where} ${name}`).toBeGreaterThanOrEqual(0);
    }
  }
  const postgres = cpu.processes.find((p) => p.role === 'database');
  if (c.database.kind === 'postgresql') {
    expect(postgres?.pid, where).toBeGreaterThan(0);
    // The postmaster and its children (backends of the CSMS's pool, auxiliary processes).
    expect(postgres?.processCount, where).toBeGreaterThan(1);
  } else expect(postgres, where).toBeUndefined();
}

describe('benchmark harness, ci profile', () => {
  it('measures the ceiling, the embedded CSMS and the distributed topology with complete KPI tables, ratios and memory', async () => {
    if (!existsSync(new URL('../../apps/csms/dist/main.js', import.meta.url))) {
      throw new Error('apps/csms/dist/main.js is missing: run `npx tsc -b` first (npm test does)');
    }
    const result = await runBench({ profile: 'ci' });
    console.log(formatReport(result));

    expect(result.schema).toBe('csms-bench/1');
    expect(result.options.stations).toBe(STATIONS);
    expect(result.configurations.map((c) => c.name)).toEqual([...CONFIGURATIONS]);
    // Machine-readable as it is (what --json writes).
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);

    for (const c of result.configurations) {
      const s = c.steady;
      const where = `${c.name}`;
      expect(s.stations.total, where).toBe(STATIONS);
      expect(s.stations.booted, where).toBe(STATIONS);
      expect(s.stations.peakConnected, where).toBe(STATIONS);
      expect(s.connections.failures, where).toBe(0);

      // KPI rows of every kind of message, in both versions where the version has it.
      for (const action of ['BootNotification', 'Heartbeat', 'Authorize', 'StatusNotification']) {
        expect(Object.keys(answered(c, action)).sort(), `${where} ${action}`).toEqual([
          'ocpp1.6',
          'ocpp2.0.1',
        ]);
      }
      for (const action of ['StartTransaction', 'MeterValues', 'StopTransaction']) {
        expect(Object.keys(answered(c, action)), `${where} ${action}`).toContain('ocpp1.6');
      }
      expect(Object.keys(answered(c, 'TransactionEvent')), `${where} TransactionEvent`).toEqual([
        'ocpp2.0.1',
      ]);
      for (const row of s.actions) {
        expect(row.minMs, `${where} ${row.action}`).toBeLessThanOrEqual(row.p50Ms);
        expect(row.p99Ms, `${where} ${row.action}`).toBeLessThanOrEqual(row.maxMs);
      }
      expect(s.authorize.count, where).toBeGreaterThan(0);
      expect(s.all.count, where).toBeGreaterThan(s.authorize.count);

      // Complete: nothing timed out or was refused, in the table or in the graceful stop after it.
      expect(s.timeouts, where).toBe(0);
      expect(s.callErrors, where).toEqual({});
      expect(c.steadyStop.timeouts, where).toBe(0);
      expect(c.steadyStop.callErrors, where).toBe(0);
      expect(c.warmup?.timeouts, where).toBe(0);
      expect(s.messages.receivedPerSecond, where).toBeGreaterThan(0);

      // Ratios to the ceiling measured in the same run.
      const r = c.ratios;
      for (const value of [r.messageRate, r.p99, r.authorizeP99, r.cpuPerCall]) {
        expect(value, where).not.toBeNull();
        expect(value as number, where).toBeGreaterThan(0);
        expect(Number.isFinite(value), where).toBe(true);
      }

      // Memory of every server process, with the fleet connected and idle.
      expect(c.memory.stationsConnected, where).toBe(STATIONS);
      expect(c.memory.processes.length, where).toBeGreaterThan(0);
      for (const p of c.memory.processes) {
        expect(p.pid, `${where} ${p.name}`).toBeGreaterThan(0);
        for (const value of [p.baselineRssKiB, p.idleRssKiB, p.peakRssKiB, p.perStationKiB]) {
          expect(typeof value, `${where} ${p.name}`).toBe('number');
        }
        expect(p.idleRssKiB as number).toBeGreaterThan(0);
        expect(p.peakRssKiB as number).toBeGreaterThanOrEqual(p.idleRssKiB as number);
      }
      expect(typeof c.memory.perStationKiB, where).toBe('number');
      expectCompleteCpu(c);
      expect(c.bootStorm, where).toBeNull(); // only in the full profile
    }

    const [ceiling, embedded, distributed] = result.configurations;
    expect(ceiling?.ratios).toEqual({ messageRate: 1, p99: 1, authorizeP99: 1, cpuPerCall: 1 });
    // CPU: every server process, plus PostgreSQL (and nats-server) where the configuration uses them.
    const cpuNames = (c: ConfigurationResult | undefined): string[] =>
      c?.cpu.processes.map((p) => p.name) ?? [];
    expect(cpuNames(ceiling)).toEqual(['echo-server']);
    expect(cpuNames(embedded)).toEqual(['embedded', 'postgresql']);
    expect(cpuNames(distributed)).toEqual([
      ...(distributed?.memory.processes.map((p) => p.name) ?? []),
      'postgresql',
      'nats-server',
    ]);
    expect(ceiling?.database).toEqual({ kind: 'none' });
    expect(ceiling?.memory.processes.map((p) => p.role)).toEqual(['echo']);
    expect(embedded?.database).toMatchObject({ kind: 'postgresql', database: 'bench_embedded' });
    expect(embedded?.memory.processes.map((p) => p.role)).toEqual(['embedded']);
    expect(distributed?.database).toMatchObject({ kind: 'postgresql', database: 'bench_distributed' });
    // The full topology: every gRPC service role of the registry its own process (the workers call auth and
    // transaction over gRPC).
    expect(distributed?.memory.processes.map((p) => p.role).sort()).toEqual([
      'edge',
      ...Array<string>(SERVICE_ROLES.length).fill('service'),
      'worker',
      'worker',
    ]);
    expect(distributed?.memory.processes.map((p) => p.name)).toEqual(
      expect.arrayContaining([...SERVICE_ROLES]),
    );
  }, 180_000);
});
