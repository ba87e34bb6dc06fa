import { formatStats } from '@csms/simulator';
import { callErrorCount } from './phases.js';
import type { BenchResult, ConfigurationResult } from './run.js';
import { formatProfileSummary } from './cpu-profile.js';
import { formatCpu, formatCpuComparison } from './cpu-report.js';
import { formatPgStatements } from './pg-statements.js';
import { formatOverload } from './overload-report.js';
import { table } from './text-table.js';
import type { SweepSummary } from './sweep.js';
import type { DatabaseInfo } from './targets.js';

/** The human-readable report: per configuration its KPI table, memory and boot storm; then the comparison. */
export function formatReport(result: BenchResult): string {
  const o = result.options;
  const m = result.machine;
  const t = o.traffic;
  const lines: string[] = [
    o.sweep.only
      ? `CSMS benchmark, profile ${o.profile}: load sweep only (up to ${o.sweep.maxStations} stations, ` +
        `${Math.round(o.versionMix * 100)}% OCPP 2.0.1)`
      : `CSMS benchmark, profile ${o.profile}: ${o.stations} stations (${Math.round(o.versionMix * 100)}% OCPP 2.0.1), ` +
        `warm-up ${o.warmupSec} s, steady ${o.durationSec} s, idle ${o.idleSec} s` +
        (o.bootStorm ? `, boot storm (timeout ${o.bootStormTimeoutSec} s)` : ''),
    `machine: ${m.cpus} × ${m.cpuModel}, ${m.totalMemoryMiB} MiB, node ${m.node}, ` +
      `load average at start ${m.loadAverage.join(' / ')}`,
    `fleet: ramp ${t.rampPerSecond}/s, heartbeat ${t.heartbeatSec} s, transactions of ${t.meterValuesPerTransaction} ` +
      `meter values every ${t.meterValueIntervalMs} ms, pause ${t.pauseBetweenMs} ms, call timeout ${t.callTimeoutMs} ms, ` +
      `security profile ${o.securityProfile} (${o.securityProfile === 1 ? 'HTTP Basic auth' : 'no credentials'})`,
  ];
  if (o.sweep.only) lines.pop(); // the sweep has its own traffic (printed with its table)
  for (const c of result.configurations) lines.push('', ...formatConfiguration(c));
  if (result.configurations.length > 0) lines.push('', ...formatComparison(result));
  if (result.sweep !== null) lines.push('', ...formatSweep(result.sweep));
  if (result.overload !== null) lines.push('', ...formatOverload(result.overload));
  for (const p of result.cpuProfiles) {
    lines.push('', `== CPU profile: ${p.configuration} / ${p.process} (pid ${p.pid}), whole run`);
    lines.push(formatProfileSummary({ ...p.summary, functions: p.summary.functions.slice(0, 20) }));
  }
  if (result.configurations.length === 0) lines.push(`Run took ${(result.elapsedMs / 1000).toFixed(1)} s.`);
  return lines.join('\n');
}

function formatConfiguration(c: ConfigurationResult): string[] {
  const lines = [
    `== ${c.name}: ${c.description}`,
    `database: ${describeDatabase(c.database)}; url ${c.url}`,
    `server log: ${c.serverLog.warnings} warnings, ${c.serverLog.errors} errors`,
  ];
  if (c.warmup !== null) {
    const w = c.warmup;
    lines.push(
      `warm-up: ${(w.elapsedMs / 1000).toFixed(1)} s, ${w.messagesSent} CALLs sent, ${w.answers} answered, ` +
        `${w.timeouts} timeouts, ${w.callErrors} CALLERRORs (discarded)`,
    );
  }
  const stop = c.steadyStop;
  lines.push(
    `-- steady phase (the table is taken when the duration ends, before the graceful stop)`,
    formatStats(c.steady),
    `graceful stop (not in the table): ${(stop.elapsedMs / 1000).toFixed(1)} s, ${stop.messagesSent} CALLs, ` +
      `${stop.timeouts} timeouts, ${stop.callErrors} CALLERRORs, ${stop.dropped} dropped`,
    ...formatCpu(c.cpu),
    ...(c.pgStatements ? formatPgStatements(c.pgStatements) : []),
  );
  const mem = c.memory;
  lines.push(
    `-- memory, ${mem.stationsConnected} stations connected and idle for ${(mem.idleForMs / 1000).toFixed(1)} s ` +
      `(RSS from /proc/<pid>/status; per station = (idle − baseline) / connected)`,
  );
  for (const p of mem.processes) {
    lines.push(
      `   ${p.name.padEnd(12)} pid ${String(p.pid ?? '-').padEnd(7)} baseline ${mib(p.baselineRssKiB)}, ` +
        `idle ${mib(p.idleRssKiB)}, peak ${mib(p.peakRssKiB)}, ${kib(p.perStationKiB)} per station`,
    );
  }
  lines.push(
    `   socket holders: ${kib(mem.perStationKiB)} per connected station; load generator RSS ${mib(mem.loadGeneratorRssKiB)}`,
  );
  if (c.bootStorm !== null) {
    const b = c.bootStorm;
    const boot = b.bootNotification
      .map(
        (r) =>
          `${r.version} p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms`,
      )
      .join('; ');
    lines.push(
      `-- boot storm: ${b.stations} stations at once (≤ ${b.maxConcurrentConnects} handshakes in flight): ` +
        (b.allBootedMs !== null
          ? `every BootNotification answered Accepted after ${(b.allBootedMs / 1000).toFixed(2)} s`
          : `${b.booted} Accepted, ${b.failed} FAILED within ${b.timeoutMs / 1000} s (last at ${(b.lastBootMs / 1000).toFixed(2)} s)`) +
        `, connection failures ${b.connectFailures}`,
      `   BootNotification: ${boot}`,
    );
  }
  return lines;
}

function formatComparison(result: BenchResult): string[] {
  const header = [
    'configuration',
    'connected',
    'answers/s',
    '×ceiling',
    'p99 ms',
    '×ceiling',
    'Authorize p99',
    '×ceiling',
    'timeouts',
    'CALLERRORs',
    'KiB/station',
  ];
  const rows: string[][] = [header];
  for (const c of result.configurations) {
    const s = c.steady;
    rows.push([
      c.name,
      `${s.stations.connected}/${s.stations.total}`,
      s.messages.receivedPerSecond.toFixed(1),
      times(c.ratios.messageRate),
      s.all.p99Ms.toFixed(2),
      times(c.ratios.p99),
      s.authorize.p99Ms.toFixed(2),
      times(c.ratios.authorizeP99),
      String(s.timeouts),
      String(callErrorCount(s)),
      c.memory.perStationKiB === undefined ? '-' : c.memory.perStationKiB.toFixed(1),
    ]);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const out = ['== comparison (steady phase; ratios to the ceiling measured in this run)'];
  for (const [i, r] of rows.entries()) {
    out.push(
      r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j] ?? 0) : cell.padStart(widths[j] ?? 0))).join('  '),
    );
    if (i === 0) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  out.push(
    'The offered load is the same for every configuration: answers/s ×ceiling below 1 means it did not keep up.',
    ...formatCpuComparison(result.configurations),
    `Run took ${(result.elapsedMs / 1000).toFixed(1)} s.`,
  );
  return out;
}

function formatSweep(summary: SweepSummary): string[] {
  const s = summary.settings;
  const t = s.traffic;
  const out = [
    `== load sweep: highest answers/s with p99 < ${s.p99LimitMs} ms, no timeout, no CALLERROR ` +
      `(stations doubled from ${s.startStations} up to ${s.maxStations}, then ${s.refineSteps} bisection steps; ` +
      `per step: ramp ${t.rampPerSecond}/s, boot, ${s.settleSec} s settle, ${s.steadySec} s measured; ` +
      `per station: heartbeat ${t.heartbeatSec} s, ${t.meterValuesPerTransaction} meter values ${t.meterValueIntervalMs} ms apart, ` +
      `pause ${t.pauseBetweenMs} ms, call timeout ${t.callTimeoutMs} ms)`,
  ];
  for (const r of summary.configurations) {
    out.push(`-- ${r.configuration}`);
    out.push(
      ...table(
        [
          'stations',
          'booted',
          'offered/s',
          'answers/s',
          'p50 ms',
          'p99 ms',
          'Authorize p99',
          'timeouts',
          'CALLERRORs',
          'sustained',
        ],
        r.steps.map((x) => [
          String(x.stations),
          String(x.booted),
          x.offeredPerSecond.toFixed(0),
          x.answersPerSecond.toFixed(0),
          x.p50Ms.toFixed(2),
          x.p99Ms.toFixed(2),
          x.authorizeP99Ms.toFixed(2),
          String(x.timeouts),
          String(x.callErrors),
          x.sustained ? 'yes' : `no: ${x.reason ?? ''}`,
        ]),
      ),
    );
  }
  out.push("-- result (best sustained step; × ceiling = its answers/s / the ceiling's best)");
  out.push(
    ...table(
      ['configuration', 'stations', 'answers/s', 'p99 ms', '× ceiling'],
      summary.configurations.map((r) => [
        r.configuration,
        r.best === null ? '-' : String(r.best.stations),
        r.best === null
          ? 'none sustained'
          : `${r.boundedByMax ? '≥ ' : ''}${r.best.answersPerSecond.toFixed(0)}`,
        r.best === null ? '-' : r.best.p99Ms.toFixed(2),
        times(summary.ratios[r.configuration] ?? null),
      ]),
    ),
  );
  if (summary.configurations.some((r) => r.boundedByMax))
    out.push(
      "≥: the largest step was sustained; the search ended at --sweep-max, not at the configuration's limit.",
    );
  return out;
}

function describeDatabase(db: DatabaseInfo): string {
  switch (db.kind) {
    case 'none':
      return 'none';
    case 'pglite':
      return 'PGlite (PostgreSQL in WebAssembly, in the CSMS process)';
    case 'postgresql':
      return (
        `PostgreSQL ${db.version}, private server on 127.0.0.1, database ${db.database}, ` +
        (db.durable ? 'durable (fsync, synchronous_commit on)' : 'fsync and synchronous_commit off') +
        (db.transport === 'unix' ? ', over its Unix socket' : ', over TCP')
      );
  }
}

function mib(kibValue: number | undefined): string {
  return kibValue === undefined ? '-' : `${(kibValue / 1024).toFixed(1)} MiB`;
}

function kib(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(1)} KiB`;
}

function times(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(2)}×`;
}
