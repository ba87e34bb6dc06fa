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
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
// The action tables come from @csms/ocpp's generated source (`npm run generate` runs this script with the
// `source` export condition, before any build; @csms/ocpp generates its tables first).
import { V16_ACTIONS, V201_ACTIONS } from '@csms/ocpp';
import { isObject, type Json, type JsonObject } from '../../ocpp/scripts/schema-structure.js';
import { Converter, Definitions } from './ocpp-proto-converter.js';
import { comment, renderMessage, wrap, type ProtoMessage } from './ocpp-proto-text.js';

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

function readSchema(root: string, spec: VersionSpec, file: string): JsonObject {
  const parsed = JSON.parse(
    readFileSync(join(root, 'packages/ocpp/schemas', spec.dir, file), 'utf8'),
  ) as Json;
  if (!isObject(parsed)) throw new Error(`${spec.dir}/${file}: not a JSON object`);
  return parsed;
}

interface ActionSchemas {
  readonly request: JsonObject;
  readonly response: JsonObject;
  readonly files: [string, string];
}

/** The actions whose request the CSMS sends, sorted. */
function csmsActions(spec: VersionSpec): string[] {
  const actions = Object.entries(spec.actions)
    .filter(([, sender]) => sender === 'csms' || sender === 'both')
    .map(([action]) => action)
    .sort();
  if (actions.length === 0) throw new Error(`${spec.dir}: no CSMS-initiated actions`);
  return actions;
}

/** Each action's request and response schema, and their definitions merged. */
function readActionSchemas(
  root: string,
  spec: VersionSpec,
  actions: readonly string[],
): { definitions: Definitions; schemas: Map<string, ActionSchemas> } {
  const errors: string[] = [];
  const definitions = new Definitions(errors);
  const schemas = new Map<string, ActionSchemas>();
  for (const action of actions) {
    const files: [string, string] = [`${action}${spec.requestSuffix}.json`, `${action}Response.json`];
    const request = readSchema(root, spec, files[0]);
    const response = readSchema(root, spec, files[1]);
    definitions.add(`${spec.dir}/${files[0]}`, request.definitions);
    definitions.add(`${spec.dir}/${files[1]}`, response.definitions);
    schemas.set(action, { request, response, files });
  }
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return { definitions, schemas };
}

/** The `<Action>Request` and `<Action>Response` payload messages, in action order. */
function payloadMessages(
  spec: VersionSpec,
  actions: readonly string[],
  schemas: ReadonlyMap<string, ActionSchemas>,
  converter: Converter,
): ProtoMessage[] {
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
  return payloads;
}

/** Fails on two top-level messages of one name, or a nested message that would shadow one. */
function checkNames(
  spec: VersionSpec,
  actions: readonly string[],
  payloads: readonly ProtoMessage[],
  converter: Converter,
): void {
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
}

/** The file header: source, mapping rules, package and imports. */
function renderHeader(spec: VersionSpec, converter: Converter): string[] {
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
  return lines;
}

/**
 * The requests the CSMS splits by the station's per-message limits (services/station-api split-commands.ts,
 * @csms/station-limits), documented on their RPCs.
 */
const V201_LEARNED = 'learned from its stored NotifyReport parts or a GetVariables answer, or asked once';
const SPLIT_NOTE = (list: string, limit: string, answer: string, learned = V201_LEARNED): string =>
  `More ${list} than the station takes in one message (${limit}; ${learned} and stored) are sent as ` +
  'several CALLs in order, ' +
  `and their ${answer} joined in that order into one response. The whole payload is checked first. The ` +
  'first part that fails fails the RPC (its message says how many parts the station answered before). A ' +
  'request that needs several messages is not queued for an offline station (UNAVAILABLE STATION_OFFLINE). ' +
  'A station that states no usable limit gets the request unsplit.';
const SPLIT_NOTES: Readonly<Record<string, string>> = {
  GetVariables: SPLIT_NOTE(
    'getVariableData entries',
    'DeviceDataCtrlr.ItemsPerMessage / BytesPerMessage [GetVariables], B06.FR.05',
    'getVariableResult lists',
  ),
  SetVariables: SPLIT_NOTE(
    'setVariableData entries',
    'DeviceDataCtrlr.ItemsPerMessage / BytesPerMessage [SetVariables], B05.FR.11',
    'setVariableResult lists',
  ),
  GetConfiguration: SPLIT_NOTE(
    'keys',
    'GetConfigurationMaxKeys, 1.6 §5.8',
    'configurationKey and unknownKey lists',
    'learned from a GetConfiguration answer, or asked once',
  ),
};

/** The service with one RPC per action, and each RPC's request and response wrapper. */
function renderService(spec: VersionSpec, actions: readonly string[]): string[] {
  const service = spec.service;
  const lines = [
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
  ];
  for (const action of actions) {
    const names = spec.messageNames(action);
    const split = SPLIT_NOTES[action];
    lines.push(
      `  // Sends ${names.request} and returns the station's ${names.response}.`,
      ...(split ? comment(wrap(split, 95), '  ') : []),
      `  rpc ${action}(${service}${action}Request) returns (${service}${action}Response);`,
    );
  }
  lines.push('}', '');
  for (const action of actions) lines.push(...renderWrappers(service, action, spec.messageNames(action)));
  return lines;
}

function renderWrappers(
  service: string,
  action: string,
  names: { request: string; response: string },
): string[] {
  return [
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
  ];
}

/** The .proto text of one version. */
export function generateOcppProto(root: string, spec: VersionSpec): string {
  const actions = csmsActions(spec);
  const { definitions, schemas } = readActionSchemas(root, spec, actions);
  const converter = new Converter(definitions);
  const payloads = payloadMessages(spec, actions, schemas, converter);
  checkNames(spec, actions, payloads, converter);
  const lines = [...renderHeader(spec, converter), ...renderService(spec, actions)];
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
