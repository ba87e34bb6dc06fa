/**
 * The README as a new user runs it: a fresh `git clone` of this repository's HEAD, `npm ci`, `npm start`,
 * the README's station snippet, every `npx csmsctl` line of its code blocks verbatim, and the seed-file
 * example (`CSMS_SEED_FILE=./seed.yaml CSMS_AUTO_REGISTER=false npm start`). The lines are read from
 * README.md, so the test follows the README. It uses the README's default ports (9000, 50051, 9080): it
 * runs in the sequential `cluster` project, which has the machine to itself.
 *
 * `npx csmsctl` must run the workspace's own CLI: the root package depends on the csmsctl workspace so
 * npm links its bin, and the test fails if npx would fetch a package from the registry instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The contents of the README's fenced code blocks of one language, in order. */
function blocks(lang: string): string[] {
  return [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
}

const csmsctlLines = blocks('sh')
  .flatMap((b) => b.split('\n'))
  .filter((l) => l.startsWith('npx csmsctl '));
const stationSnippet = blocks('js')[0] ?? '';
const seedYaml = blocks('yaml').find((b) => b.startsWith('# seed.yaml')) ?? '';
const seedStart = blocks('sh')
  .flatMap((b) => b.split('\n'))
  .find((l) => l.includes('CSMS_SEED_FILE=') && l.includes('npm start'));

/** The environment a new user has: none of the test run's CSMS settings. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CSMS_')));

let dir: string;
let server: ChildProcess | undefined;
const output: string[] = [];

function run(command: string, timeoutMs = 60_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', command], { cwd: dir, env: ENV, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `command` (e.g. `npm start`) in its own process group, its output kept for failure messages. */
function background(command: string): ChildProcess {
  const child = spawn('bash', ['-c', command], { cwd: dir, env: ENV, detached: true });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child?.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `npm start` as the README prints it (the station and gRPC ports open once it is up). */
async function npmStart(command = 'npm start'): Promise<ChildProcess> {
  const child = background(command);
  await waitUntil(async () => (await portOpen(9000)) && (await portOpen(50051)), 240_000, `${command} ready`);
  return child;
}

/** Runs the README's station snippet; resolves once the station has booted (it stays connected). */
async function station(): Promise<ChildProcess> {
  writeFileSync(join(dir, 'readme-station.mjs'), stationSnippet);
  const child = background('node readme-station.mjs');
  let seen = '';
  child.stdout?.on('data', (d: Buffer) => (seen += d.toString()));
  await waitUntil(() => seen.includes('Accepted'), 30_000, 'the README station booted');
  return child;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'csms-readme-'));
  const clone = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, dir], { encoding: 'utf8' });
  if (clone.status !== 0) throw new Error(`git clone failed: ${clone.stderr}`);
  const install = run('npm ci --prefer-offline --no-audit --no-fund', 300_000);
  if (install.code !== 0) throw new Error(`npm ci failed:\n${install.stderr}`);
}, 320_000);

afterAll(async () => {
  await stop(server);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the README on a fresh clone', () => {
  it('has the lines this test runs', () => {
    expect(csmsctlLines.length).toBeGreaterThanOrEqual(4);
    expect(stationSnippet).toContain('RPCClient');
    expect(seedYaml).toContain('stations:');
    expect(seedStart).toBeDefined();
  });

  it('npm start, the station snippet and every npx csmsctl line work as printed', async () => {
    server = await npmStart();
    // The local CLI, never a registry package: npm ci linked the workspace's bin into node_modules/.bin.
    expect(run('npx --no-install csmsctl --help').code).toBe(0);
    const cp001 = await station();
    try {
      for (const line of csmsctlLines.filter((l) => !l.includes(' events '))) {
        const r = run(line);
        expect(r.code, `${line}\n${r.stderr}`).toBe(0);
        if (line.includes(' call CP001 GetVariables ')) expect(r.stdout).toContain('"42"');
        if (line.includes(' stations list')) expect(r.stdout).toContain('CP001');
      }
      // `events` follows until Ctrl-C: a new connection of CP001 shows up on it.
      const follow = csmsctlLines.find((l) => l.includes(' events '));
      expect(follow).toBeDefined();
      const events = background(follow!);
      let seen = '';
      events.stdout?.on('data', (d: Buffer) => (seen += d.toString()));
      await new Promise((r) => setTimeout(r, 1_500));
      const again = await station();
      await waitUntil(() => seen.includes('booted'), 15_000, 'events shows the new boot');
      await stop(events);
      await stop(again);
    } finally {
      await stop(cp001);
      await stop(server);
      server = undefined;
    }
  }, 360_000);

  it('the seed file example: declared stations and tokens, unknown stations refused', async () => {
    writeFileSync(join(dir, 'seed.yaml'), seedYaml);
    server = await npmStart(seedStart);
    const stations = JSON.parse(run('npx csmsctl --json stations list').stdout) as {
      stations: { id: string; securityProfile?: number }[];
    };
    expect(stations.stations.find((s) => s.id === 'CP001')).toMatchObject({ securityProfile: 1 });
    expect(run('npx csmsctl --json tokens list').stdout).toContain('04A2B3C4');
    // CSMS_AUTO_REGISTER=false: an unknown station's upgrade is refused (HTTP 404).
    const probe = run(
      `node -e "const ws=new (require('ws'))('ws://127.0.0.1:9000/ocpp/UNKNOWN-9',['ocpp2.0.1']);ws.on('unexpected-response',(q,r)=>{console.log(r.statusCode);process.exit(0)});ws.on('open',()=>{console.log('open');process.exit(0)})"`,
    );
    expect(probe.stdout.trim()).toBe('404');
    await stop(server);
    server = undefined;
  }, 300_000);
});
