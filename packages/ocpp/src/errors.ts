import type { OcppVersion } from './version.js';

/**
 * Every RPC framework error code of OCPP-J 1.6 and OCPP 2.0.1/2.1.
 *
 * - OCPP-J 1.6 §4.2.3 Table 7 (10 codes). Two are misspelt and stay so on the wire: `FormationViolation` and
 *   `OccurenceConstraintViolation` (OCPP-J 1.6 errata sheet §5.1 and §5.2, "Do not fix, this is a message level
 *   change, might break implementations").
 * - OCPP-2.0.1 part 4 §4.3 Table 8 and OCPP-2.1 part 4 §4.3 Table 9 (12 codes, identical): the corrected
 *   `FormatViolation` and `OccurrenceConstraintViolation`, plus `MessageTypeNotSupported` and `RpcFrameworkError`.
 */
export type OcppErrorCode =
  | 'FormatViolation'
  | 'FormationViolation'
  | 'GenericError'
  | 'InternalError'
  | 'MessageTypeNotSupported'
  | 'NotImplemented'
  | 'NotSupported'
  | 'OccurenceConstraintViolation'
  | 'OccurrenceConstraintViolation'
  | 'PropertyConstraintViolation'
  | 'ProtocolError'
  | 'RpcFrameworkError'
  | 'SecurityError'
  | 'TypeConstraintViolation';

/** OCPP-J 1.6 §4.2.3 Table 7, in table order. */
const V16_CODES: ReadonlySet<OcppErrorCode> = new Set<OcppErrorCode>([
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'ProtocolError',
  'SecurityError',
  'FormationViolation',
  'PropertyConstraintViolation',
  'OccurenceConstraintViolation',
  'TypeConstraintViolation',
  'GenericError',
]);

/** OCPP-2.0.1 part 4 §4.3 Table 8 = OCPP-2.1 part 4 §4.3 Table 9, in table order. */
const V2_CODES: ReadonlySet<OcppErrorCode> = new Set<OcppErrorCode>([
  'FormatViolation',
  'GenericError',
  'InternalError',
  'MessageTypeNotSupported',
  'NotImplemented',
  'NotSupported',
  'OccurrenceConstraintViolation',
  'PropertyConstraintViolation',
  'ProtocolError',
  'RpcFrameworkError',
  'SecurityError',
  'TypeConstraintViolation',
]);

/**
 * Nearest OCPP-J 1.6 code for each 2.x-only code.
 * - FormatViolation / OccurrenceConstraintViolation: same meaning, 1.6 spelling (errata §5.1, §5.2).
 * - RpcFrameworkError ("Content of the call is not a valid RPC Request"): 1.6 has no frame-level code;
 *   FormationViolation ("Payload for Action is syntactically incorrect or not conform the PDU structure") is the
 *   only 1.6 code whose definition covers a syntactically/structurally broken message. 1.6 ProtocolError means
 *   "Payload for Action is incomplete" and GenericError is only for errors "not covered by the previous ones".
 * - MessageTypeNotSupported: 1.6 §4.1.3 only says an unknown message type number is ignored; NotImplemented
 *   ("Requested Action is not known by receiver") is the 1.6 code for "the receiver does not know this".
 */
const TO_V16: Partial<Record<OcppErrorCode, OcppErrorCode>> = {
  FormatViolation: 'FormationViolation',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
  RpcFrameworkError: 'FormationViolation',
  MessageTypeNotSupported: 'NotImplemented',
};

/** 2.0.1/2.1 spelling of the two misspelt 1.6 codes (OCPP-J 1.6 errata §5.1, §5.2); all other 1.6 codes exist. */
const TO_V2: Partial<Record<OcppErrorCode, OcppErrorCode>> = {
  FormationViolation: 'FormatViolation',
  OccurenceConstraintViolation: 'OccurrenceConstraintViolation',
};

/** The error codes a CALLERROR may carry in `version`. */
export function errorCodesOf(version: OcppVersion): ReadonlySet<OcppErrorCode> {
  return version === 'ocpp1.6' ? V16_CODES : V2_CODES;
}

/**
 * Translates `code` into the spelling/closest code valid in `version`, e.g. `FormatViolation` → `FormationViolation`
 * and `RpcFrameworkError` → `FormationViolation` for 1.6, `OccurenceConstraintViolation` →
 * `OccurrenceConstraintViolation` for 2.0.1/2.1. Codes already valid in `version` are returned unchanged.
 */
export function versionedCode(version: OcppVersion, code: OcppErrorCode): OcppErrorCode {
  if (errorCodesOf(version).has(code)) return code;
  const mapped = (version === 'ocpp1.6' ? TO_V16 : TO_V2)[code];
  return mapped ?? 'GenericError';
}

/** Description used by {@link OcppError.from}; the original error is kept as `cause` only. */
const GENERIC_INTERNAL_DESCRIPTION = 'An internal error occurred';

/**
 * An error that is reported to the other party as a CALLERROR (OCPP-J 1.6 §4.2.3, OCPP-2.0.1 part 4 §4.2.3):
 * `code` is the errorCode, `description` the errorDescription, `details` the errorDetails object.
 */
export class OcppError extends Error {
  override readonly name = 'OcppError';
  /** RPC framework error code, see {@link versionedCode} for per-version spelling. */
  readonly code: OcppErrorCode;
  /** Human-readable errorDescription ("" when none; truncated to 255 characters when framed). */
  readonly description: string;
  /** errorDetails; an empty object when there are none ("you MUST fill in an empty object {}"). */
  readonly details: Record<string, unknown>;

  /**
   * @param code RPC framework error code.
   * @param description errorDescription; also used as the `Error.message` (falls back to `code`).
   * @param details errorDetails object.
   * @param options standard `ErrorOptions`, e.g. `{ cause }`.
   */
  constructor(
    code: OcppErrorCode,
    description = '',
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(description === '' ? code : description, options);
    this.code = code;
    this.description = description;
    this.details = details;
  }

  /**
   * Wraps anything thrown into an OcppError. OcppErrors are returned as they are; anything else becomes an
   * `InternalError` with a generic description (no internal message leaks to the station) and the original as
   * `cause` (for logs).
   */
  static from(error: unknown): OcppError {
    if (error instanceof OcppError) return error;
    return new OcppError('InternalError', GENERIC_INTERNAL_DESCRIPTION, {}, { cause: error });
  }

  /** This error with its code translated by {@link versionedCode} (the same instance when nothing changes). */
  forVersion(version: OcppVersion): OcppError {
    const code = versionedCode(version, this.code);
    if (code === this.code) return this;
    return new OcppError(code, this.description, this.details, { cause: this.cause });
  }
}
