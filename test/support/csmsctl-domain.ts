/**
 * Set-up shared by the tests of csmsctl's domain commands (`test/api/csmsctl-*.test.ts`): a whole embedded CSMS
 * serving every gRPC service, a booted 1.6 and a booted 2.0.1 station, a temporary folder, and csmsctl run
 * in-process. The `let` bindings are live: each test file that calls {@link useCsmsctlDomain} gets its own
 * (vitest runs every file in its own module graph).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@csms/csmsctl';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestCsms, type TestCsms } from './csms.js';
import { booted16, booted201 } from './octt-states.js';
import { connect16, connect201, uniqueId, type Station16, type Station201 } from './scenario.js';

export const TOKEN = 'ctl-domain-token-0123456789';

export let csms: TestCsms;
export let cp: Station16;
export let cs: Station201;
export let dir: string;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs csmsctl in-process; `live` sees stdout while the command runs (for streams). */
export async function ctl(...argv: string[]): Promise<Run> {
  return ctlLive({ stdout: '', stderr: '' }, ...argv);
}

export async function ctlLive(live: { stdout: string; stderr: string }, ...argv: string[]): Promise<Run> {
  const code = await runCli(
    ['--address', csms.grpcAddress, '--token', TOKEN, ...argv],
    {
      stdout: { write: (t: string) => (live.stdout += t) },
      stderr: { write: (t: string) => (live.stderr += t) },
    },
    {},
  );
  return { code, stdout: live.stdout, stderr: live.stderr };
}

export function ok(run: Run): string {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout;
}

export const json = <T = Record<string, unknown>>(run: Run): T => JSON.parse(ok(run)) as T;

/** A row of a cli-table3 table: cells separated by │, trimmed. */
export function rows(table: string): string[][] {
  return table
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) =>
      line
        .split('│')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

/** A record table as a map of field → value. */
export function record(table: string): Record<string, string> {
  return Object.fromEntries(rows(table).map(([k, v]) => [k ?? '', v ?? '']));
}

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useCsmsctlDomain(): void {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'csmsctl-domain-'));
    csms = await startTestCsms({ env: { CSMS_API_TOKEN: TOKEN } });
    cp = await connect16(csms, { id: uniqueId('CTL16') });
    expect((await booted16(cp)).status).toBe('Accepted');
    cs = await connect201(csms, { id: uniqueId('CTL201') });
    expect((await booted201(cs)).status).toBe('Accepted');
  });

  afterAll(async () => {
    await csms?.close();
    rmSync(dir, { recursive: true, force: true });
  });
}
