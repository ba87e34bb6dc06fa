/**
 * The NATS implementation of the bus, for the distributed deployment. A separate entry point
 * (`@csms/bus/nats`) so that the embedded single-process app, which uses `MemoryBus`, never loads the
 * NATS client.
 */
export {
  MIN_NATS_SERVER_VERSION,
  JetStreamUnavailableError,
  NatsServerTooOldError,
  assertServerFeatures,
  assertServerInfo,
  compareServerVersions,
  connectNats,
  isServerVersionAtLeast,
  type ConnectNatsOptions,
} from './connect.js';
export { ERROR_HEADER, NatsBus, UNDEFINED_HEADER, type NatsBusOptions } from './nats-bus.js';
