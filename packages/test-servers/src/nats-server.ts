import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { natsServerBinary } from './nats-binary.js';

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
  /**
   * A configuration file's text (e.g. `authorization { … }` with users and their permissions), passed with `-c`;
   * the address, port and JetStream flags above still come from the command line.
   */
  readonly config?: string;
}

const TERMINATING: ReadonlySet<NodeJS.Signals> = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT']);

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

function running(proc: ChildProcess | undefined): proc is ChildProcess {
  return proc !== undefined && proc.exitCode === null && proc.signalCode === null;
}

function exited(child: ChildProcess): Promise<void> {
  if (!running(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal`, then SIGKILL if the process is still there 5 s later; resolves once it has exited. */
async function terminate(proc: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!running(proc)) return;
  const gone = exited(proc);
  proc.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
  clearTimeout(timer);
  if (running(proc)) {
    proc.kill('SIGKILL');
    await gone;
  }
}

/** One nats-server process of a {@link NatsServer}: where it runs and how it is (re)started. */
class NatsProcess {
  child: ChildProcess | undefined;
  port = 0;
  readonly storeDir: string;
  readonly #logFile: string;

  constructor(
    readonly bin: string,
    readonly dir: string,
    readonly jetstream: boolean,
    readonly configFile: string | undefined,
  ) {
    this.storeDir = join(dir, 'jetstream');
    this.#logFile = join(dir, 'nats-server.log');
  }

  #log(): string {
    return existsSync(this.#logFile) ? readFileSync(this.#logFile, 'utf8').slice(-4_000) : '';
  }

  /** Spawns the server on {@link port} and resolves when it accepts connections (20 s at most). */
  async spawn(): Promise<void> {
    const { bin, port } = this;
    const args = ['-a', '127.0.0.1', '-p', String(port), '--server_name', `csms-test-${port}`];
    if (this.jetstream) args.push('-js', '-sd', this.storeDir);
    if (this.configFile !== undefined) args.push('-c', this.configFile);
    const fd = openSync(this.#logFile, 'a');
    const proc = spawn(bin, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.child = proc;
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
          `nats-server exited (${proc.exitCode ?? proc.signalCode}) on port ${port}:\n${this.#log()}`,
        );
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(
          `nats-server did not accept connections on port ${port} within 20 s:\n${this.#log()}`,
        );
      }
    }
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    const proc = this.child;
    if (!running(proc)) return;
    if (!TERMINATING.has(signal)) {
      proc.kill(signal);
      return;
    }
    const gone = exited(proc);
    proc.kill(signal);
    await gone;
  }
}

/**
 * Starts a private nats-server from {@link natsServerBinary} on 127.0.0.1 with a free port and waits
 * until it accepts connections. With `jetstream` (default), runs `-js -sd <temp folder>`; with `config`, `-c` a
 * file of that text in the same folder.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'csms-nats-'));
  let configFile: string | undefined;
  if (options.config !== undefined) {
    configFile = join(dir, 'nats-server.conf');
    writeFileSync(configFile, options.config);
  }
  const server = new NatsProcess(
    options.binary ?? natsServerBinary(),
    dir,
    options.jetstream ?? true,
    configFile,
  );
  // A crashed test process must not leave servers behind: kill ours when this process exits.
  const killOnExit = (): void => {
    server.child?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  // Another process may take the free port between our probe and the server's bind: retry with a new one.
  for (let attempt = 1; ; attempt++) {
    server.port = await freePort();
    try {
      await server.spawn();
      break;
    } catch (error) {
      await terminate(server.child, 'SIGKILL');
      if (attempt >= 3) {
        process.removeListener('exit', killOnExit);
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let stopped = false;
  return {
    url: `nats://127.0.0.1:${server.port}`,
    port: server.port,
    storeDir: server.storeDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await terminate(server.child, 'SIGTERM');
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
    kill: (signal: NodeJS.Signals = 'SIGKILL') => server.kill(signal),
    restart: async () => {
      if (stopped) throw new Error('nats-server was stopped; start a new one');
      // A stopped (SIGSTOP) server would ignore SIGTERM until continued.
      if (running(server.child)) server.child.kill('SIGCONT');
      await terminate(server.child, 'SIGTERM');
      await server.spawn();
    },
  };
}
