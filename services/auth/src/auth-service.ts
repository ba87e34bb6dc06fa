import { apiService, authV1, type ApiService, type ServiceImplementation } from '@csms/grpc';
import { authorize } from './authorize.js';
import type { AuthServiceDeps } from './deps.js';
import { idTokenHandlers } from './id-tokens.js';
import { localListHandlers } from './local-lists.js';
import { setStationSecurityProfile } from './security-profile.js';
import { rotateStationPassword } from './station-password.js';

/**
 * `csms.auth.v1.AuthService`: id tokens, the Authorize decision, station credentials and local
 * authorization lists (see proto/csms/auth/v1/auth.proto).
 */
export function createAuthService(deps: AuthServiceDeps): ApiService {
  const implementation: ServiceImplementation<typeof authV1.AuthServiceDefinition> = {
    authorize: (request) => authorize(deps, request),
    ...idTokenHandlers(deps),
    rotateStationPassword: (request, context) => rotateStationPassword(deps, request, context),
    setStationSecurityProfile: (request) => setStationSecurityProfile(deps, request),
    ...localListHandlers(deps),
  };
  return apiService('csms.auth.v1.AuthService', authV1.AuthServiceDefinition, implementation);
}
