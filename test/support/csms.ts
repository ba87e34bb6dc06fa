import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedCsms, type EmbeddedCsms } from '@csms/app';
import { loadConfig } from '@csms/config';
import type { DatabaseConfig } from '@csms/db';
import { createLogger } from '@csms/telemetry';
import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions as RPCClientOptions } from 'ocpp-rpc/lib/client.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

/** A whole embedded CSMS on ephemeral loopback ports, for scenario tests. */
export interface TestCsms extends EmbeddedCsms {
  /** `ws://127.0.0.1:<port>/ocpp` — append `/<stationId>`. */
  readonly endpoint: string;
  readonly adminUrl: string;
  /** `127.0.0.1:<port>` of the gRPC API (no credential unless the test sets CSMS_API_TOKEN). */
  readonly grpcAddress: string;
  /** Connects an independent OCPP client (npm `ocpp-rpc`, strict mode: it validates both directions). */
  connect(options: StationClientOptions): Promise<RPCClient>;
  close(): Promise<void>;
}

export interface StationClientOptions {
  readonly identity: string;
  readonly protocol: 'ocpp1.6' | 'ocpp2.0.1';
  readonly password?: string;
  /**
   * CALLs the client may have in flight at once (ocpp-rpc `callConcurrency`, default 1). Above 1 the station
   * overlaps its CALLs, as OCPP-J §4.1.1 asks it not to and real stations sometimes do.
   */
  readonly callConcurrency?: number;
  /** Handlers for CSMS-initiated CALLs, registered before connecting. */
  readonly handlers?: Record<string, (params: Record<string, unknown>) => unknown>;
}

export interface TestCsmsOptions {
  /** Extra CSMS_* environment settings. */
  readonly env?: Record<string, string>;
  /** Seed file content (YAML or JSON), written to a temp file and loaded through CSMS_SEED_FILE. */
  readonly seed?: string;
  /** `pglite` (in memory, default) or `postgres` (a fresh database on the test run's server). */
  readonly database?: 'pglite' | 'postgres';
}

export async function startTestCsms(options: TestCsmsOptions = {}): Promise<TestCsms> {
  const dir = mkdtempSync(join(tmpdir(), 'csms-test-'));
  const env: Record<string, string> = {
    CSMS_HOST: '127.0.0.1',
    CSMS_PORT: '0',
    CSMS_ADMIN_HOST: '127.0.0.1',
    CSMS_LOG_LEVEL: process.env.CSMS_TEST_LOG_LEVEL ?? 'silent',
    CSMS_SHUTDOWN_GRACE_MS: '1000',
    ...options.env,
  };
  if (options.seed !== undefined) {
    const seedFile = join(dir, 'seed.yaml');
    writeFileSync(seedFile, options.seed);
    env.CSMS_SEED_FILE = seedFile;
  }
  let testDb: TestDatabase | undefined;
  let database: DatabaseConfig = { kind: 'pglite-memory' };
  if (options.database === 'postgres') {
    testDb = await createTestDatabase();
    database = { kind: 'postgres', url: testDb.url };
  }
  const config = loadConfig(env);
  const csms = await startEmbeddedCsms({
    config,
    logger: createLogger({ service: 'csms-test', level: config.log.level }),
    database,
    adminPort: 0,
    grpcPort: 0,
  });
  const clients: RPCClient[] = [];
  const endpoint = `ws://127.0.0.1:${csms.port}/ocpp`;
  return {
    ...csms,
    stop: () => csms.stop(),
    setBootPolicy: (id, policy) => csms.setBootPolicy(id, policy),
    endpoint,
    adminUrl: `http://127.0.0.1:${csms.adminPort ?? 0}`,
    grpcAddress: `127.0.0.1:${csms.grpcPort ?? 0}`,
    async connect(o) {
      const client = await connectStation(endpoint, o, 10_000);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
      await csms.stop();
      await testDb?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Connects an independent OCPP client (npm `ocpp-rpc`, strict mode: it validates both directions) to
 * `endpoint` (`ws://host:port/ocpp`), with handlers for CSMS-initiated CALLs registered before connecting.
 */
export async function connectStation(
  endpoint: string,
  o: StationClientOptions,
  callTimeoutMs: number,
): Promise<RPCClient> {
  // ocpp-rpc's typings mark every option as required although the library fills in defaults.
  const client = new RPCClient({
    endpoint,
    identity: o.identity,
    protocols: [o.protocol],
    strictMode: true,
    reconnect: false,
    callTimeoutMs,
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.callConcurrency !== undefined ? { callConcurrency: o.callConcurrency } : {}),
  } as Partial<RPCClientOptions> as RPCClientOptions);
  for (const [action, handler] of Object.entries(o.handlers ?? {})) {
    client.handle(action, async ({ params }) => (await handler(params ?? {})) as Record<string, unknown>);
  }
  await client.connect();
  return client;
}
