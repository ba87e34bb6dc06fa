import type {
  AuthorizationStatus as DbAuthorizationStatus,
  IdTokenStatus,
  LocalAuthListEntryStatus,
} from '@csms/db';
import { authV1 } from '@csms/grpc';

const { AuthorizationStatus } = authV1;
type ApiStatus = authV1.AuthorizationStatus;

const TO_API: Readonly<Record<DbAuthorizationStatus, ApiStatus>> = {
  Accepted: AuthorizationStatus.AUTHORIZATION_STATUS_ACCEPTED,
  Blocked: AuthorizationStatus.AUTHORIZATION_STATUS_BLOCKED,
  Expired: AuthorizationStatus.AUTHORIZATION_STATUS_EXPIRED,
  Invalid: AuthorizationStatus.AUTHORIZATION_STATUS_INVALID,
  ConcurrentTx: AuthorizationStatus.AUTHORIZATION_STATUS_CONCURRENT_TX,
  Unknown: AuthorizationStatus.AUTHORIZATION_STATUS_UNKNOWN,
};

/** The API enum of an OCPP authorization status. */
export function toApiStatus(status: DbAuthorizationStatus): ApiStatus {
  return TO_API[status];
}

const ID_TOKEN_STATUS: ReadonlyMap<ApiStatus, IdTokenStatus> = new Map([
  [AuthorizationStatus.AUTHORIZATION_STATUS_ACCEPTED, 'Accepted'],
  [AuthorizationStatus.AUTHORIZATION_STATUS_BLOCKED, 'Blocked'],
  [AuthorizationStatus.AUTHORIZATION_STATUS_EXPIRED, 'Expired'],
  [AuthorizationStatus.AUTHORIZATION_STATUS_INVALID, 'Invalid'],
]);

/** The stored status of an id token, or undefined when the API value is not one an id token may have. */
export function idTokenStatusOf(status: ApiStatus): IdTokenStatus | undefined {
  return ID_TOKEN_STATUS.get(status);
}

/**
 * The status of a local list entry (1.6 idTagInfo.status and 2.0.1 idTokenInfo.status share these), or
 * undefined when the API value is not one.
 */
export function localListStatusOf(status: ApiStatus): LocalAuthListEntryStatus | undefined {
  if (status === AuthorizationStatus.AUTHORIZATION_STATUS_CONCURRENT_TX) return 'ConcurrentTx';
  return idTokenStatusOf(status);
}

export const ID_TOKEN_STATUSES = 'ACCEPTED, BLOCKED, EXPIRED or INVALID';
export const LOCAL_LIST_STATUSES = 'ACCEPTED, BLOCKED, EXPIRED, INVALID or CONCURRENT_TX';
