import { Status } from 'nice-grpc-common';
import { BadRequest, ErrorInfo, ResourceInfo, RichServerError } from 'nice-grpc-error-details';

/**
 * The error domain of every `google.rpc.ErrorInfo` the CSMS APIs send. Clients switch on
 * `ErrorInfo.reason` (stable, UPPER_SNAKE_CASE), never on the message text.
 */
export const ERROR_DOMAIN = 'csms.ocpp';

/** A field of a request that is wrong, and why (one `google.rpc.BadRequest.FieldViolation`). */
export interface FieldViolation {
  /** Path of the field in the request, e.g. `payload.connectorId` or `page_size`. */
  readonly field: string;
  readonly description: string;
}

/**
 * Builders of the gRPC errors the CSMS APIs return: a status code, a readable message, and rich details
 * (`grpc-status-details-bin`: `BadRequest`, `ResourceInfo`, `ErrorInfo`). The server middleware of
 * {@link createApiServer} sends the details; clients built by {@link createApiClientFactory} decode
 * them into `RichClientError.extra`.
 */
export const ApiErrors = Object.freeze({
  invalidArgument(message: string, violations: readonly FieldViolation[] = []): RichServerError {
    return new RichServerError(Status.INVALID_ARGUMENT, message, [
      BadRequest.fromPartial({ fieldViolations: violations.map((v) => ({ ...v })) }),
      ErrorInfo.fromPartial({ reason: 'INVALID_ARGUMENT', domain: ERROR_DOMAIN }),
    ]);
  },
  notFound(resourceType: string, resourceName: string, message?: string): RichServerError {
    return new RichServerError(Status.NOT_FOUND, message ?? `${resourceType} ${resourceName} not found`, [
      ResourceInfo.fromPartial({ resourceType, resourceName }),
      ErrorInfo.fromPartial({ reason: 'NOT_FOUND', domain: ERROR_DOMAIN, metadata: { resourceType } }),
    ]);
  },
  alreadyExists(resourceType: string, resourceName: string): RichServerError {
    return new RichServerError(Status.ALREADY_EXISTS, `${resourceType} ${resourceName} already exists`, [
      ResourceInfo.fromPartial({ resourceType, resourceName }),
      ErrorInfo.fromPartial({ reason: 'ALREADY_EXISTS', domain: ERROR_DOMAIN, metadata: { resourceType } }),
    ]);
  },
  /** The request is valid but the system is not in a state to carry it out (e.g. STATION_REJECTED). */
  failedPrecondition(
    reason: string,
    message: string,
    metadata: Record<string, string> = {},
  ): RichServerError {
    return withReason(Status.FAILED_PRECONDITION, reason, message, metadata);
  },
  /** Try again later (e.g. STATION_OFFLINE). */
  unavailable(reason: string, message: string, metadata: Record<string, string> = {}): RichServerError {
    return withReason(Status.UNAVAILABLE, reason, message, metadata);
  },
  /** No answer in time (e.g. STATION_TIMEOUT). */
  deadlineExceeded(reason: string, message: string, metadata: Record<string, string> = {}): RichServerError {
    return withReason(Status.DEADLINE_EXCEEDED, reason, message, metadata);
  },
  resourceExhausted(reason: string, message: string, metadata: Record<string, string> = {}): RichServerError {
    return withReason(Status.RESOURCE_EXHAUSTED, reason, message, metadata);
  },
  unimplemented(reason: string, message: string, metadata: Record<string, string> = {}): RichServerError {
    return withReason(Status.UNIMPLEMENTED, reason, message, metadata);
  },
  internal(reason: string, message: string, metadata: Record<string, string> = {}): RichServerError {
    return withReason(Status.INTERNAL, reason, message, metadata);
  },
});

function withReason(
  code: Status,
  reason: string,
  message: string,
  metadata: Record<string, string>,
): RichServerError {
  return new RichServerError(code, message, [
    ErrorInfo.fromPartial({ reason, domain: ERROR_DOMAIN, metadata }),
  ]);
}

/**
 * The station's OCPP version (the one lookup: `findStationOcppVersion` of @csms/db, or a station row's
 * `ocpp_version`) when `supported` has it; otherwise the one error every API gives for it: NOT_FOUND for
 * no such station (`version` undefined), FAILED_PRECONDITION `OCPP_VERSION_UNKNOWN` for a station that
 * never booted (null: which messages it takes is not known), `OCPP_VERSION_UNSUPPORTED` for another version.
 */
export function requireOcppVersion<V extends string>(
  stationId: string,
  version: string | null | undefined,
  supported: readonly V[],
): V {
  if (version === undefined) throw ApiErrors.notFound('station', stationId);
  if ((supported as readonly string[]).includes(version ?? '')) return version as V;
  if (version === null)
    throw ApiErrors.failedPrecondition(
      'OCPP_VERSION_UNKNOWN',
      `station ${stationId} has not booted yet: its OCPP version is not known`,
      { stationId },
    );
  throw ApiErrors.failedPrecondition(
    'OCPP_VERSION_UNSUPPORTED',
    `station ${stationId} speaks ${version}; this API supports ${supported.join(' and ')}`,
    { stationId, ocppVersion: version },
  );
}
