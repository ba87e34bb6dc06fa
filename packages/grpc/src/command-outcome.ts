import type { CommandOutcome } from '@csms/bus';
import { ApiErrors } from './api-errors.js';

/** A CSMS-initiated call that ended with the station's CALLRESULT, or was queued for later delivery. */
export type CallAnswer =
  | { readonly kind: 'result'; readonly payload: Record<string, unknown> }
  | { readonly kind: 'queued'; readonly id: string; readonly expireTime: Date };

/**
 * Maps how a CSMS-initiated call ended ({@link CommandOutcome}) to its API answer: the station's
 * CALLRESULT payload, or the queued call; every other outcome throws the gRPC error the API documents
 * (see `proto/csms/station/v1/station.proto`, `StationService.Call`).
 */
export function answerOf(stationId: string, action: string, outcome: CommandOutcome): CallAnswer {
  const meta = { stationId, action };
  switch (outcome.status) {
    case 'result':
      return { kind: 'result', payload: outcome.payload };
    case 'queued':
      return { kind: 'queued', id: outcome.commandId, expireTime: new Date(outcome.expiresAt) };
    case 'invalid-request':
      throw ApiErrors.invalidArgument(`invalid ${action} payload: ${outcome.description}`, [
        { field: 'payload', description: `${outcome.code}: ${outcome.description}` },
      ]);
    case 'call-error':
      throw ApiErrors.failedPrecondition(
        'STATION_CALL_ERROR',
        `station ${stationId} answered ${action} with CALLERROR ${outcome.code}: ${outcome.description}`,
        {
          ...meta,
          code: outcome.code,
          description: outcome.description,
          details: JSON.stringify(outcome.details),
        },
      );
    case 'invalid-response':
      throw ApiErrors.failedPrecondition(
        'STATION_INVALID_RESPONSE',
        `station ${stationId} answered ${action} with a payload that violates the schema: ${outcome.description}`,
        {
          ...meta,
          code: outcome.code,
          description: outcome.description,
          payload: JSON.stringify(outcome.payload),
        },
      );
    case 'offline':
      throw ApiErrors.unavailable('STATION_OFFLINE', `station ${stationId} is not connected`, meta);
    case 'disconnected':
      throw ApiErrors.unavailable(
        'STATION_DISCONNECTED',
        `station ${stationId} disconnected after ${action} was sent and before it answered: ` +
          'it may or may not have acted on it',
        meta,
      );
    case 'refused':
      if (outcome.reason === 'queue-full')
        throw ApiErrors.resourceExhausted('QUEUE_FULL', outcome.description, meta);
      if (outcome.reason === 'version-mismatch')
        throw ApiErrors.failedPrecondition('VERSION_MISMATCH', outcome.description, meta);
      throw ApiErrors.failedPrecondition(
        outcome.reason === 'station-rejected' ? 'STATION_REJECTED' : 'STATION_PENDING',
        outcome.description,
        meta,
      );
    case 'timeout':
      throw ApiErrors.deadlineExceeded(
        'STATION_TIMEOUT',
        `station ${stationId} did not answer ${action} in time`,
        meta,
      );
    case 'not-supported':
      throw ApiErrors.unimplemented('ACTION_NOT_SUPPORTED', outcome.description, meta);
    default:
      return unreachable(outcome);
  }
}

function unreachable(outcome: never): never {
  throw new Error(`unknown command outcome ${JSON.stringify(outcome)}`);
}

/** Like {@link answerOf}, for callers that cannot queue: a `queued` answer is a programming error. */
export function resultOf(
  stationId: string,
  action: string,
  outcome: CommandOutcome,
): Record<string, unknown> {
  const answer = answerOf(stationId, action, outcome);
  if (answer.kind !== 'result')
    throw ApiErrors.internal('UNEXPECTED_QUEUED', `${action} was queued unexpectedly`);
  return answer.payload;
}
