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
import net from 'node:net';
import pg from 'pg';

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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function startPostgres(options: { durable?: boolean } = {}): Promise<PostgresServer> {
  const bin = findBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'csms-pg-'));
  chmodSync(dir, 0o777);
  const dataDir = join(dir, 'data');
  // PostgreSQL refuses to run as root: run it as the `postgres` system user when we are root.
  const asRoot = process.getuid?.() === 0;
  const wrap = (cmd: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const [initCmd, initArgs] = wrap(join(bin, 'initdb'), [
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
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  // Test speed: no fsync, asynchronous commit. `durable` keeps PostgreSQL's defaults, for tests that
  // restart the server and check that nothing acknowledged was lost.
  const speed = options.durable
    ? []
    : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const [cmd, args] = wrap(join(bin, 'postgres'), [
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
  ]);
  const logFile = join(dir, 'postgres.log');
  const stderr = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess;
  const launch = async (): Promise<void> => {
    const log = openSync(logFile, 'a');
    child = spawn(cmd, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => {});
        if (child.exitCode !== null || Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`postgres did not start: ${stderr()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const halt = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    // runuser does not forward signals to postgres: stop it through pg_ctl (fast mode).
    const [stopCmd, stopArgs] = wrap(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w']);
    spawnSync(stopCmd, stopArgs, { stdio: 'ignore', timeout: 15_000 });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  await launch();
  return {
    url,
    restart: async () => {
      await halt();
      await launch();
    },
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
