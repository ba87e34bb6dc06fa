/**
 * Sample OCPP payloads built from the vendored OCA schemas, and generic access to the typed OCPP command
 * services (csms.ocpp16.v1 / csms.ocpp201.v1), for tests that drive every typed RPC.
 */
import { readFileSync } from 'node:fs';
import { errorSummary, ocpp16V1, ocpp201V1, type ApiConnection } from '@csms/grpc';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A generated message codec, looked up by name in a generated module. */
export interface Codec {
  fromJSON(object: unknown): unknown;
  toJSON(message: unknown): unknown;
}

/** A typed-command RPC as the tests drive it generically (name = OCPP action). */
export interface CommandMethod {
  readonly name: string;
  readonly requestType: Codec;
  readonly responseType: Codec;
}

export interface Version {
  readonly label: 'ocpp1.6' | 'ocpp2.0.1';
  readonly dir: string;
  readonly requestFile: (action: string) => string;
  readonly module: Readonly<Record<string, unknown>>;
  readonly methods: Readonly<Record<string, CommandMethod>>;
}

export const V16: Version = {
  label: 'ocpp1.6',
  dir: 'ocpp1.6',
  requestFile: (action) => `${action}.json`,
  module: ocpp16V1,
  methods: ocpp16V1.Ocpp16ServiceDefinition.methods,
};
export const V201: Version = {
  label: 'ocpp2.0.1',
  dir: 'ocpp2.0.1',
  requestFile: (action) => `${action}Request.json`,
  module: ocpp201V1,
  methods: ocpp201V1.Ocpp201ServiceDefinition.methods,
};

// ---------------------------------------------------------------------------------------------------------------
// Sample payloads built from the OCA schemas (the project's vendored copies).

const schemasDir = new URL('../../packages/ocpp/schemas/', import.meta.url);

function schemaOf(version: Version, file: string): JsonObject {
  return JSON.parse(readFileSync(new URL(`${version.dir}/${file}`, schemasDir), 'utf8')) as JsonObject;
}

/**
 * A payload that conforms to `schema`: `minimal` fills only required properties with zero-like values
 * (0, false, the first enum value: they must survive the mapping), `full` fills every property with
 * non-zero values (and extra properties where the schema allows them, e.g. customData).
 */
export function sampleOf(schema: JsonObject, definitions: JsonObject, mode: 'minimal' | 'full'): Json {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/definitions/', '');
    return sampleOf(definitions[name] as JsonObject, definitions, mode);
  }
  const full = mode === 'full';
  const type = schema.type === undefined ? 'any' : typeof schema.type === 'string' ? schema.type : '?';
  switch (type) {
    case 'object': {
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const out: JsonObject = {};
      for (const [key, child] of Object.entries((schema.properties ?? {}) as JsonObject)) {
        if (full || required.has(key)) out[key] = sampleOf(child as JsonObject, definitions, mode);
      }
      if (full && schema.additionalProperties !== false) out.extra = { nested: [1, 'two', true, null] };
      return out;
    }
    case 'array':
      return [sampleOf(schema.items as JsonObject, definitions, mode)];
    case 'string': {
      if (Array.isArray(schema.enum)) return schema.enum[full ? schema.enum.length - 1 : 0] ?? '';
      if (schema.format === 'date-time') return '2025-01-02T03:04:05.000Z';
      if (schema.format === 'uri') return 'https://example.com/file';
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : 50;
      return (full ? 'Sample-Value' : 'x').slice(0, max);
    }
    case 'integer':
      return full ? Math.min(7, typeof schema.maximum === 'number' ? schema.maximum : 7) : 0;
    case 'number':
      return full ? 16 : 0;
    case 'boolean':
      return full;
    case 'any':
      // A property of any type (2.0.1 DataTransfer "data").
      return full ? { any: ['json', 1] } : 'text';
    default:
      throw new Error(`no sample for ${JSON.stringify(schema)}`);
  }
}

export function samples(version: Version, action: string, mode: 'minimal' | 'full') {
  const build = (file: string) => {
    const schema = schemaOf(version, file);
    return sampleOf(schema, (schema.definitions ?? {}) as JsonObject, mode) as JsonObject;
  };
  return { request: build(version.requestFile(action)), response: build(`${action}Response.json`) };
}

export function codec(version: Version, name: string): Codec {
  const found = version.module[name] as Codec | undefined;
  if (!found) throw new Error(`${version.label}: no generated message ${name}`);
  return found;
}

export const actionsOf = (version: Version) => Object.values(version.methods).map((m) => m.name);

/** Calls one typed RPC generically over `api`: request and response as OCPP JSON. */
export async function callTypedAction(
  api: ApiConnection,
  version: Version,
  action: string,
  stationId: string,
  payload: JsonObject,
): Promise<unknown> {
  const method = Object.entries(version.methods).find(([, m]) => m.name === action);
  if (!method) throw new Error(`no RPC ${action}`);
  const [key] = method;
  const client = api.client(
    version === V16 ? ocpp16V1.Ocpp16ServiceDefinition : ocpp201V1.Ocpp201ServiceDefinition,
  ) as unknown as Record<string, (request: unknown) => Promise<{ payload?: unknown }>>;
  const call = client[key];
  if (!call) throw new Error(`no client method ${key}`);
  const request = { stationId, payload: codec(version, `${action}Request`).fromJSON(payload) };
  const response = await call(request).catch((error: unknown) => {
    throw new Error(`${action}: ${String(error)} ${JSON.stringify(errorSummary(error))}`);
  });
  return codec(version, `${action}Response`).toJSON(response.payload);
}
