import { authorizeIdToken } from '@csms/db';
import { RequestViolations, authV1 } from '@csms/grpc';
import type { AuthServiceDeps } from './deps.js';
import { toApiStatus } from './statuses.js';
import { checkIdToken, checkIdTokenType, checkTime } from './validation.js';

const { Concurrency } = authV1;

/**
 * The Authorize decision (see `authorizeIdToken` in @csms/db): the same answer the station actors give
 * to Authorize / StartTransaction / TransactionEvent.
 */
export async function authorize(
  deps: Pick<AuthServiceDeps, 'db' | 'concurrency'>,
  request: authV1.AuthorizeRequest,
): Promise<authV1.AuthorizeResponse> {
  const v = new RequestViolations();
  checkIdToken(v, 'id_token', request.idToken);
  checkIdTokenType(v, 'type', request.type);
  v.stationId('station_id', request.stationId);
  checkTime(v, 'time', request.time);
  const concurrency = concurrencyOf(request.concurrency);
  if (concurrency === undefined) v.add('concurrency', 'must be OTHER_STATION, ANY or unspecified');
  if (request.excludeTransactionId !== undefined) {
    if (request.excludeTransactionId === '' || request.excludeTransactionId.length > 36)
      v.add('exclude_transaction_id', 'must be 1 to 36 characters when set');
  }
  v.throwIfAny('invalid Authorize request');
  const decision = await authorizeIdToken(deps.db, request.idToken, {
    stationId: request.stationId,
    now: request.time ?? new Date(),
    concurrency: concurrency ?? 'other-station',
    ...(request.type !== '' ? { type: request.type } : {}),
    ...(request.excludeTransactionId !== undefined
      ? { excludeTransactionId: request.excludeTransactionId }
      : {}),
    ...(deps.concurrency ? { policy: deps.concurrency } : {}),
  });
  return {
    status: toApiStatus(decision.status),
    expireTime: decision.expiresAt,
    groupId: decision.groupId ?? '',
  };
}

const CONCURRENCY: ReadonlyMap<authV1.Concurrency, 'other-station' | 'any'> = new Map([
  [Concurrency.CONCURRENCY_UNSPECIFIED, 'other-station'],
  [Concurrency.CONCURRENCY_OTHER_STATION, 'other-station'],
  [Concurrency.CONCURRENCY_ANY, 'any'],
]);

function concurrencyOf(c: authV1.Concurrency): 'other-station' | 'any' | undefined {
  return CONCURRENCY.get(c);
}
