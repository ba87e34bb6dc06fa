export { ConfigError } from './config-error.js';
export {
  loadConfig,
  type BootPolicy,
  type CsmsConfig,
  type LogLevel,
  type StationCertificateSettings,
  type OcspSettings,
  type RetentionSettings,
} from './csms-config.js';
export type { ContractCertificateSettings } from './contract-certificate-settings.js';
export {
  API_SERVICE_NAMES,
  DEPLOYED_ROLES,
  LISTED_ROLES,
  ROLES,
  SERVICE_ROLES,
  isRoleName,
  type ApiServiceName,
  type RoleDeployment,
  type RoleName,
  type RoleSpec,
  type ServiceRole,
} from './roles.js';
export { parseSeed, readSeedFile, type Seed, type SeedIdToken, type SeedStation } from './seed-file.js';
