export { createAuthService } from './auth-service.js';
export type { AuthServiceDeps } from './deps.js';
export { CertificateRenewalScheduler, type CertificateRenewalOptions } from './certificate-renewal.js';
export { generatePassword, passwordProblem } from './station-password.js';
export { MAX_LOCAL_LIST_ENTRIES } from './local-list-checks.js';
