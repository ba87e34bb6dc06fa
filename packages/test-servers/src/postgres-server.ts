import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/**
 * Starts a private, throw-away PostgreSQL server for a test run: its own data folder, its own port on
 * 127.0.0.1, fsync off. Nothing is shared with the machine's own PostgreSQL.
 */
export interface PostgresServer {
  readonly url: string;
  /** Fast shutdown (committed work is kept), then start again on the same port and data folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startPostgres}. */
export interface PostgresServerOptions {
  /** Keep PostgreSQL's durability defaults (fsync, synchronous commit); default false (test speed). */
  readonly durable?: boolean;
  /**
   * Server libraries to load at start (`shared_preload_libraries`), e.g. `pg_stat_statements` for the benchmark's
   * statement statistics (`npm run bench -- --pg-statements`); they ship with the server package.
   */
  readonly preloadLibraries?: readonly string[];
}

/** A command line, run as the `postgres` system user when this process is root. */
type Wrap = (cmd: string, args: string[]) => [string, string[]];

function findBinDir(): string {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], 'bin');
  }
  throw new Error(
    'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; run `bash scripts/test.sh` (installs them) or set CSMS_TEST_PG_URL',
  );
}

function initDataDir(bin: string, dataDir: string, wrap: Wrap): void {
  const [cmd, args] = wrap(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  const init = spawnSync(cmd, args, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
}

function serverArgs(dir: string, dataDir: string, port: number, options: PostgresServerOptions): string[] {
  // Test speed: no fsync, asynchronous commit. `durable` keeps PostgreSQL's defaults, for tests that
  // restart the server and check that nothing acknowledged was lost.
  const speed = options.durable
    ? []
    : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  return [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    ...speed,
    '-c',
    'max_connections=300',
    ...(options.preloadLibraries?.length
      ? ['-c', `shared_preload_libraries=${options.preloadLibraries.join(',')}`]
      : []),
  ];
}

/** Spawns the server and resolves once it accepts a connection (30 s at most). */
async function launch(cmd: string, args: string[], url: string, logFile: string): Promise<ChildProcess> {
  const log = openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return child;
    } catch {
      await client.end().catch(() => {});
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        const stderr = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
        throw new Error(`postgres did not start: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function halt(child: ChildProcess, bin: string, dataDir: string, wrap: Wrap): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  // runuser does not forward signals to postgres: stop it through pg_ctl (fast mode).
  const [stopCmd, stopArgs] = wrap(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w']);
  spawnSync(stopCmd, stopArgs, { stdio: 'ignore', timeout: 15_000 });
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

export async function startPostgres(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const bin = findBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'csms-pg-'));
  chmodSync(dir, 0o777);
  const dataDir = join(dir, 'data');
  // PostgreSQL refuses to run as root: run it as the `postgres` system user when we are root.
  const asRoot = process.getuid?.() === 0;
  const wrap: Wrap = (cmd, args) =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  initDataDir(bin, dataDir, wrap);
  const port = await freePort();
  const [cmd, args] = wrap(join(bin, 'postgres'), serverArgs(dir, dataDir, port, options));
  const logFile = join(dir, 'postgres.log');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child = await launch(cmd, args, url, logFile);
  return {
    url,
    restart: async () => {
      await halt(child, bin, dataDir, wrap);
      child = await launch(cmd, args, url, logFile);
    },
    stop: async () => {
      await halt(child, bin, dataDir, wrap);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
