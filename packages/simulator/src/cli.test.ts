import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSeed } from '@csms/config';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, parsePasswordFile, UsageError } from './cli-args.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const TSX = fileURLToPath(import.meta.resolve('tsx/cli'));

/** Runs the CLI as `npm run simulate` does (tsx with the source condition). */
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSX, '--conditions=source', CLI, ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('command line', () => {
  it('parses a run', () => {
    const command = parseCliArgs([
      '--url',
      'ws://127.0.0.1:9000/ocpp',
      '--stations',
      '200',
      '--duration',
      '20',
      '--mix',
      '0.25',
      '--boot-storm',
      '--heartbeat',
      '30',
      '--mv-interval',
      '5000',
      '--id-tokens',
      'A,B',
    ]);
    expect(command).toMatchObject({
      kind: 'run',
      json: false,
      options: {
        url: 'ws://127.0.0.1:9000/ocpp',
        stations: 200,
        durationMs: 20_000,
        versionMix: 0.25,
        bootStorm: true,
        heartbeatIntervalSec: 30,
        idTokens: ['A', 'B'],
        transaction: { auto: true, meterValueIntervalMs: 5000, meterValuesPerTransaction: 6 },
      },
    });
    expect(parseCliArgs(['--url', 'ws://localhost:9000/ocpp'])).toMatchObject({
      options: { stations: 10, rampUpPerSecond: 100, durationMs: 60_000, versionMix: 0.5 },
    });
  });

  it('refuses bad arguments with a clear message', () => {
    const bad: [string[], RegExp][] = [
      [[], /--url is required/],
      [['--url', 'ws://10.1.2.3/ocpp'], /non-loopback/],
      [['--url', 'http://127.0.0.1/ocpp'], /ws:\/\//],
      [['--url', 'ws://127.0.0.1/ocpp', '--stations', '0'], /--stations must be a number from 1/],
      [['--url', 'ws://127.0.0.1/ocpp', '--stations', '2.5'], /--stations must be an integer/],
      [['--url', 'ws://127.0.0.1/ocpp', '--mix', '2'], /--mix/],
      [['--url', 'ws://127.0.0.1/ocpp', '--boot-storm', '--ramp', '10'], /exclude each other/],
      [['--url', 'ws://127.0.0.1/ocpp', '--bogus'], /Unknown option '--bogus'/],
      [['--url', 'ws://127.0.0.1/ocpp', '--id-tokens', 'A,,B'], /--id-tokens/],
    ];
    for (const [args, message] of bad) expect(() => parseCliArgs(args), args.join(' ')).toThrow(message);
    expect(() => parseCliArgs(['--stations'])).toThrow(UsageError);
    // A remote host is allowed when asked for explicitly.
    expect(parseCliArgs(['--url', 'ws://10.1.2.3/ocpp', '--allow-remote'])).toMatchObject({ kind: 'run' });
  });

  it('reads password files', () => {
    const passwords = parsePasswordFile(
      '# fleet\nSIM00001 first-password-16ch\n\n*   default-password-16c\n',
    );
    expect(passwords('SIM00001')).toBe('first-password-16ch');
    expect(passwords('SIM00002')).toBe('default-password-16c');
    expect(() => parsePasswordFile('SIM00001\n')).toThrow(/line 1/);
  });

  it('exits with code 2 and the usage on a usage error', async () => {
    const { code, stderr, stdout } = await runCli(['--stations', '5']);
    expect(code).toBe(2);
    expect(stderr).toContain('simulate: --url is required');
    expect(stderr).toContain('Usage: npm run simulate');
    expect(stdout).toBe('');
  });

  it('writes a seed file the CSMS accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    try {
      writeFileSync(join(dir, 'passwords'), 'SEED00002 a-password-of-16-chars\n');
      const seed = join(dir, 'seed.yaml');
      const args = ['--url', 'ws://127.0.0.1:9/ocpp', '--stations', '3', '--prefix', 'SEED'];
      const { code } = await runCli([
        ...args,
        '--password-file',
        join(dir, 'passwords'),
        '--write-seed',
        seed,
      ]);
      expect(code).toBe(0);
      const parsed = parseSeed(readFileSync(seed, 'utf8'));
      expect(parsed.stations.map((s) => [s.id, s.securityProfile, s.password])).toEqual([
        ['SEED00001', 0, undefined],
        ['SEED00002', 1, 'a-password-of-16-chars'],
        ['SEED00003', 0, undefined],
      ]);
      expect(parsed.idTokens.map((t) => [t.idToken, t.status])).toEqual([
        ['SEED00001', 'Accepted'],
        ['SEED00002', 'Accepted'],
        ['SEED00003', 'Accepted'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
