export { Worker, type WorkerOptions } from './worker.js';
export { defaultWorkerConfig, type WorkerConfig } from './worker-config.js';
export { FencedError, PartitionFence } from './partition-fence.js';
export type { Logger } from './logger.js';
export {
  localPorts,
  localPortsWith,
  type LocalPortsOptions,
  type Authorizer,
  type PortScope,
  type Ports,
  type PortsFactory,
  type TransactionRecorder,
} from './ports.js';
export { remotePorts, type RemotePorts, type RemotePortsOptions } from './remote-ports.js';
