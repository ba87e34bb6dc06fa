import { existsSync } from 'node:fs';
import { LocalCluster, SERVICE_ROLES, type ServiceRole } from '@csms/app';
import { openDatabase, type DatabaseHandle } from '@csms/db';
import type { RPCClient } from 'ocpp-rpc';
import { connectStation, type StationClientOptions } from './csms.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { freePortRanges, startNatsServer, type NatsServer } from '@csms/test-servers';

/**
 * The whole distributed topology as OS processes (`csms api|auth|transaction|firmware|smart-charging`,
 * workers, an edge) over a private nats-server and a fresh PostgreSQL database, for API tests. The workers
 * call `auth` and `transaction` over gRPC. Needs the build (`apps/csms/dist`).
 */
export interface DistributedCsms {
  /** `ws://127.0.0.1:<edge port>/ocpp`. */
  readonly endpoint: string;
  /** The api process (station API + typed OCPP commands). */
  readonly grpcAddress: string;
  readonly token: string;
  address(role: ServiceRole): string;
  readonly cluster: LocalCluster;
  /** The database the processes share (for assertions). */
  readonly database: DatabaseHandle;
  connect(options: StationClientOptions): Promise<RPCClient>;
  /** The processes' warnings and errors so far (CSMS_LOG_LEVEL=warn). */
  logTail(): string;
  close(): Promise<void>;
}

export async function startDistributedCsms(
  options: { workers?: number; env?: Record<string, string> } = {},
): Promise<DistributedCsms> {
  if (!existsSync(new URL('../../apps/csms/dist/main.js', import.meta.url)))
    throw new Error('apps/csms/dist/main.js is missing: run `npm run build` first (npm test does)');
  const token = 'distributed-test-token';
  const nats: NatsServer = await startNatsServer({ jetstream: true });
  const testDb: TestDatabase = await createTestDatabase();
  const [basePort, servicesBasePort] = (await freePortRanges(1, SERVICE_ROLES.length)) as [number, number];
  const lines: string[] = [];
  const cluster = new LocalCluster({
    edges: 1,
    workers: options.workers ?? 2,
    natsUrl: nats.url,
    databaseUrl: testDb.url,
    basePort,
    services: { basePort: servicesBasePort },
    env: {
      CSMS_LOG_LEVEL: 'warn',
      CSMS_API_TOKEN: token,
      CSMS_AUTO_REGISTER: 'true',
      CSMS_SHUTDOWN_GRACE_MS: '1000',
      CSMS_DATABASE_POOL_SIZE: '4',
      ...options.env,
    },
    onLine: (name, line) => {
      lines.push(`${name} ${line}`);
      if (lines.length > 2000) lines.shift();
    },
  });
  try {
    await cluster.start();
  } catch (error) {
    await cluster.stop().catch(() => undefined);
    await nats.stop();
    await testDb.drop();
    throw new Error(`${String(error)}\n${lines.join('\n')}`, { cause: error });
  }
  const database = await openDatabase({ kind: 'postgres', url: testDb.url, poolSize: 2 });
  const endpoint = `ws://127.0.0.1:${basePort}/ocpp`;
  const clients: RPCClient[] = [];
  return {
    endpoint,
    grpcAddress: cluster.serviceAddress('api'),
    token,
    address: (role) => cluster.serviceAddress(role),
    cluster,
    database,
    logTail: () => lines.join('\n'),
    async connect(o) {
      const client = await connectStation(endpoint, o, 15_000);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
      await cluster.stop();
      await database.close();
      await nats.stop();
      await testDb.drop();
    },
  };
}
