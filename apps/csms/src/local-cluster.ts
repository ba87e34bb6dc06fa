import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SERVICE_ROLES, type RoleName, type ServiceRole } from '@csms/config';

// The gRPC service roles come from the role registry, in the order {@link LocalCluster} gives them
// ports (services.basePort + i).
export { SERVICE_ROLES, type ServiceRole } from '@csms/config';
export type ClusterRole = Extract<RoleName, 'edge' | 'worker' | 'admin'> | ServiceRole;

/** One process of a {@link LocalCluster}. */
export interface ClusterProcess {
  readonly name: string;
  readonly role: ClusterRole;
  /** Station port (edges), admin port (admin) or gRPC port (api and domain services). */
  readonly port: number | undefined;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Sends a signal (SIGKILL: crash; SIGSTOP / SIGCONT: freeze and resume; SIGTERM: graceful stop). */
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  exited(): Promise<number | null>;
  /** Starts the process again with the same name and port, and waits until it is ready. */
  restart(): Promise<void>;
}

export interface LocalClusterOptions {
  readonly edges: number;
  readonly workers: number;
  /** Also run the admin endpoint process. */
  readonly admin?: boolean;
  readonly natsUrl: string;
  readonly databaseUrl: string;
  /** First edge's station port; edge i listens on basePort + i. */
  readonly basePort: number;
  readonly adminPort?: number;
  /**
   * Also run the gRPC services, one process each (api on basePort, auth on basePort + 1, transaction,
   * firmware, smart-charging); the workers then call auth and transaction over gRPC, unless
   * `workerDomains` is `in-process` (they run the same domain code in their own fenced transaction, as
   * in embedded mode, while the services keep serving the API).
   */
  readonly services?: {
    readonly basePort: number;
    readonly adminPort?: number;
    readonly workerDomains?: 'grpc' | 'in-process';
  };
  /** Extra CSMS_* settings for every process. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Node.js flags for every process, e.g. `--cpu-prof --cpu-prof-dir=<dir>` (the benchmark's profiles:
   * node refuses --cpu-prof in NODE_OPTIONS).
   */
  readonly nodeArgs?: readonly string[];
  /** Receives every log line of every process. */
  readonly onLine?: (processName: string, line: string) => void;
  /** How long a process may take to become ready. */
  readonly readyTimeoutMs?: number;
}

const isServiceRole = (role: ClusterRole): role is ServiceRole =>
  (SERVICE_ROLES as readonly ClusterRole[]).includes(role);

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url)).replace(
  /\/src\/main\.js$/,
  '/dist/main.js',
);

/**
 * Runs the distributed topology on this machine: `workers` worker processes, `edges` edge processes
 * (ports basePort, basePort+1, ...) and optionally the admin endpoint, each a separate `csms <role>`
 * OS process, against the given NATS and PostgreSQL. For development, demos and the fail-over tests.
 */
export class LocalCluster {
  readonly processes: ClusterProcess[] = [];
  readonly #options: LocalClusterOptions;

  constructor(options: LocalClusterOptions) {
    this.#options = options;
  }

  edges(): ClusterProcess[] {
    return this.processes.filter((p) => p.role === 'edge');
  }

  workers(): ClusterProcess[] {
    return this.processes.filter((p) => p.role === 'worker');
  }

  /** The gRPC service processes (when started with `services`). */
  services(): ClusterProcess[] {
    return this.processes.filter((p) => isServiceRole(p.role));
  }

  /** `127.0.0.1:<port>` of a gRPC service role (with `services`). */
  serviceAddress(role: ServiceRole): string {
    const base = this.#options.services?.basePort;
    if (base === undefined) throw new Error('the cluster runs no gRPC services');
    return `127.0.0.1:${base + SERVICE_ROLES.indexOf(role)}`;
  }

  /**
   * Starts the gRPC services (with `services`; the first one migrates the schema), then the workers
   * (they migrate it when there are no services), then the edges and the admin endpoint.
   */
  async start(): Promise<void> {
    const { workers, edges, basePort, admin, adminPort, services } = this.#options;
    if (services) {
      const [first, ...rest] = SERVICE_ROLES.map((role, i) =>
        this.#process(role, role, services.basePort + i),
      );
      // One at a time for the schema migration, then the others together.
      await first!.restart();
      await Promise.all(rest.map((p) => p.restart()));
    }
    const ws = Array.from({ length: workers }, (_, i) =>
      this.#process(`worker-${i + 1}`, 'worker', undefined),
    );
    await Promise.all(ws.map((p) => p.restart()));
    const es = Array.from({ length: edges }, (_, i) => this.#process(`edge-${i + 1}`, 'edge', basePort + i));
    await Promise.all(es.map((p) => p.restart()));
    if (admin) await this.#process('admin', 'admin', adminPort ?? 9080).restart();
  }

  /** Adds and starts one more worker. */
  async addWorker(): Promise<ClusterProcess> {
    const p = this.#process(`worker-${this.workers().length + 1}`, 'worker', undefined);
    await p.restart();
    return p;
  }

  /** Stops every process gracefully (SIGTERM), edges first. */
  async stop(): Promise<void> {
    const order = [
      ...this.edges(),
      ...this.processes.filter((p) => p.role === 'admin'),
      ...this.workers(),
      ...this.services(),
    ];
    for (const p of order) {
      if (!p.running) continue;
      p.signal('SIGCONT'); // a frozen process cannot handle SIGTERM
      p.signal('SIGTERM');
      const timeout = setTimeout(() => p.signal('SIGKILL'), 20_000);
      await p.exited();
      clearTimeout(timeout);
    }
  }

  #process(name: string, role: ClusterProcess['role'], port: number | undefined): ClusterProcess {
    const o = this.#options;
    let child: ChildProcess | undefined;
    let exit: Promise<number | null> = Promise.resolve(null);
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      CSMS_NATS_URL: o.natsUrl,
      CSMS_DATABASE_URL: o.databaseUrl,
      CSMS_NODE_ID: name,
      CSMS_HOST: '127.0.0.1',
      CSMS_ADMIN_HOST: '127.0.0.1',
      CSMS_GRPC_HOST: '127.0.0.1',
      // Several processes on one machine: each its own free port for /metrics unless the caller sets one.
      CSMS_METRICS_PORT: '0',
      CSMS_EXIT_WITH_PARENT: '1',
      ...(o.services
        ? {
            CSMS_AUTH_URL: `127.0.0.1:${o.services.basePort + SERVICE_ROLES.indexOf('auth')}`,
            CSMS_TRANSACTION_URL: `127.0.0.1:${o.services.basePort + SERVICE_ROLES.indexOf('transaction')}`,
            CSMS_WORKER_DOMAINS: o.services.workerDomains ?? 'grpc',
            CSMS_FIRMWARE_URL: `127.0.0.1:${o.services.basePort + SERVICE_ROLES.indexOf('firmware')}`,
            CSMS_SMART_CHARGING_URL: `127.0.0.1:${o.services.basePort + SERVICE_ROLES.indexOf('smart-charging')}`,
            CSMS_RESERVATION_URL: `127.0.0.1:${o.services.basePort + SERVICE_ROLES.indexOf('reservation')}`,
          }
        : { CSMS_GRPC_PORT: 'off' }),
      ...o.env,
      ...(role === 'edge' && port !== undefined ? { CSMS_PORT: String(port) } : {}),
      ...(role === 'admin' && port !== undefined ? { CSMS_ADMIN_PORT: String(port) } : {}),
      ...(isServiceRole(role) && port !== undefined ? { CSMS_GRPC_PORT: String(port) } : {}),
      ...(role === 'api' ? { CSMS_ADMIN_PORT: String(o.services?.adminPort ?? 0) } : {}),
    };
    const proc: ClusterProcess = {
      name,
      role,
      port,
      get pid() {
        return child?.pid;
      },
      get running() {
        return child !== undefined && child.exitCode === null && child.signalCode === null;
      },
      signal: (signal) => {
        if (proc.running) child?.kill(signal);
      },
      exited: () => exit,
      restart: async () => {
        const c = spawn(process.execPath, [...(o.nodeArgs ?? []), MAIN, role], {
          env,
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
        child = c;
        exit = new Promise((r) => c.once('exit', (code) => r(code)));
        await untilReady(c, name, o.readyTimeoutMs ?? 30_000, (line) => o.onLine?.(name, line));
      },
    };
    this.processes.push(proc);
    return proc;
  }
}

/**
 * Resolves once the child reports `{ type: 'ready' }` over IPC (main.ts does when its role is up); rejects when
 * it is not ready in time or exits first, then with the last lines it wrote (e.g. an EADDRINUSE).
 */
function untilReady(
  child: ChildProcess,
  name: string,
  timeoutMs: number,
  onLine: (line: string) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      if (!ready) reject(new Error(`${name} was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const tail: string[] = [];
    const line = (text: string) => {
      tail.push(text);
      if (tail.length > 20) tail.shift();
      onLine(text);
    };
    child.on('message', (message: { type?: string }) => {
      if (!ready && message.type === 'ready') {
        ready = true;
        clearTimeout(timer);
        resolve();
      }
    });
    if (child.stdout) createInterface({ input: child.stdout }).on('line', line);
    if (child.stderr) createInterface({ input: child.stderr }).on('line', line);
    // 'close' (not 'exit'): its output has been read to the end by then.
    child.once('close', (code) => {
      if (!ready) {
        clearTimeout(timer);
        const last = tail.length > 0 ? `; its last lines:\n${tail.join('\n')}` : '';
        reject(new Error(`${name} exited with ${code} before it was ready${last}`));
      }
    });
  });
}
