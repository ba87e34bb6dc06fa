export { ConfigError } from './config-error.js';
export { loadConfig, type BootPolicy, type CsmsConfig, type LogLevel } from './csms-config.js';
export { parseSeed, readSeedFile, type Seed, type SeedIdToken, type SeedStation } from './seed-file.js';
