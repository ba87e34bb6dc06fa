import { ClientError, errorSummary, Status } from '@csms/grpc';

/** Exit codes: 0 success, 1 the API answered with an error, 2 usage error, 3 the API was unreachable. */
export const ExitCode = { ok: 0, apiError: 1, usage: 2, unreachable: 3 } as const;

/** A mistake in the command line (bad flag value, unreadable payload file). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Writes a readable explanation of `error` and returns the exit code. */
export function reportError(error: unknown, stderr: { write(text: string): unknown }): number {
  if (error instanceof UsageError) {
    stderr.write(`csmsctl: ${error.message}\n`);
    return ExitCode.usage;
  }
  if (error instanceof ClientError) {
    const summary = errorSummary(error);
    const status = Status[error.code] ?? String(error.code);
    const lines = [`csmsctl: ${status}: ${error.details}`];
    if (summary.reason) lines.push(`  reason: ${summary.reason}`);
    for (const v of summary.violations) lines.push(`  ${v.field}: ${v.description}`);
    for (const [key, value] of Object.entries(summary.metadata)) lines.push(`  ${key}: ${value}`);
    if (error.code === Status.UNAVAILABLE && !summary.reason)
      lines.push('  (is the CSMS API running at the given --address, and is the credential right?)');
    stderr.write(`${lines.join('\n')}\n`);
    return error.code === Status.UNAVAILABLE && !summary.reason ? ExitCode.unreachable : ExitCode.apiError;
  }
  stderr.write(`csmsctl: ${error instanceof Error ? error.message : String(error)}\n`);
  return ExitCode.apiError;
}
