import type { CpuFigures, CpuResult } from './cpu-usage.js';
import type { ConfigurationResult } from './run.js';
import { table } from './text-table.js';

/** The per-process table of one configuration: "CPU per answered CALL (steady window)". */
export function formatCpu(cpu: CpuResult): string[] {
  const w = cpu.window;
  const tickMs = 1000 / cpu.clockTicksPerSecond;
  const rows = cpu.processes.map((p) => [
    p.processCount > 1 ? `${p.name} (${p.processCount} processes)` : p.name,
    p.role,
    String(p.pid ?? '-'),
    ...cells(p.cpu),
  ]);
  rows.push(['total (server processes)', '', '', ...cells(cpu.total)]);
  rows.push(['load generator (reference)', 'simulator', '-', ...cells(cpu.loadGenerator)]);
  const out = [
    `-- CPU per answered CALL (steady window): ${seconds(w.elapsedMs)} s, opened ${seconds(w.startMs)} s ` +
      `into the phase (${w.stationsBooted} stations booted), ${w.callsSent} CALLs sent (${w.offeredPerSecond}/s), ` +
      `${w.callsAnswered} answered (${w.answeredPerSecond}/s); utime + stime of /proc/<pid>/stat, ` +
      `${tickMs} ms ticks`,
    ...table(['process', 'role', 'pid', 'CPU s', 'µs/CALL', '% of a core'], rows),
  ];
  if (cpu.missing.length > 0)
    out.push(`   NOT MEASURED (exited or unreadable, left out of the total): ${cpu.missing.join(', ')}`);
  return out;
}

/** Total server CPU per answered CALL of every configuration, and its ratio to the ceiling's. */
export function formatCpuComparison(configurations: readonly ConfigurationResult[]): string[] {
  const rows = configurations.map((c) => [
    c.name,
    seconds(c.cpu.window.elapsedMs),
    c.cpu.window.answeredPerSecond.toFixed(1),
    ...cells(c.cpu.total),
    c.ratios.cpuPerCall === null ? '-' : `${c.ratios.cpuPerCall.toFixed(2)}×`,
    perCall(c.cpu.loadGenerator.microsPerCall),
  ]);
  return [
    '-- CPU per answered CALL (steady window; every server process, PostgreSQL and nats-server included)',
    ...table(
      [
        'configuration',
        'window s',
        'answers/s',
        'CPU s',
        'µs/CALL',
        '% of a core',
        '×ceiling',
        'load generator µs/CALL',
      ],
      rows,
    ),
  ];
}

/** CPU s, µs/CALL, % of a core ('-' when not measured). */
function cells(figures: CpuFigures | null): string[] {
  if (figures === null) return ['-', '-', '-'];
  return [
    figures.cpuSeconds.toFixed(2),
    perCall(figures.microsPerCall),
    `${(figures.coreShare * 100).toFixed(1)}%`,
  ];
}

function perCall(value: number | null): string {
  return value === null ? '-' : value.toFixed(value >= 100 ? 0 : 1);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
