export { Worker, type WorkerOptions } from './worker.js';
export { defaultWorkerConfig, type WorkerConfig } from './worker-config.js';
export { FencedError, PartitionFence } from './partition-fence.js';
export type { Logger } from './logger.js';
