import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import type { AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { isKnownAction, senderOf, actionsOf } from './actions.js';
import type { Sender } from './actions.js';
import { OcppError, versionedCode } from './errors.js';
import type { OcppErrorCode } from './errors.js';
import { OCPP_VERSIONS } from './version.js';
import type { OcppVersion } from './version.js';

/** Validates OCPP payloads against the vendored OCA JSON schemas (`packages/ocpp/schemas`). */
export interface OcppValidator {
  /** Whether `action` is a CALL action of `version`. */
  isKnownAction(version: OcppVersion, action: string): boolean;
  /** Who sends the request of `action`, or undefined for an unknown action. */
  senderOf(version: OcppVersion, action: string): Sender | undefined;
  /**
   * Validates the payload of a CALL. Returns undefined when valid, else the error to answer with: NotImplemented
   * for an unknown action ("Requested Action is not known by receiver"), otherwise a schema violation code in the
   * spelling of `version`. Never throws.
   */
  validateRequest(version: OcppVersion, action: string, payload: unknown): OcppError | undefined;
  /** Like {@link OcppValidator.validateRequest}, for the CALLRESULT payload of `action`. Never throws. */
  validateResponse(version: OcppVersion, action: string, payload: unknown): OcppError | undefined;
  /** Compiles every schema of every version now (call at startup); throws if a schema cannot be loaded. */
  precompileAll(): void;
}

type Kind = 'request' | 'response';

/** Schema folder per version, relative to this module (works from both src/ and dist/). */
const SCHEMA_DIRS: Readonly<Record<OcppVersion, URL>> = {
  'ocpp1.6': new URL('../schemas/ocpp1.6/', import.meta.url),
  'ocpp2.0.1': new URL('../schemas/ocpp2.0.1/', import.meta.url),
  'ocpp2.1': new URL('../schemas/ocpp2.1/', import.meta.url),
};

/** Schema file of an action: 1.6 names requests `<Action>.json`, 2.x `<Action>Request.json`. */
function schemaFile(version: OcppVersion, action: string, kind: Kind): string {
  if (kind === 'response') return `${action}Response.json`;
  return version === 'ocpp1.6' ? `${action}.json` : `${action}Request.json`;
}

/**
 * ajv keyword → RPC framework error code, by the code definitions of OCPP-J 1.6 §4.2.3 Table 7 and
 * OCPP-2.0.1 part 4 §4.3 Table 8 (cf. ocpp-rpc's lib/validator.js errorCodeLUT, which maps length/range limits to
 * FormatViolation; here they are PropertyConstraintViolation, as the spec and OCTT 1.6 TC_040_2 expect):
 * - OccurrenceConstraintViolation "at least one of the fields violates occurrence constraints": a field or item
 *   that must (not) be present or occur a bounded number of times;
 * - TypeConstraintViolation "violates data type constraints (e.g. "somestring": 12)": wrong JSON type, or a string
 *   that is not of the OCPP data type its format names (dateTime, anyURI);
 * - PropertyConstraintViolation "at least one field contains an invalid value": value outside the allowed set,
 *   length or range;
 * - anything else (a schema combination failing as a whole) → FormatViolation "Payload for Action is
 *   syntactically incorrect".
 * The code is then spelt for the version with `versionedCode` (1.6: OccurenceConstraintViolation,
 * FormationViolation).
 */
const KEYWORD_CODES: Readonly<Record<string, OcppErrorCode>> = {
  required: 'OccurrenceConstraintViolation',
  dependencies: 'OccurrenceConstraintViolation',
  dependentRequired: 'OccurrenceConstraintViolation',
  additionalProperties: 'OccurrenceConstraintViolation',
  unevaluatedProperties: 'OccurrenceConstraintViolation',
  minProperties: 'OccurrenceConstraintViolation',
  maxProperties: 'OccurrenceConstraintViolation',
  minItems: 'OccurrenceConstraintViolation',
  maxItems: 'OccurrenceConstraintViolation',
  additionalItems: 'OccurrenceConstraintViolation',
  unevaluatedItems: 'OccurrenceConstraintViolation',
  type: 'TypeConstraintViolation',
  format: 'TypeConstraintViolation',
  enum: 'PropertyConstraintViolation',
  const: 'PropertyConstraintViolation',
  maxLength: 'PropertyConstraintViolation',
  minLength: 'PropertyConstraintViolation',
  maximum: 'PropertyConstraintViolation',
  minimum: 'PropertyConstraintViolation',
  exclusiveMaximum: 'PropertyConstraintViolation',
  exclusiveMinimum: 'PropertyConstraintViolation',
  multipleOf: 'PropertyConstraintViolation',
  pattern: 'PropertyConstraintViolation',
  uniqueItems: 'PropertyConstraintViolation',
  propertyNames: 'PropertyConstraintViolation',
};

/** Maps the first ajv error to an OcppError with the version's spelling of the code. */
export function errorFromAjv(version: OcppVersion, error: ErrorObject): OcppError {
  const code = versionedCode(version, KEYWORD_CODES[error.keyword] ?? 'FormatViolation');
  const message = describe(error);
  const description = error.instancePath === '' ? message : `${error.instancePath} ${message}`;
  return new OcppError(code, description, {
    pointer: error.instancePath,
    keyword: error.keyword,
    message: error.message ?? '',
    schemaPath: error.schemaPath,
  });
}

function describe(error: ErrorObject): string {
  const message = error.message ?? `must pass "${error.keyword}" keyword validation`;
  const params: Record<string, unknown> = error.params;
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return `${message}: '${params.additionalProperty}'`;
  }
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `${message}: ${params.allowedValues.map(String).join(', ')}`;
  }
  return message;
}

/** Creates an ajv instance for one OCPP version. */
function createAjv(): Ajv {
  const ajv = new Ajv({
    // The OCA schemas carry non-standard keywords (javaType, comment) and patterns ajv's strict mode rejects
    // (e.g. additionalItems next to a single-schema items, additionalProperties on string enums).
    strict: false,
    allErrors: false,
    // 1.6 SetChargingProfile/RemoteStartTransaction use multipleOf 0.1: without a precision 16.3 would fail
    // because 16.3 / 0.1 === 162.99999999999997.
    multipleOfPrecision: 9,
  });
  // 2.0.1, 2.1 and the 1.6 security schemas declare draft-06.
  const require = createRequire(import.meta.url);
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject);
  formatsPlugin.default(ajv);
  return ajv;
}

/**
 * Loads a schema without modifying the vendored file: the 1.6 core schemas are draft-04 (`id`, draft-04 `$schema`),
 * which ajv v8 does not support, so the in-memory copy drops `$schema`/`id`; the keywords they use mean the same
 * in draft-07. Draft-06 schemas are compiled as they are.
 */
function loadSchema(version: OcppVersion, file: string): AnySchemaObject {
  const text = readFileSync(new URL(file, SCHEMA_DIRS[version]), 'utf8');
  const schema = JSON.parse(text) as AnySchemaObject;
  if (typeof schema.$schema === 'string' && schema.$schema.includes('draft-04')) {
    const { $schema: _schema, id: _id, ...rest } = schema;
    return rest;
  }
  return schema;
}

/** Creates a validator. Schemas are compiled lazily on first use per action and cached (or all via precompileAll). */
export function createValidator(): OcppValidator {
  const instances = new Map<OcppVersion, Ajv>();
  const compiled = new Map<string, ValidateFunction>();

  function compile(version: OcppVersion, action: string, kind: Kind): ValidateFunction {
    const key = `${version}\u0000${kind}\u0000${action}`;
    const cached = compiled.get(key);
    if (cached !== undefined) return cached;
    let ajv = instances.get(version);
    if (ajv === undefined) {
      ajv = createAjv();
      instances.set(version, ajv);
    }
    const validate = ajv.compile(loadSchema(version, schemaFile(version, action, kind)));
    compiled.set(key, validate);
    return validate;
  }

  function validate(
    version: OcppVersion,
    action: string,
    kind: Kind,
    payload: unknown,
  ): OcppError | undefined {
    if (!isKnownAction(version, action)) {
      return new OcppError('NotImplemented', `Unknown action '${action}'`, { action });
    }
    try {
      const fn = compile(version, action, kind);
      if (fn(payload)) return undefined;
      const first = fn.errors?.[0];
      if (first === undefined)
        return new OcppError(versionedCode(version, 'FormatViolation'), 'Invalid payload');
      return errorFromAjv(version, first);
    } catch (error: unknown) {
      // Only reachable if a vendored schema cannot be loaded/compiled: our fault, not the sender's.
      return OcppError.from(error);
    }
  }

  return {
    isKnownAction,
    senderOf,
    validateRequest: (version, action, payload) => validate(version, action, 'request', payload),
    validateResponse: (version, action, payload) => validate(version, action, 'response', payload),
    precompileAll() {
      for (const version of OCPP_VERSIONS) {
        for (const action of actionsOf(version)) {
          compile(version, action, 'request');
          compile(version, action, 'response');
        }
      }
    },
  };
}
