export { startEmbeddedCsms, type EmbeddedCsms, type EmbeddedOptions } from './embedded.js';
export { DbCredentialStore } from './db-credential-store.js';
export { applySeed } from './seed.js';
export { LocalCluster, type ClusterProcess, type LocalClusterOptions } from './local-cluster.js';
