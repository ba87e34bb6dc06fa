import { MAX_QUEUE_TTL_MS, type CallOptions } from '@csms/bus';
import { ApiErrors, stationV1, type FieldViolation } from '@csms/grpc';

const MAX_TIMEOUT_MS = 600_000;

/** Checks and converts the API's CallOptions to the StationApi's (`field` prefixes violation paths). */
export function callOptionsOf(options: stationV1.CallOptions | undefined, field = 'options'): CallOptions {
  if (!options) return {};
  const violations: FieldViolation[] = [];
  if (options.timeoutMs !== undefined && (options.timeoutMs < 1 || options.timeoutMs > MAX_TIMEOUT_MS))
    violations.push({ field: `${field}.timeout_ms`, description: `must be between 1 and ${MAX_TIMEOUT_MS}` });
  if (options.queueTtlMs !== undefined && (options.queueTtlMs < 1 || options.queueTtlMs > MAX_QUEUE_TTL_MS))
    violations.push({
      field: `${field}.queue_ttl_ms`,
      description: `must be between 1 and ${MAX_QUEUE_TTL_MS}`,
    });
  const { WhenOffline } = stationV1;
  let whenOffline: CallOptions['whenOffline'];
  if (options.whenOffline === WhenOffline.WHEN_OFFLINE_QUEUE) whenOffline = 'queue';
  else if (options.whenOffline === WhenOffline.WHEN_OFFLINE_REJECT) whenOffline = 'reject';
  else if (options.whenOffline !== WhenOffline.WHEN_OFFLINE_UNSPECIFIED)
    violations.push({ field: `${field}.when_offline`, description: 'unknown value' });
  if (options.queueTtlMs !== undefined && whenOffline !== 'queue')
    violations.push({
      field: `${field}.queue_ttl_ms`,
      description: 'only with when_offline = WHEN_OFFLINE_QUEUE',
    });
  if (violations.length > 0) throw ApiErrors.invalidArgument('invalid call options', violations);
  return {
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(whenOffline !== undefined ? { whenOffline } : {}),
    ...(options.queueTtlMs !== undefined ? { queueTtlMs: options.queueTtlMs } : {}),
  };
}
