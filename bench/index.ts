/**
 * The benchmark harness (`npm run bench`): the bare WebSocket echo ceiling, the embedded CSMS and the
 * distributed topology, measured one after the other with the same simulated fleet. See bench/README.md.
 */
export { runBench } from './run.js';
export type { BenchResult, ConfigurationResult, Ratios } from './run.js';
export { USAGE, parseCli } from './cli-args.js';
export { CONFIGURATIONS, LIMITS, resolveOptions } from './options.js';
export type {
  BenchOptions,
  ConfigurationName,
  ProfileName,
  ResolvedOptions,
  TrafficShape,
} from './options.js';
export type {
  BootStormResult,
  MemoryResult,
  ProcessMemoryResult,
  StopSummary,
  WarmupSummary,
} from './phases.js';
export type { CpuFigures, CpuResult, CpuRole, CpuWindow, ProcessCpu } from './cpu-usage.js';
export type { DatabaseInfo } from './targets.js';
export type { SweepResult, SweepStep, SweepSummary } from './sweep.js';
export type { OverloadSettings, SweepSettings } from './options.js';
export type { OverloadMemory, OverloadResult, OverloadWindow, RecoveryWindow } from './overload.js';
export { formatReport } from './report.js';
