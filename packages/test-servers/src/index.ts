/**
 * @csms/test-servers: private, throw-away servers for the tests and the benchmark: a PostgreSQL server, a
 * nats-server with JetStream, and an in-process TCP balancer. Nothing in production imports this package.
 */
export { startPostgres } from './postgres-server.js';
export type { PostgresServer, PostgresServerOptions } from './postgres-server.js';
export { natsServerBinary } from './nats-binary.js';
export { startNatsServer } from './nats-server.js';
export type { NatsServer, NatsServerOptions } from './nats-server.js';
export { startTcpBalancer } from './tcp-balancer.js';
export type { TcpBalancer } from './tcp-balancer.js';
export { freePort, freePortRanges, portIsFree } from './free-port.js';
