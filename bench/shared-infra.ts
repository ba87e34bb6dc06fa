import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  natsServerBinary,
  startNatsServer,
  startPostgres,
  type NatsServer,
  type PostgresServer,
} from '@csms/test-servers';
import type { Cleanup } from './cleanup.js';
import { childPidWithArgument } from './cpu-usage.js';
import type { ResolvedOptions } from './options.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SIMULATOR_CLI = join(REPO_ROOT, 'packages', 'simulator', 'dist', 'cli.js');
/** Station identities are <prefix>00001...; the same fleet (and seed) for every configuration. */
export const STATION_PREFIX = 'BENCH';

/** The run's PostgreSQL server. */
export interface RunningPostgres {
  readonly server: PostgresServer;
  readonly version: string;
  readonly socketDir: string | undefined;
  /** From `postmaster.pid` in its data folder (@csms/test-servers does not expose it). */
  readonly postmasterPid: number | undefined;
}

/** The run's nats-server. */
export interface RunningNats {
  readonly server: NatsServer;
  readonly pid: number | undefined;
}

/** Servers and files shared by the configurations of one run, started on first use. */
export class SharedInfra {
  readonly #options: ResolvedOptions;
  readonly #cleanup: Cleanup;
  readonly #log: (line: string) => void;
  #folder: string | undefined;
  #postgres: Promise<RunningPostgres> | undefined;
  #nats: Promise<RunningNats> | undefined;
  #seed: Promise<string> | undefined;
  /** The stations' Basic-auth password (security profile 1), the same for all: a fresh random one per run. */
  readonly password: string | undefined;

  constructor(options: ResolvedOptions, cleanup: Cleanup, log: (line: string) => void) {
    this.#options = options;
    this.#cleanup = cleanup;
    this.#log = log;
    this.password = options.securityProfile === 1 ? randomBytes(12).toString('hex') : undefined;
  }

  /** The run's temporary folder (seed file, password file, PGlite data), removed at cleanup. */
  folder(): string {
    if (this.#folder === undefined) {
      const folder = mkdtempSync(join(tmpdir(), 'csms-bench-'));
      this.#folder = folder;
      this.#cleanup.removeOnExit(folder);
    }
    return this.#folder;
  }

  /** A private PostgreSQL server (its own data folder and port on 127.0.0.1). */
  postgres(): Promise<RunningPostgres> {
    this.#postgres ??= (async () => {
      this.#log(
        `starting a private PostgreSQL server (${this.#options.pgDurable ? 'durable' : 'fsync off'})`,
      );
      const server = await startPostgres({
        durable: this.#options.pgDurable,
        preloadLibraries: this.#options.pgStatements ? ['pg_stat_statements'] : [],
      });
      this.#cleanup.add('PostgreSQL server', () => server.stop());
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const version = await client.query<{ server_version: string }>('show server_version');
        const dataDir = await client.query<{ data_directory: string }>('show data_directory');
        const sockets = await client.query<{ unix_socket_directories: string }>(
          'show unix_socket_directories',
        );
        const socketDir = sockets.rows[0]?.unix_socket_directories.split(',')[0]?.trim() || undefined;
        // If this process dies without cleaning up: stop the postmaster, remove its folder.
        const directory = dataDir.rows[0]?.data_directory;
        let postmasterPid: number | undefined;
        if (directory !== undefined) {
          const pid = Number(readFileSync(join(directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
          if (Number.isInteger(pid) && pid > 0) {
            postmasterPid = pid;
            this.#cleanup.killOnExit(pid, 'SIGQUIT');
          }
          this.#cleanup.removeOnExit(dirname(directory));
        }
        const versionText = version.rows[0]?.server_version ?? 'unknown';
        return { server, version: versionText, socketDir, postmasterPid };
      } finally {
        await client.end();
      }
    })();
    return this.#postgres;
  }

  /**
   * A new, empty database on the private server; returns its URL for the CSMS processes: through the
   * server's Unix socket (`?host=<dir>`, pg's syntax) unless `pgTransport` is `tcp`.
   */
  async createDatabase(name: string): Promise<string> {
    const { server, socketDir } = await this.postgres();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(`drop database if exists ${name}`);
      await client.query(`create database ${name}`);
    } finally {
      await client.end();
    }
    const url = server.url.replace(/\/postgres$/, `/${name}`);
    if (this.#options.pgTransport === 'tcp' || socketDir === undefined) return url;
    return `${url}?host=${encodeURIComponent(socketDir)}`;
  }

  /** A private nats-server >= 2.11 with JetStream. */
  nats(): Promise<RunningNats> {
    this.#nats ??= (async () => {
      let binary: string;
      try {
        binary = natsServerBinary();
      } catch {
        this.#log('fetching a nats-server >= 2.11 (scripts/ensure-nats-server.sh)');
        binary = (await run('bash', [join(REPO_ROOT, 'scripts', 'ensure-nats-server.sh')], 300_000)).trim();
      }
      const server = await startNatsServer({ jetstream: true, binary });
      this.#cleanup.add('nats-server', () => server.stop());
      this.#cleanup.removeOnExit(dirname(server.storeDir));
      // Its CPU time is measured: found by the server name startNatsServer gives it (the pid is not exposed).
      return { server, pid: childPidWithArgument(`csms-test-${server.port}`) };
    })();
    return this.#nats;
  }

  /**
   * The seed file of the fleet, written by the simulator's own seed writer (`simulate --write-seed`):
   * every station (security profile 0, or 1 with its password) and its id token as Accepted.
   */
  seedFile(): Promise<string> {
    this.#seed ??= (async () => {
      const folder = this.folder();
      const seed = join(folder, 'seed.yaml');
      const args = [
        SIMULATOR_CLI,
        '--url',
        'ws://127.0.0.1:9/ocpp',
        '--stations',
        String(this.#options.stations),
        '--mix',
        String(this.#options.versionMix),
        '--prefix',
        STATION_PREFIX,
        '--write-seed',
        seed,
      ];
      if (this.password !== undefined) {
        const passwords = join(folder, 'passwords.txt');
        writeFileSync(passwords, `* ${this.password}\n`, { mode: 0o600 });
        args.push('--password-file', passwords);
      }
      await run(process.execPath, args, 120_000);
      return seed;
    })();
    return this.#seed;
  }
}

/** Runs a command to completion (bounded); resolves with its stdout. */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      [...args],
      { cwd: REPO_ROOT, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stderr}`));
        else resolvePromise(stdout);
      },
    );
  });
}
