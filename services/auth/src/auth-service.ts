import { apiService, authV1, type ApiService, type ServiceImplementation } from '@csms/grpc';
import { authorize } from './authorize.js';
import { customerInformationHandlers } from './customer-information.js';
import type { AuthServiceDeps } from './deps.js';
import { idTokenHandlers } from './id-tokens.js';
import { localListHandlers } from './local-lists.js';
import { setStationSecurityProfile } from './security-profile.js';
import { CertificateRenewalScheduler } from './certificate-renewal.js';
import { listCertificates, renewCertificate, revokeCertificate } from './station-certificates.js';
import { rotateStationPassword } from './station-password.js';

/**
 * `csms.auth.v1.AuthService`: id tokens, the Authorize decision, station credentials and local
 * authorization lists (see proto/csms/auth/v1/auth.proto).
 */
export function createAuthService(deps: AuthServiceDeps): ApiService & { close(): Promise<void> } {
  const localLists = localListHandlers(deps);
  const implementation: ServiceImplementation<typeof authV1.AuthServiceDefinition> = {
    authorize: (request) => authorize(deps, request),
    ...idTokenHandlers(deps),
    rotateStationPassword: (request, context) => rotateStationPassword(deps, request, context),
    setStationSecurityProfile: (request) => setStationSecurityProfile(deps, request),
    listStationCertificates: (request) => listCertificates(deps, request),
    renewStationCertificate: (request, context) => renewCertificate(deps, request, context),
    revokeStationCertificate: (request) => revokeCertificate(deps, request),
    ...localLists,
    // N10.FR.02: a clear updates the station's local list through the same SendLocalList (lock, limits).
    ...customerInformationHandlers(deps, localLists.sendLocalList),
  };
  const renewal = deps.certificateRenewal
    ? new CertificateRenewalScheduler(deps, deps.certificateRenewal)
    : undefined;
  renewal?.start();
  return {
    ...apiService('csms.auth.v1.AuthService', authV1.AuthServiceDefinition, implementation),
    close: async () => renewal?.stop(),
  };
}
