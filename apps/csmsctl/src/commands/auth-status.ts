import { authV1 } from '@csms/grpc';
import { EnumChoice } from './proto-json.js';

/** An id token's authorization status: `--status`, and the tables of tokens and local list entries. */
export const AUTH_STATUS = new EnumChoice<authV1.AuthorizationStatus>(
  '--status',
  authV1.AuthorizationStatus,
  'AUTHORIZATION_STATUS_',
);
