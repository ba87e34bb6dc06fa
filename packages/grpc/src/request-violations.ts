import { stationIdProblem } from '@csms/ocpp';
import type { RichServerError } from 'nice-grpc-error-details';
import { ApiErrors, type FieldViolation } from './api-errors.js';

/**
 * Collects the field violations of one request, so that a client learns every problem at once, and turns them
 * into one INVALID_ARGUMENT carrying a `google.rpc.BadRequest` (built by {@link ApiErrors.invalidArgument}).
 * Every gRPC service checks its requests through this one collector, and station ids through
 * {@link RequestViolations.stationId}, so the same mistake yields the same field violation in every API.
 *
 * @example
 * const v = new RequestViolations();
 * v.stationId('station_id', request.stationId);
 * v.check(request.evseId >= 0, 'evse_id', 'must be >= 0');
 * v.throwIfAny('invalid filter');
 */
export class RequestViolations {
  readonly #list: FieldViolation[] = [];

  /** Adds a violation of `field` (its path in the request, e.g. `profile.evse_id` or `station_ids[2]`). */
  add(field: string, description: string): void {
    this.#list.push({ field, description });
  }

  /** Adds a violation unless `ok`. */
  check(ok: boolean, field: string, description: string): void {
    if (!ok) this.add(field, description);
  }

  /** Adds every violation of `violations` (e.g. from a conversion that returns its violations). */
  addAll(violations: readonly FieldViolation[]): void {
    this.#list.push(...violations);
  }

  /**
   * Checks a station id against the one station identity rule of `@csms/ocpp` (non-empty, at most 48 characters
   * of identifierString without ':', plus the space). The same rule decides which stations the edge accepts.
   */
  stationId(field: string, id: string): void {
    const problem = stationIdProblem(id);
    if (problem !== undefined) this.add(field, problem);
  }

  get empty(): boolean {
    return this.#list.length === 0;
  }

  /** The violations so far, in the order they were added. */
  get list(): readonly FieldViolation[] {
    return this.#list;
  }

  /** The INVALID_ARGUMENT for the violations so far: `message`, then every `field description`. */
  error(message: string): RichServerError {
    return invalidRequest(message, this.#list);
  }

  /** Throws {@link error} when there is any violation. */
  throwIfAny(message: string): void {
    if (this.#list.length > 0) throw this.error(message);
  }
}

/** The INVALID_ARGUMENT for `violations`, its message listing each of them after `message`. */
export function invalidRequest(message: string, violations: readonly FieldViolation[]): RichServerError {
  return ApiErrors.invalidArgument(
    `${message}: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`,
    violations,
  );
}

/** Throws INVALID_ARGUMENT (field `field`) unless `id` is a valid station id. */
export function requireStationId(id: string, field = 'station_id'): void {
  const v = new RequestViolations();
  v.stationId(field, id);
  v.throwIfAny('invalid station id');
}
