import { MAX_QUEUE_TTL_MS, type CallOptions } from '@csms/bus';
import { RequestViolations, stationV1 } from '@csms/grpc';

const MAX_TIMEOUT_MS = 600_000;

/** Checks and converts the API's CallOptions to the StationApi's (`field` prefixes violation paths). */
export function callOptionsOf(options: stationV1.CallOptions | undefined, field = 'options'): CallOptions {
  if (!options) return {};
  const v = new RequestViolations();
  const { timeoutMs, queueTtlMs } = options;
  v.check(
    timeoutMs === undefined || (timeoutMs >= 1 && timeoutMs <= MAX_TIMEOUT_MS),
    `${field}.timeout_ms`,
    `must be between 1 and ${MAX_TIMEOUT_MS}`,
  );
  v.check(
    queueTtlMs === undefined || (queueTtlMs >= 1 && queueTtlMs <= MAX_QUEUE_TTL_MS),
    `${field}.queue_ttl_ms`,
    `must be between 1 and ${MAX_QUEUE_TTL_MS}`,
  );
  const { WhenOffline } = stationV1;
  let whenOffline: CallOptions['whenOffline'];
  if (options.whenOffline === WhenOffline.WHEN_OFFLINE_QUEUE) whenOffline = 'queue';
  else if (options.whenOffline === WhenOffline.WHEN_OFFLINE_REJECT) whenOffline = 'reject';
  else if (options.whenOffline !== WhenOffline.WHEN_OFFLINE_UNSPECIFIED)
    v.add(`${field}.when_offline`, 'unknown value');
  v.check(
    queueTtlMs === undefined || whenOffline === 'queue',
    `${field}.queue_ttl_ms`,
    'only with when_offline = WHEN_OFFLINE_QUEUE',
  );
  v.throwIfAny('invalid call options');
  return {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(whenOffline !== undefined ? { whenOffline } : {}),
    ...(queueTtlMs !== undefined ? { queueTtlMs } : {}),
  };
}
