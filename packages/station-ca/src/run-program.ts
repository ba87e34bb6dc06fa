import { spawn } from 'node:child_process';

/**
 * Runs an external program for one request (an external CA's signer, a contract certificate backend): the input on
 * its standard input, settings in its environment, its standard output collected. Bounded in time (killed with
 * SIGKILL after `timeoutMs`, and the answer does not wait for a grandchild that still holds its output open) and in
 * memory (output beyond `maxOutputBytes` ends it; of its standard error the first 4 KiB are kept for the log).
 */
export interface ProgramRun {
  /** The program and its arguments (no shell). */
  readonly command: readonly [string, ...string[]];
  readonly input: string;
  /** Added to this process's environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
}

/** How a run ended. `detail` is the start of its standard error (trimmed, at most 500 characters). */
export type ProgramOutcome =
  | { readonly kind: 'exited'; readonly code: number; readonly stdout: string; readonly detail: string }
  | { readonly kind: 'killed'; readonly signal: string; readonly detail: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'too-much-output' }
  | { readonly kind: 'not-started'; readonly error: Error };

/** Of the program's standard error, this much is kept for the log. */
const MAX_STDERR = 4096;

export function runProgram(run: ProgramRun): Promise<ProgramOutcome> {
  const [program, ...args] = run.command;
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...run.env },
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let settled = false;
    const finish = (outcome: ProgramOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // A grandchild may still hold the pipes: do not wait for them.
      child.stdout.destroy();
      child.stderr.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), run.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.byteLength;
      if (stdoutBytes > run.maxOutputBytes) finish({ kind: 'too-much-output' });
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.toString('utf8').slice(0, MAX_STDERR - stderr.length);
    });
    child.on('error', (error) => finish({ kind: 'not-started', error }));
    child.on('close', (code, signal) => {
      const detail = stderr.trim().slice(0, 500);
      finish(
        code === null
          ? { kind: 'killed', signal: signal ?? 'unknown signal', detail }
          : { kind: 'exited', code, stdout: Buffer.concat(stdout).toString('utf8'), detail },
      );
    });
    // A program that exits before reading its input (it refuses at once) closes the pipe: the write fails with
    // EPIPE, which must not become an uncaught error (it would end the CSMS); its exit status is the answer.
    child.stdin.on('error', () => undefined);
    child.stdin.end(run.input);
  });
}

/** A failed run in words, for errors and logs: "exited with 3: <stderr>", "gave no answer within 4000 ms"... */
export function describeFailure(outcome: ProgramOutcome, run: ProgramRun): string {
  const withDetail = (what: string, detail: string) => (detail ? `${what}: ${detail}` : what);
  switch (outcome.kind) {
    case 'exited':
      return withDetail(`exited with ${outcome.code}`, outcome.detail);
    case 'killed':
      return withDetail(`exited with ${outcome.signal}`, outcome.detail);
    case 'timeout':
      return `gave no answer within ${run.timeoutMs} ms`;
    case 'too-much-output':
      return `printed more than ${run.maxOutputBytes} bytes`;
    case 'not-started':
      return `could not be run: ${outcome.error.message}`;
  }
}
