import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Resident memory of a process from /proc/<pid>/status, KiB (undefined off Linux or once it exited). */
export interface ProcessMemory {
  /** VmRSS: resident now. */
  readonly rssKiB: number;
  /** VmHWM: the highest resident size so far. */
  readonly peakRssKiB: number;
}

export function readProcessMemory(pid: number | undefined): ProcessMemory | undefined {
  if (pid === undefined) return undefined;
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string): number | undefined => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  };
  const rssKiB = field('VmRSS');
  const peakRssKiB = field('VmHWM');
  return rssKiB === undefined || peakRssKiB === undefined ? undefined : { rssKiB, peakRssKiB };
}

/** The soft limit of open files of this process (undefined off Linux). */
export function openFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (match?.[1] === undefined) return undefined;
    return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** A Node.js child process that reports `{ type: 'ready', ... }` over IPC once it serves. */
export interface NodeChild {
  readonly name: string;
  readonly pid: number | undefined;
  /** The ready message. */
  readonly ready: Record<string, unknown>;
  /** The last lines it wrote (stdout and stderr), for diagnostics. */
  tail(): string[];
  /** Log lines it wrote at level warn, and at error or fatal. */
  logCounts(): LogCounts;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_LINES = 200;

/** Warnings and errors in a server's JSON log lines. */
export interface LogCounts {
  warn: number;
  error: number;
}

/** Counts `line` into `counts` when it is a JSON log line at level warn, error or fatal. */
export function countLogLine(counts: LogCounts, line: string): void {
  const level = /"level":"(\w+)"/.exec(line)?.[1];
  if (level === 'warn') counts.warn++;
  else if (level === 'error' || level === 'fatal') counts.error++;
}

/**
 * Spawns `node <args>` with an IPC channel and waits for its ready message. Rejects (after killing it)
 * when it exits first or is not ready within `readyTimeoutMs`.
 */
export function spawnNodeChild(options: {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly readyTimeoutMs: number;
  readonly onSpawn?: (pid: number | undefined) => void;
}): Promise<NodeChild> {
  const lines: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  options.onSpawn?.(child.pid);
  const counts: LogCounts = { warn: 0, error: 0 };
  const keep = (line: string): void => {
    countLogLine(counts, line);
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', keep);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 15_000): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      if (child.connected) child.disconnect();
    })());
  return new Promise<NodeChild>((resolve, reject) => {
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop(2_000).then(() =>
        reject(new Error(`${options.name}: ${message}\n${lines.slice(-30).join('\n')}`)),
      );
    };
    const timer = setTimeout(
      () => fail(`not ready within ${options.readyTimeoutMs} ms`),
      options.readyTimeoutMs,
    );
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before it was ready`));
    child.on('message', (message: unknown) => {
      if (settled || typeof message !== 'object' || message === null) return;
      const m = message as Record<string, unknown>;
      if (m.type !== 'ready') return;
      settled = true;
      clearTimeout(timer);
      resolve({
        name: options.name,
        pid: child.pid,
        ready: m,
        tail: () => [...lines],
        logCounts: () => ({ ...counts }),
        stop,
      });
    });
  });
}
