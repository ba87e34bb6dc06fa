export { startEmbeddedCsms, type EmbeddedCsms, type EmbeddedOptions } from './embedded.js';
export { DbCredentialStore } from './db-credential-store.js';
export { applySeed } from './seed.js';
export {
  LocalCluster,
  SERVICE_ROLES,
  type ClusterProcess,
  type ClusterRole,
  type LocalClusterOptions,
  type ServiceRole,
} from './local-cluster.js';
export { formatLogLine } from './log-line.js';
