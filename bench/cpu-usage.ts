/**
 * CPU time per answered CALL: `utime + stime` of every server process from /proc/<pid>/stat, sampled at
 * the start and the end of a window of the steady phase, next to the simulator's answer counter at the
 * same instants. Linux only; elsewhere every figure is null (reported as missing).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { SimulatorStats } from '@csms/simulator';
import type { ServerProcess } from './targets.js';

export type CpuRole = ServerProcess['role'] | 'database' | 'nats';

/** A process whose CPU time is measured. */
export interface CpuSubject {
  readonly name: string;
  readonly role: CpuRole;
  readonly pid: number | undefined;
  /**
   * Count its child processes too. PostgreSQL forks a backend per connection plus its auxiliary
   * processes (checkpointer, WAL writer, ...): the postmaster alone does almost none of the work.
   */
  readonly withChildren: boolean;
}

/** CPU seconds over the window, per answered CALL and as a share of one core. */
export interface CpuFigures {
  readonly cpuSeconds: number;
  /** CPU microseconds per CALL answered in the window (null when none was). */
  readonly microsPerCall: number | null;
  /** CPU seconds / window seconds: 1 = one core busy for the whole window. */
  readonly coreShare: number;
}

export interface ProcessCpu {
  readonly name: string;
  readonly role: CpuRole;
  readonly pid: number | undefined;
  /** With its children (PostgreSQL): how many processes it had at the end of the window, itself included. */
  readonly processCount: number;
  /** Null when /proc/<pid>/stat could not be read at both instants (it exited, or not Linux). */
  readonly cpu: CpuFigures | null;
}

/** The measurement window inside the steady phase, with the simulator's counters over it. */
export interface CpuWindow {
  /** When it opened, from the start of the steady phase (the simulator's clock). */
  readonly startMs: number;
  readonly elapsedMs: number;
  /** Stations Accepted when it opened. */
  readonly stationsBooted: number;
  /** CALLs the stations sent in the window (retries included): the offered load. */
  readonly callsSent: number;
  /** CALLs answered in the window (CALLRESULT or CALLERROR): the divisor of µs/CALL. */
  readonly callsAnswered: number;
  readonly offeredPerSecond: number;
  readonly answeredPerSecond: number;
}

export interface CpuResult {
  readonly window: CpuWindow;
  /** The kernel's clock tick (`getconf CLK_TCK`): the resolution of every server figure. */
  readonly clockTicksPerSecond: number;
  readonly processes: readonly ProcessCpu[];
  /** Every server process, PostgreSQL and nats-server included (those in `missing` left out). */
  readonly total: CpuFigures;
  /** Subjects without a figure (exited, unreadable): the total is incomplete when this is not empty. */
  readonly missing: readonly string[];
  /** This process (the simulator, and the TCP balancer with several edges): for reference, not in the total. */
  readonly loadGenerator: CpuFigures;
}

/** The fields of /proc/<pid>/stat we use, in clock ticks (ppid aside). */
interface ProcStat {
  readonly ppid: number;
  readonly utime: number;
  readonly stime: number;
  /** CPU of the children it waited for (reaped), accumulated over its life. */
  readonly cutime: number;
  readonly cstime: number;
}

/** Parses /proc/<pid>/stat (proc(5)); undefined when it does not look like one. */
export function parseProcStat(text: string): ProcStat | undefined {
  // Field 2 is "(comm)", which may hold spaces and parentheses: the other fields follow the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const field = (n: number): number => Number(rest[n - 3]);
  const stat = { ppid: field(4), utime: field(14), stime: field(15), cutime: field(16), cstime: field(17) };
  return Object.values(stat).every((v) => Number.isInteger(v) && v >= 0) ? stat : undefined;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // exited, or not Linux
  }
}

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`, read once; 100 (Linux's value on every common architecture) when it fails. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    let value = Number.NaN;
    try {
      value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim());
    } catch {
      // no getconf: keep the fallback
    }
    ticksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
  }
  return ticksPerSecond;
}

/** Every process's stat, read once per sample (children are found by their ppid). */
function allStats(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== undefined) out.set(Number(entry), stat);
  }
  return out;
}

/**
 * The pid of a child of this process whose command line has the argument `argument` (nats-server: its
 * `--server_name csms-test-<port>`; @csms/test-servers does not expose the pid).
 */
export function childPidWithArgument(argument: string): number | undefined {
  for (const [pid, stat] of allStats()) {
    if (stat.ppid !== process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(argument)) return pid;
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

/** One subject at one instant: its ticks (undefined when unreadable) and its process count. */
interface SubjectSample {
  readonly ticks: number | undefined;
  readonly processes: number;
}

interface Sample {
  readonly subjects: readonly SubjectSample[];
  readonly loadGenerator: NodeJS.CpuUsage;
  readonly stats: SimulatorStats;
}

function sampleSubject(subject: CpuSubject, all: Map<number, ProcStat> | undefined): SubjectSample {
  if (subject.pid === undefined) return { ticks: undefined, processes: 0 };
  const own = readStat(subject.pid);
  if (own === undefined) return { ticks: undefined, processes: 0 };
  if (!subject.withChildren || all === undefined) return { ticks: own.utime + own.stime, processes: 1 };
  // Children alive now, plus (cutime + cstime) for those that exited and were reaped: a backend that ends
  // inside the window then counts its CPU up to its end, minus what the first sample saw of it.
  let ticks = own.utime + own.stime + own.cutime + own.cstime;
  let processes = 1;
  for (const stat of all.values()) {
    if (stat.ppid !== subject.pid) continue;
    ticks += stat.utime + stat.stime;
    processes++;
  }
  return { ticks, processes };
}

function sample(subjects: readonly CpuSubject[], stats: SimulatorStats): Sample {
  const all = subjects.some((s) => s.withChildren) ? allStats() : undefined;
  return {
    subjects: subjects.map((s) => sampleSubject(s, all)),
    loadGenerator: process.cpuUsage(),
    stats,
  };
}

function figures(cpuSeconds: number, answered: number, windowSeconds: number): CpuFigures {
  return {
    cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
    microsPerCall: answered > 0 ? Math.round((cpuSeconds / answered) * 1e7) / 10 : null,
    coreShare: windowSeconds > 0 ? Math.round((cpuSeconds / windowSeconds) * 1e4) / 1e4 : 0,
  };
}

/**
 * Measures one window: `open` and `close` take the CPU samples right after the simulator's KPI table of
 * the same instant, so the answers counted and the CPU time cover the same interval.
 */
export class CpuWindowMeter {
  readonly #subjects: readonly CpuSubject[];
  #start: Sample | undefined;

  constructor(subjects: readonly CpuSubject[]) {
    this.#subjects = subjects;
    clockTicksPerSecond(); // spawns getconf: not inside the window
  }

  open(stats: SimulatorStats): void {
    this.#start = sample(this.#subjects, stats);
  }

  close(stats: SimulatorStats): CpuResult {
    const end = sample(this.#subjects, stats);
    const start = this.#start ?? end;
    const hz = clockTicksPerSecond();
    const elapsedMs = Math.max(0, end.stats.elapsedMs - start.stats.elapsedMs);
    const seconds = elapsedMs / 1000;
    const answered = end.stats.all.count - start.stats.all.count;
    const sent = end.stats.messages.sent - start.stats.messages.sent;
    const missing: string[] = [];
    let totalTicks = 0;
    const processes = this.#subjects.map((subject, i): ProcessCpu => {
      const before = start.subjects[i]?.ticks;
      const after = end.subjects[i]?.ticks;
      const ok = before !== undefined && after !== undefined && after >= before;
      if (ok) totalTicks += after - before;
      else missing.push(subject.name);
      return {
        name: subject.name,
        role: subject.role,
        pid: subject.pid,
        processCount: end.subjects[i]?.processes ?? 0,
        cpu: ok ? figures((after - before) / hz, answered, seconds) : null,
      };
    });
    const lg = (u: NodeJS.CpuUsage): number => u.user + u.system;
    return {
      window: {
        startMs: start.stats.elapsedMs,
        elapsedMs,
        stationsBooted: start.stats.stations.booted,
        callsSent: sent,
        callsAnswered: answered,
        offeredPerSecond: seconds > 0 ? Math.round((sent / seconds) * 10) / 10 : 0,
        answeredPerSecond: seconds > 0 ? Math.round((answered / seconds) * 10) / 10 : 0,
      },
      clockTicksPerSecond: hz,
      processes,
      total: figures(totalTicks / hz, answered, seconds),
      missing,
      loadGenerator: figures((lg(end.loadGenerator) - lg(start.loadGenerator)) / 1e6, answered, seconds),
    };
  }
}
