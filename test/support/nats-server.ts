import { spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A private, throw-away nats-server for tests: its own port on 127.0.0.1 and its own JetStream store
 * folder. Nothing is shared with a NATS server the machine may run.
 */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The JetStream store folder (kept across {@link restart}). */
  readonly storeDir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and deletes its folder. Idempotent. */
  stop(): Promise<void>;
  /**
   * Sends a signal to the server process, e.g. SIGKILL to simulate a crash. For terminating signals
   * (SIGKILL, SIGTERM, SIGINT, SIGQUIT) it resolves once the process has exited; for others (SIGSTOP,
   * SIGCONT, SIGHUP, ...) at once. The folder is kept, so {@link restart} can follow.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Stops the server if it runs (SIGTERM), then starts it again on the same port with the same store
   * folder, and resolves when it accepts connections. Clients reconnect to the same URL.
   */
  restart(): Promise<void>;
}

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Enable JetStream (`-js`) with a private store folder. Default true. */
  readonly jetstream?: boolean;
  /** The nats-server binary to run instead of {@link natsServerBinary} (e.g. an old one, to test refusal). */
  readonly binary?: string;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where scripts/ensure-nats-server.sh caches the binary it fetched. */
const CACHED_BINARY = join(REPO_ROOT, '.test-runtime', 'nats', 'usr', 'sbin', 'nats-server');
const TERMINATING: ReadonlySet<NodeJS.Signals> = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT']);

/**
 * The nats-server binary to run: `$CSMS_NATS_SERVER`, else the copy scripts/ensure-nats-server.sh
 * cached in the repository. Throws with instructions when there is none.
 */
export function natsServerBinary(): string {
  const fromEnv = process.env.CSMS_NATS_SERVER;
  if (fromEnv) return fromEnv;
  if (isExecutable(CACHED_BINARY)) return CACHED_BINARY;
  throw new Error(
    'no nats-server >= 2.11 for the tests: run `bash scripts/ensure-nats-server.sh` (it downloads one into ' +
      '.test-runtime/) and set CSMS_NATS_SERVER to the path it prints, or run the tests through `bash scripts/test.sh`',
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
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

/** Resolves when a TCP client gets the server's INFO line, i.e. the server accepts NATS clients. */
function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('INFO ')));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a private nats-server from {@link natsServerBinary} on 127.0.0.1 with a free port and waits
 * until it accepts connections. With `jetstream` (default), runs `-js -sd <temp folder>`.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const bin = options.binary ?? natsServerBinary();
  const jetstream = options.jetstream ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'csms-nats-'));
  const storeDir = join(dir, 'jetstream');
  const logFile = join(dir, 'nats-server.log');
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4_000) : '');
  let port = 0;
  let child: ChildProcess | undefined;
  // A crashed test process must not leave servers behind: kill ours when this process exits.
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const spawnServer = async (): Promise<void> => {
    const args = ['-a', '127.0.0.1', '-p', String(port), '--server_name', `csms-test-${port}`];
    if (jetstream) args.push('-js', '-sd', storeDir);
    const fd = openSync(logFile, 'a');
    const proc = spawn(bin, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child = proc;
    // Without a listener, a late 'error' (e.g. a failed kill) would crash the test process.
    proc.on('error', () => {});
    const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve));
    // JetStream start-up (store recovery after a restart) can take a moment on a busy machine.
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (await probe(port)) return;
      const failed = await Promise.race([
        spawnError,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)),
      ]);
      if (failed) throw new Error(`cannot run nats-server ${bin}: ${failed.message}`);
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(
          `nats-server exited (${proc.exitCode ?? proc.signalCode}) on port ${port}:\n${log()}`,
        );
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`nats-server did not accept connections on port ${port} within 20 s:\n${log()}`);
      }
    }
  };

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = exited(proc);
    proc.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
    clearTimeout(timer);
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await gone;
    }
  };

  // Another process may take the free port between our probe and the server's bind: retry with a new one.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await spawnServer();
      break;
    } catch (error) {
      await terminate('SIGKILL');
      if (attempt >= 3) {
        process.removeListener('exit', killOnExit);
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  let stopped = false;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await terminate('SIGTERM');
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      if (!TERMINATING.has(signal)) {
        proc.kill(signal);
        return;
      }
      const gone = exited(proc);
      proc.kill(signal);
      await gone;
    },
    restart: async () => {
      if (stopped) throw new Error('nats-server was stopped; start a new one');
      // A stopped (SIGSTOP) server would ignore SIGTERM until continued.
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
      await terminate('SIGTERM');
      await spawnServer();
    },
  };
}
