/**
 * `npm run cluster -- --edges 2 --workers 3`: the distributed topology on this machine, for
 * development and demos. Each edge, worker and the admin endpoint (with `--services`: each gRPC service
 * role of the registry in @csms/config) is its own OS process.
 *
 * NATS: `--nats-url`, or a private nats-server >= 2.11 started here (fetched by
 * scripts/ensure-nats-server.sh; the Debian bookworm server is too old). PostgreSQL: `--database-url`,
 * default postgres://postgres@127.0.0.1:5432/csms_cluster (the database is created if missing).
 * Ctrl-C stops everything gracefully.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { LocalCluster, formatLogLine } from '@csms/app';
import { SERVICE_ROLES } from '@csms/config';

const USAGE = `usage: npm run cluster -- [--edges N] [--workers N] [--nats-url URL] [--database-url URL] [--base-port P] [--admin-port P] [--services [--grpc-port P]]`;

function fail(message: string): never {
  process.stderr.write(`cluster: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      edges: { type: 'string', default: '2' },
      workers: { type: 'string', default: '3' },
      'nats-url': { type: 'string' },
      'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/csms_cluster' },
      'base-port': { type: 'string', default: '9000' },
      'admin-port': { type: 'string', default: '9080' },
      services: { type: 'boolean', default: false },
      'grpc-port': { type: 'string', default: '50051' },
      help: { type: 'boolean', default: false },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const int = (name: string, value: string, min: number, max: number): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer from ${min} to ${max}`);
  return n;
};
const edges = int('edges', args.edges, 1, 32);
const workers = int('workers', args.workers, 1, 64);
const basePort = int('base-port', args['base-port'], 1, 65535 - edges);
const adminPort = int('admin-port', args['admin-port'], 1, 65535);
const grpcPort = int('grpc-port', args['grpc-port'], 1, 65535 - SERVICE_ROLES.length);
const databaseUrl = args['database-url'];

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name))
    fail(`database name ${JSON.stringify(name)} must be a plain identifier`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
}

let natsUrl = args['nats-url'];
let natsProcess: ReturnType<typeof spawn> | undefined;
if (!natsUrl) {
  const binary = execFileSync('bash', ['scripts/ensure-nats-server.sh'], { encoding: 'utf8' }).trim();
  const store = '.test-runtime/cluster-nats';
  mkdirSync(store, { recursive: true });
  const port = 4233;
  natsProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
    stdio: 'ignore',
  });
  natsUrl = `nats://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 500));
  process.stdout.write(`cluster: started nats-server (${binary}) on ${natsUrl}\n`);
}

await ensureDatabase(databaseUrl);
const cluster = new LocalCluster({
  edges,
  workers,
  // With --services the api process serves the admin endpoint next to the gRPC station API.
  ...(args.services ? { services: { basePort: grpcPort, adminPort } } : { admin: true }),
  natsUrl,
  databaseUrl,
  basePort,
  adminPort,
  onLine: (name, line) => process.stdout.write(`${formatLogLine(name, line)}\n`),
});
try {
  await cluster.start();
} catch (error) {
  process.stderr.write(`cluster: ${(error as Error).message}\n`);
  await cluster.stop();
  natsProcess?.kill('SIGTERM');
  process.exit(1);
}
process.stdout.write(
  `cluster: ${workers} workers, ${edges} edges (stations: ws://127.0.0.1:${basePort}..${basePort + edges - 1}/ocpp/<id>), admin http://127.0.0.1:${adminPort}${
    args.services
      ? `, gRPC ${SERVICE_ROLES[0]} 127.0.0.1:${grpcPort} (${SERVICE_ROLES.slice(1)
          .map((role, i) => `${role} :${grpcPort + i + 1}`)
          .join(', ')})`
      : ''
  }. Ctrl-C stops.\n`,
);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void cluster.stop().finally(() => {
    natsProcess?.kill('SIGTERM');
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
