/** The text of the overload phase (`--overload`) in the report: a table per configuration, then a summary. */
import type { OverloadMemory, OverloadResult, OverloadWindow } from './overload.js';
import { table } from './text-table.js';

export function formatOverload(results: readonly OverloadResult[]): string[] {
  const first = results[0];
  if (first === undefined) return ['== overload: no configuration measured'];
  const o = first.settings;
  const out = [
    `== overload: fleet A of ${o.baseStations} stations (the sweep's traffic), then fleet B of ${o.baseStations} more ` +
      `for ${o.overloadSec} s (closed loop: 2× the stations = 2× the offered load); recovered = ` +
      `p99 < ${first.p99LimitMs} ms, answers and no timeout in 3 consecutive 1 s windows of A, the first ` +
      `starting within ${o.recoverySec} s of B's stop`,
  ];
  for (const r of results) out.push(...formatOne(r));
  out.push('-- overload summary');
  for (const r of results) out.push(summaryLine(r));
  out.push(
    "p99 with both fleets: the larger of the two fleets' p99s (each fleet keeps its own histograms). RSS peaks " +
      'are samples taken once per second (a shorter spike can be missed).',
  );
  return out;
}

function formatOne(r: OverloadResult): string[] {
  const boot =
    r.extraBootMs === null
      ? `B: ${r.booted.extra}/${r.baseStations} booted by the end of the window`
      : `B booted in ${(r.extraBootMs / 1000).toFixed(2)} s`;
  const rows: [string, OverloadWindow][] = [
    ['before (A)', r.before],
    ['overload (A+B)', r.overload],
    ['after (A)', r.after],
  ];
  return [
    `-- ${r.configuration}: ${r.baseStations} → ${r.overloadStations} stations; A booted ${r.booted.base}/` +
      `${r.baseStations}; ${boot}; B's graceful stop ${r.stopMs} ms`,
    ...table(
      [
        'window',
        's',
        'stations',
        'connected',
        'offered/s',
        'answers/s',
        'p50 ms',
        'p99 ms',
        'timeouts',
        'CALLERRORs',
        'boots refused',
        'disconnects',
        'reconnects',
        'dropped',
      ],
      rows.map(([name, w]) => [
        name,
        (w.windowMs / 1000).toFixed(1),
        String(w.stations),
        String(w.connected),
        w.offeredPerSecond.toFixed(1),
        w.answersPerSecond.toFixed(1),
        w.p50Ms.toFixed(2),
        w.p99Ms.toFixed(2),
        String(w.timeouts),
        String(w.callErrors),
        String(w.bootsRefused),
        String(w.disconnects),
        String(w.reconnects),
        String(w.dropped),
      ]),
    ),
    `   overload: CALLERRORs by code ${byCode(r.overload)}; p99 per fleet ` +
      r.overload.fleetP99Ms.map((p, i) => `${i === 0 ? 'A' : 'B'} ${p.toFixed(2)} ms`).join(', '),
    `   recovery, 1 s windows of A (t = s after B's stop completed):`,
    ...table(
      ['t s', 'answers/s', 'p99 ms', 'timeouts', 'CALLERRORs', 'ok'],
      r.recovery.map((w) => [
        w.startSec.toFixed(1),
        w.answersPerSecond.toFixed(1),
        w.p99Ms.toFixed(2),
        String(w.timeouts),
        String(w.callErrors),
        w.ok ? 'yes' : 'no',
      ]),
    ).map((line) => `   ${line}`),
    `   memory (RSS, MiB; peak = highest of ${r.memory[0]?.samples ?? 0} samples during the overload):`,
    ...table(
      ['process', 'pid', 'before', 'peak', 'after', 'peak − before', 'after − before'],
      r.memory.map((m: OverloadMemory) => [
        m.name,
        String(m.pid ?? '-'),
        mib(m.beforeRssKiB),
        mib(m.peakRssKiB),
        mib(m.afterRssKiB),
        signed(m.peakGrowthMiB),
        signed(m.afterGrowthMiB),
      ]),
    ).map((line) => `   ${line}`),
  ];
}

function summaryLine(r: OverloadResult): string {
  const b = r.before;
  const o = r.overload;
  const gain = b.answersPerSecond > 0 ? ` (×${(o.answersPerSecond / b.answersPerSecond).toFixed(2)})` : '';
  const recovered =
    r.recoverySec === null
      ? `p99 NOT back under ${r.p99LimitMs} ms within ${r.settings.recoverySec} s`
      : `p99 back under ${r.p99LimitMs} ms ${r.recoverySec.toFixed(1)} s after B stopped`;
  return (
    `${r.configuration}: ${r.baseStations} → ${r.overloadStations} stations: answers/s ${b.answersPerSecond.toFixed(1)} → ` +
    `${o.answersPerSecond.toFixed(1)}${gain}, p99 ${b.p99Ms.toFixed(1)} → ${o.p99Ms.toFixed(1)} ms, ` +
    `${o.timeouts} timeouts, ${o.callErrors} CALLERRORs, ${o.bootsRefused} BootNotifications refused (Pending), ` +
    `${o.disconnects} disconnects; ${recovered} ` +
    `(within 10 s: ${r.verdict.p99RecoveredWithin10s ? 'yes' : 'no'}); largest RSS growth ` +
    `${signed(r.verdict.maxPeakGrowthMiB)} MiB at the peak, ${signed(r.verdict.maxAfterGrowthMiB)} MiB after`
  );
}

function byCode(w: OverloadWindow): string {
  const entries = Object.entries(w.callErrorsByCode);
  return entries.length === 0 ? 'none' : entries.map(([code, n]) => `${code} ${n}`).join(', ');
}

function mib(kibValue: number | undefined): string {
  return kibValue === undefined ? '-' : (kibValue / 1024).toFixed(1);
}

function signed(value: number | null): string {
  if (value === null) return '-';
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}
