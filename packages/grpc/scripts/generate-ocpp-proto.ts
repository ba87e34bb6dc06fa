/**
 * Generates the typed OCPP command APIs `proto/csms/ocpp16/v1/ocpp16.proto` (`csms.ocpp16.v1`) and
 * `proto/csms/ocpp201/v1/ocpp201.proto` (`csms.ocpp201.v1`) from the vendored OCA JSON schemas in
 * `packages/ocpp/schemas/`. Called by `scripts/generate.ts` before `buf lint`, so
 * `npm run generate -w @csms/grpc` regenerates everything; the output depends only on the schema files and
 * the action tables, so re-running it produces no diff.
 *
 * Which actions: those whose request the CSMS sends (sender `csms` or `both` in `V16_ACTIONS` /
 * `V201_ACTIONS` of `@csms/ocpp`, generated from the OCPP specifications' direction tables; 1.6 includes the
 * Security Whitepaper actions). The mapping rules are in {@link mappingRules} (they are also written into the
 * header of each generated file). Anything the rules do not cover (an unknown schema construct, two
 * same-named definitions that differ, a name clash) fails the generation instead of guessing.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
// The generated action tables of @csms/ocpp (a build input like the schemas: read from its generated source,
// because this script runs before any build and without the `source` export condition).
import { V16_ACTIONS } from '../../ocpp/src/gen/v16.js';
import { V201_ACTIONS } from '../../ocpp/src/gen/v201.js';
import {
  ANNOTATIONS,
  isObject,
  structural,
  type Json,
  type JsonObject,
} from '../../ocpp/scripts/schema-structure.js';

interface VersionSpec {
  /** Schema folder below packages/ocpp/schemas. */
  readonly dir: string;
  /** "1.6" / "2.0.1", for comments. */
  readonly label: string;
  /** Human description of the schema set, for the header. */
  readonly source: string;
  readonly protoPackage: string;
  readonly protoFile: string;
  readonly service: string;
  /** 1.6 names request files `<Action>.json`; 2.0.1 `<Action>Request.json`. */
  readonly requestSuffix: '' | 'Request';
  /** 1.6 calls the messages `<Action>.req` / `.conf`; 2.0.1 `<Action>Request` / `Response`. */
  readonly messageNames: (action: string) => { request: string; response: string };
  readonly actions: Readonly<Record<string, string>>;
}

const VERSIONS: readonly VersionSpec[] = [
  {
    dir: 'ocpp1.6',
    label: '1.6',
    source:
      'OCPP 1.6 JSON schemas (ocpp16/schemas/json) and OCPP 1.6 Security Whitepaper edition 3 schemas ' +
      '(ocpp16/security-schemas)',
    protoPackage: 'csms.ocpp16.v1',
    protoFile: 'proto/csms/ocpp16/v1/ocpp16.proto',
    service: 'Ocpp16Service',
    requestSuffix: '',
    messageNames: (a) => ({ request: `${a}.req`, response: `${a}.conf` }),
    actions: V16_ACTIONS,
  },
  {
    dir: 'ocpp2.0.1',
    label: '2.0.1',
    source: 'OCPP 2.0.1 part 3 JSON schemas (OCPP-2.0.1_part3_JSON_schemas, 2020-03-31)',
    protoPackage: 'csms.ocpp201.v1',
    protoFile: 'proto/csms/ocpp201/v1/ocpp201.proto',
    service: 'Ocpp201Service',
    requestSuffix: 'Request',
    messageNames: (a) => ({ request: `${a}Request`, response: `${a}Response` }),
    actions: V201_ACTIONS,
  },
];

/** The mapping rules, written into each generated file's header. */
export const mappingRules: readonly string[] = [
  'Mapping from the OCPP JSON schemas to protobuf:',
  '- Every CSMS-initiated action (sender CSMS or both) is one RPC of the service, named after the action.',
  '  Its request wraps the station id, the CALL payload (message <Action>Request) and',
  '  csms.station.v1.CallOptions; its response holds the CALLRESULT payload (<Action>Response) or, when the',
  '  call was queued for an offline station, csms.station.v1.QueuedCall. Errors are those of',
  '  csms.station.v1.StationService.Call, plus FAILED_PRECONDITION VERSION_MISMATCH when the station speaks',
  '  another OCPP version than the service.',
  '- Every JSON object is a message: named `definitions` become top-level messages named as in the schema',
  '  (deduplicated across actions); inline objects become messages nested in their parent, named after',
  '  the property in PascalCase. Objects open to extra properties (CustomDataType, "customData") are',
  '  google.protobuf.Struct; a property without any type (2.0.1 DataTransfer "data") is',
  '  google.protobuf.Value.',
  '- Every field is `optional` (explicit presence) or `repeated`, whatever the schema requires: the CSMS',
  '  validates each payload against the OCPP schema before sending it (INVALID_ARGUMENT when it does not',
  '  conform), and zero values such as connectorId 0 survive the JSON mapping. Comments say which fields',
  '  the schema requires. An empty array is the same as an absent one (proto3 repeated fields have no',
  '  presence) and is left out of the OCPP JSON.',
  "- Field names are lower_snake_case, with json_name set to the OCPP property name wherever protobuf's",
  '  default lowerCamelCase name would differ, so the proto3 JSON of a message is exactly the OCPP JSON.',
  '- OCPP enumerations are string fields (the wire values stay the OCPP strings); the comment lists the',
  '  allowed values. integer is int32 (int64 only where the schema allows values beyond int32), number is',
  '  double, boolean is bool, date-time and uri strings are string.',
];

const HEADER_SOURCE = (spec: VersionSpec) => [
  'Code generated by packages/grpc/scripts/generate-ocpp-proto.ts. DO NOT EDIT.',
  ...wrap(
    `Source: packages/ocpp/schemas/${spec.dir}, the ${spec.source} ` +
      '(Copyright (c) 2010-2025 Open Charge Alliance, CC BY-ND 4.0; see packages/ocpp/schemas/README.md).',
  ),
];

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** `csChargingProfiles` -> `cs_charging_profiles`, `responderURL` -> `responder_url`, `SoC` -> `so_c`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** protoc's default JSON name of a field (ToJsonName: drop each '_' and upper-case the next character). */
export function defaultJsonName(field: string): string {
  return field.replace(/_(.)?/g, (_m, next: string | undefined) => (next ?? '').toUpperCase());
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

interface ProtoField {
  readonly name: string;
  readonly jsonName: string | undefined;
  readonly type: string;
  readonly repeated: boolean;
  readonly comment: readonly string[];
}

interface ProtoMessage {
  readonly name: string;
  readonly comment: readonly string[];
  readonly fields: ProtoField[];
  readonly nested: ProtoMessage[];
}

/** Text of a schema description as comment lines (CRLF normalised, HTML entities of the OCA export decoded). */
function describe(value: Json | undefined): string[] {
  if (typeof value !== 'string') return [];
  const text = value
    .replace(/\r\n?/g, '\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
  return text === '' ? [] : text.split('\n').flatMap((line) => (line.trim() === '' ? [''] : wrap(line)));
}

/** Wraps words into comment lines of at most `width` characters (long words stay whole). */
function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The definitions of one version, merged across schema files (same name = same structure, or fail). */
class Definitions {
  readonly #defs = new Map<string, { schema: JsonObject; from: string; descriptions: Set<string> }>();
  readonly #errors: string[];

  constructor(errors: string[]) {
    this.#errors = errors;
  }

  add(file: string, definitions: Json | undefined): void {
    if (definitions === undefined) return;
    if (!isObject(definitions)) throw new Error(`${file}: definitions is not an object`);
    for (const name of Object.keys(definitions).sort()) {
      const def = definitions[name];
      if (!isObject(def)) throw new Error(`${file}: definition ${name} is not an object`);
      const seen = this.#defs.get(name);
      if (seen === undefined) {
        this.#defs.set(name, {
          schema: def,
          from: file,
          descriptions: new Set([JSON.stringify(def.description)]),
        });
      } else if (!isDeepStrictEqual(structural(seen.schema), structural(def))) {
        this.#errors.push(`definition ${name} differs between ${seen.from} and ${file}`);
      } else {
        seen.descriptions.add(JSON.stringify(def.description));
      }
    }
  }

  get(ref: string, where: string): { name: string; schema: JsonObject; description: Json | undefined } {
    const match = /^#\/definitions\/(\w+)$/.exec(ref);
    const entry = match ? this.#defs.get(match[1] ?? '') : undefined;
    if (!match || !entry) throw new Error(`${where}: unresolved $ref ${ref}`);
    // Same-named definitions whose descriptions differ are described by their fields only.
    const description = entry.descriptions.size === 1 ? entry.schema.description : undefined;
    return { name: match[1] ?? '', schema: entry.schema, description };
  }
}

/** Turns the schemas of one version into messages. */
class Converter {
  /** Top-level messages made from definitions, by name. */
  readonly shared = new Map<string, ProtoMessage>();
  usesStruct = false;
  usesValue = false;

  constructor(private readonly definitions: Definitions) {}

  /** A message for an object schema; `nestedIn` is where inline objects of its properties go. */
  message(name: string, schema: JsonObject, comment: readonly string[], where: string): ProtoMessage {
    const message: ProtoMessage = { name, comment, fields: [], nested: [] };
    const known = new Set(['type', 'properties', 'required', 'additionalProperties', ...ANNOTATIONS]);
    for (const key of Object.keys(schema)) {
      if (!known.has(key) && !key.startsWith('$') && key !== 'definitions' && key !== 'id')
        throw new Error(`${where}: unsupported keyword ${key} on an object`);
    }
    const properties = schema.properties ?? {};
    if (!isObject(properties)) throw new Error(`${where}: properties is not an object`);
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    for (const [property, propertySchema] of Object.entries(properties)) {
      if (!isObject(propertySchema)) throw new Error(`${where}.${property}: not a schema`);
      message.fields.push(
        this.field(message, property, propertySchema, required.has(property), `${where}.${property}`),
      );
    }
    const names = new Set<string>();
    for (const field of message.fields) {
      if (names.has(field.name)) throw new Error(`${where}: two properties map to field ${field.name}`);
      names.add(field.name);
    }
    return message;
  }

  private field(
    parent: ProtoMessage,
    property: string,
    schema: JsonObject,
    required: boolean,
    where: string,
  ): ProtoField {
    const name = snakeCase(property);
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`${where}: cannot map property name ${property}`);
    const jsonName = defaultJsonName(name) === property ? undefined : property;
    const notes: string[] = [];
    let repeated = false;
    let item = schema;
    if (schema.type === 'array') {
      repeated = true;
      if (!isObject(schema.items)) throw new Error(`${where}: array items must be one schema`);
      item = schema.items;
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : undefined;
      if (min > 0 && max !== undefined) notes.push(`${min} to ${max} items.`);
      else if (min > 0) notes.push(`At least ${min} item${min === 1 ? '' : 's'}.`);
      else if (max !== undefined) notes.push(`At most ${max} items.`);
    }
    const mapped = this.type(parent, property, item, where);
    let description = [
      ...describe(schema.description),
      ...(schema === item ? [] : describe(item.description)),
    ];
    if (description.length === 0) description = mapped.description;
    if (required) notes.unshift('Required.');
    if (mapped.notes !== '') notes.push(mapped.notes);
    return {
      name,
      jsonName,
      type: mapped.type,
      repeated,
      comment: [...description, ...wrap(notes.join(' '))],
    };
  }

  /**
   * The proto type of a (non-array) schema, the description of the definition it refers to (used when the
   * property has none) and a note on its constraints.
   */
  private type(
    parent: ProtoMessage,
    property: string,
    schema: JsonObject,
    where: string,
  ): { type: string; description: string[]; notes: string } {
    if (typeof schema.$ref === 'string') {
      const def = this.definitions.get(schema.$ref, where);
      if (def.schema.type === 'object') {
        if (def.schema.additionalProperties !== false) {
          this.usesStruct = true;
          return {
            type: 'google.protobuf.Struct',
            description: [],
            notes: this.openObjectNote(def.name, def.schema),
          };
        }
        if (!this.shared.has(def.name)) {
          // Registered before converting, so recursive definitions terminate.
          this.shared.set(def.name, { name: def.name, comment: [], fields: [], nested: [] });
          this.shared.set(def.name, this.message(def.name, def.schema, describe(def.description), def.name));
        }
        return { type: def.name, description: [], notes: '' };
      }
      // An enumeration (or another scalar) definition.
      const scalar = this.scalar(def.schema, where, def.name);
      return { type: scalar.type, description: describe(def.description), notes: scalar.notes };
    }
    if (schema.type === 'object') {
      if (schema.additionalProperties !== false) {
        this.usesStruct = true;
        return {
          type: 'google.protobuf.Struct',
          description: [],
          notes: this.openObjectNote(property, schema),
        };
      }
      const nestedName = pascalCase(property);
      if (parent.nested.some((n) => n.name === nestedName) || nestedName === parent.name)
        throw new Error(`${where}: nested message ${nestedName} clashes in ${parent.name}`);
      parent.nested.push(this.message(nestedName, schema, [], where));
      return { type: nestedName, description: [], notes: '' };
    }
    if (schema.type === undefined) {
      if (Object.keys(schema).some((key) => !ANNOTATIONS.has(key)))
        throw new Error(`${where}: schema without type: ${JSON.stringify(schema)}`);
      this.usesValue = true;
      return { type: 'google.protobuf.Value', description: [], notes: 'Any JSON value.' };
    }
    const scalar = this.scalar(schema, where);
    return { type: scalar.type, description: [], notes: scalar.notes };
  }

  private openObjectNote(name: string, schema: JsonObject): string {
    const props = isObject(schema.properties) ? Object.keys(schema.properties) : [];
    const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
    const list = props.map((p) => (required.includes(p) ? `${p} (required)` : p)).join(', ');
    return `A JSON object (${name})${list === '' ? '' : ` with ${list}`}, open to further properties.`;
  }

  private scalar(schema: JsonObject, where: string, enumName?: string): { type: string; notes: string } {
    const known = new Set([
      'type',
      'enum',
      'maxLength',
      'format',
      'default',
      'minimum',
      'maximum',
      'multipleOf',
      // Misplaced on string enums in the OCA schemas; meaningless there.
      'additionalProperties',
      ...ANNOTATIONS,
    ]);
    for (const key of Object.keys(schema)) {
      if (!known.has(key)) throw new Error(`${where}: unsupported keyword ${key}`);
    }
    const notes: string[] = [];
    let type: string;
    const schemaType = typeof schema.type === 'string' ? schema.type : JSON.stringify(schema.type);
    switch (schemaType) {
      case 'string':
        type = 'string';
        if (Array.isArray(schema.enum))
          notes.push(`One of${enumName ? ` (${enumName})` : ''}: ${schema.enum.map(String).join(', ')}.`);
        if (schema.format === 'date-time') notes.push('An RFC 3339 date-time.');
        else if (schema.format === 'uri') notes.push('A URI.');
        else if (schema.format !== undefined)
          throw new Error(`${where}: unsupported format ${JSON.stringify(schema.format)}`);
        if (typeof schema.maxLength === 'number') notes.push(`At most ${schema.maxLength} characters.`);
        break;
      case 'integer': {
        const beyond =
          (typeof schema.maximum === 'number' && schema.maximum > INT32_MAX) ||
          (typeof schema.minimum === 'number' && schema.minimum < INT32_MIN);
        type = beyond ? 'int64' : 'int32';
        break;
      }
      case 'number':
        type = 'double';
        if (typeof schema.multipleOf === 'number') notes.push(`A multiple of ${schema.multipleOf}.`);
        break;
      case 'boolean':
        type = 'bool';
        break;
      default:
        throw new Error(`${where}: unsupported type ${JSON.stringify(schema.type)}`);
    }
    if (schema.type !== 'string' && schema.enum !== undefined)
      throw new Error(`${where}: enum on ${schemaType}`);
    if (typeof schema.minimum === 'number') notes.push(`Minimum ${schema.minimum}.`);
    if (typeof schema.maximum === 'number') notes.push(`Maximum ${schema.maximum}.`);
    if (schema.default !== undefined) notes.push(`Default: ${JSON.stringify(schema.default)}.`);
    return { type, notes: notes.join(' ') };
  }
}

function readSchema(root: string, spec: VersionSpec, file: string): JsonObject {
  const parsed = JSON.parse(
    readFileSync(join(root, 'packages/ocpp/schemas', spec.dir, file), 'utf8'),
  ) as Json;
  if (!isObject(parsed)) throw new Error(`${spec.dir}/${file}: not a JSON object`);
  return parsed;
}

function comment(lines: readonly string[], indent: string): string[] {
  return lines.map((line) => (line === '' ? `${indent}//` : `${indent}// ${line}`));
}

function renderMessage(message: ProtoMessage, indent: string): string[] {
  const out = [...comment(message.comment, indent), `${indent}message ${message.name} {`];
  for (const nested of message.nested) out.push(...renderMessage(nested, `${indent}  `));
  message.fields.forEach((field, i) => {
    out.push(...comment(field.comment, `${indent}  `));
    const label = field.repeated ? 'repeated' : 'optional';
    const option = field.jsonName === undefined ? '' : ` [json_name = "${field.jsonName}"]`;
    out.push(`${indent}  ${label} ${field.type} ${field.name} = ${i + 1}${option};`);
  });
  out.push(`${indent}}`);
  return out;
}

/** The .proto text of one version. */
export function generateOcppProto(root: string, spec: VersionSpec): string {
  const actions = Object.entries(spec.actions)
    .filter(([, sender]) => sender === 'csms' || sender === 'both')
    .map(([action]) => action)
    .sort();
  if (actions.length === 0) throw new Error(`${spec.dir}: no CSMS-initiated actions`);
  const errors: string[] = [];
  const definitions = new Definitions(errors);
  const schemas = new Map<string, { request: JsonObject; response: JsonObject; files: [string, string] }>();
  for (const action of actions) {
    const files: [string, string] = [`${action}${spec.requestSuffix}.json`, `${action}Response.json`];
    const request = readSchema(root, spec, files[0]);
    const response = readSchema(root, spec, files[1]);
    definitions.add(`${spec.dir}/${files[0]}`, request.definitions);
    definitions.add(`${spec.dir}/${files[1]}`, response.definitions);
    schemas.set(action, { request, response, files });
  }
  if (errors.length > 0) throw new Error(errors.join('\n'));

  const converter = new Converter(definitions);
  const payloads: ProtoMessage[] = [];
  for (const action of actions) {
    const { request, response, files } = schemas.get(action) ?? unreachable(action);
    const names = spec.messageNames(action);
    for (const [kind, schema, file, ocppName] of [
      ['Request', request, files[0], names.request],
      ['Response', response, files[1], names.response],
    ] as const) {
      if (schema.type !== 'object' || schema.additionalProperties !== false)
        throw new Error(`${spec.dir}/${file}: a payload must be a closed object`);
      const doc = [`The ${ocppName} payload of OCPP ${spec.label} (schema ${spec.dir}/${file}).`];
      payloads.push(converter.message(`${action}${kind}`, schema, doc, `${spec.dir}/${file}`));
    }
  }

  const service = spec.service;
  const topLevel = new Set<string>();
  const claim = (name: string) => {
    if (topLevel.has(name)) throw new Error(`${spec.dir}: two top-level messages named ${name}`);
    topLevel.add(name);
  };
  for (const m of payloads) claim(m.name);
  for (const name of converter.shared.keys()) claim(name);
  for (const action of actions) {
    claim(`${service}${action}Request`);
    claim(`${service}${action}Response`);
  }
  // A nested message named like a top-level one would shadow it inside its parent.
  const checkNested = (m: ProtoMessage) => {
    for (const n of m.nested) {
      if (topLevel.has(n.name))
        throw new Error(`${spec.dir}: nested ${m.name}.${n.name} shadows a top-level message`);
      checkNested(n);
    }
  };
  [...payloads, ...converter.shared.values()].forEach(checkNested);

  const lines: string[] = [
    ...comment(HEADER_SOURCE(spec), ''),
    '//',
    ...comment(mappingRules, ''),
    '',
    'syntax = "proto3";',
    '',
    ...comment(
      wrap(
        `Typed CSMS-initiated OCPP ${spec.label} calls: one RPC per action the CSMS sends to a charging station, ` +
          'with payload messages generated from the OCA JSON schemas. The generic, untyped counterpart is ' +
          'csms.station.v1.StationService.Call.',
      ),
      '',
    ),
    `package ${spec.protoPackage};`,
    '',
    'import "csms/station/v1/station.proto";',
  ];
  if (converter.usesStruct || converter.usesValue) lines.push('import "google/protobuf/struct.proto";');
  lines.push(
    '',
    ...comment(
      wrap(
        `Sends CSMS-initiated OCPP ${spec.label} CALLs to charging stations that speak OCPP ${spec.label}, and ` +
          'returns their answers. The payload is validated against the OCPP schema first (INVALID_ARGUMENT with ' +
          'field violations); a CALLERROR is FAILED_PRECONDITION (reason STATION_CALL_ERROR, metadata code and ' +
          'description); an offline station is UNAVAILABLE (reason STATION_OFFLINE) unless options.when_offline ' +
          'is WHEN_OFFLINE_QUEUE; a Rejected/Pending station is FAILED_PRECONDITION (STATION_REJECTED / ' +
          'STATION_PENDING); no answer in time is DEADLINE_EXCEEDED (STATION_TIMEOUT); a station that speaks ' +
          'another OCPP version is FAILED_PRECONDITION (VERSION_MISMATCH).',
      ),
      '',
    ),
    `service ${service} {`,
  );
  for (const action of actions) {
    const names = spec.messageNames(action);
    lines.push(
      `  // Sends ${names.request} and returns the station's ${names.response}.`,
      `  rpc ${action}(${service}${action}Request) returns (${service}${action}Response);`,
    );
  }
  lines.push('}', '');
  for (const action of actions) {
    const names = spec.messageNames(action);
    lines.push(
      `// The request of ${service}.${action}.`,
      `message ${service}${action}Request {`,
      '  // The OCPP identity of the station.',
      '  string station_id = 1;',
      `  // The ${names.request} payload (required).`,
      `  ${action}Request payload = 2;`,
      '  // How to send the call (answer timeout, queueing for an offline station).',
      '  csms.station.v1.CallOptions options = 3;',
      '}',
      '',
      `// The response of ${service}.${action}.`,
      `message ${service}${action}Response {`,
      `  // The station's ${names.response} payload (absent when the call was queued).`,
      `  ${action}Response payload = 1;`,
      '  // Set when the station was offline and the call was queued (options.when_offline = WHEN_OFFLINE_QUEUE).',
      '  csms.station.v1.QueuedCall queued = 2;',
      '}',
      '',
    );
  }
  for (const message of payloads) lines.push(...renderMessage(message, ''), '');
  for (const name of [...converter.shared.keys()].sort()) {
    lines.push(...renderMessage(converter.shared.get(name) ?? unreachable(name), ''), '');
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}

function unreachable(name: string): never {
  throw new Error(`internal error: ${name} missing`);
}

/** Writes both .proto files (everything is generated before anything is written). */
export function writeOcppProtos(root: string): void {
  const outputs = VERSIONS.map(
    (spec) => [join(root, spec.protoFile), generateOcppProto(root, spec)] as const,
  );
  for (const [file, text] of outputs) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text, 'utf8');
  }
}
