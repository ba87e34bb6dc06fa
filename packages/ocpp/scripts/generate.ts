/**
 * Generates `src/gen/v16.ts`, `src/gen/v201.ts` and `src/gen/v21.ts` from the vendored OCA JSON schemas in
 * `packages/ocpp/schemas/` (run: `npm run generate -w @csms/ocpp`).
 *
 * Per OCPP version the script:
 *  1. classifies every schema file as the request or response of an action (or, for 2.1, a SEND message);
 *  2. checks the file set against the direction tables below and FAILS on any schema without a direction
 *     entry, any direction entry without both schemas, or two same-named definitions that differ structurally;
 *  3. merges all `definitions` into one namespace (shared types such as `CustomDataType` are emitted once) and
 *     compiles every message with json-schema-to-typescript;
 *  4. appends the action map interface and the matching runtime const, then formats with prettier using the
 *     repository's `.prettierrc.json`.
 *
 * The output only depends on the (sorted) schema files and the tables below, so re-running it produces no diff
 * (CI: `npm run generate && git diff --exit-code packages/ocpp/src/gen`).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { compile } from 'json-schema-to-typescript';
import type { JSONSchema4 } from 'json-schema';
import * as prettier from 'prettier';
import ts from 'typescript';
import { ANNOTATIONS, isObject, structural, type Json, type JsonObject } from './schema-structure.js';

/** Who sends the request (CALL) of an action: the Charging Station / Charge Point, the CSMS, or either side. */
type Sender = 'station' | 'csms' | 'both';

/**
 * OCPP 1.6 directions.
 * - Core messages: "OCPP 1.6 edition 2" (ocpp16/ocpp-1.6 edition 2.md), chapter 4 "Operations Initiated by
 *   Charge Point" (§4.1–§4.10) and chapter 5 "Operations Initiated by Central System" (§5.1–§5.19).
 *   DataTransfer is listed in both (§4.3 and §5.6).
 * - Security extension: "OCPP 1.6 Security Whitepaper edition 3", chapter 5 "Messages" (§5.1–§5.22), where each
 *   .req is described as "sent by the Central System to the Charge Point" or vice versa.
 */
const V16_DIRECTIONS: Readonly<Record<string, Sender>> = {
  // 1.6 edition 2, chapter 4: initiated by Charge Point
  Authorize: 'station', // §4.1
  BootNotification: 'station', // §4.2
  DataTransfer: 'both', // §4.3 and §5.6
  DiagnosticsStatusNotification: 'station', // §4.4
  FirmwareStatusNotification: 'station', // §4.5
  Heartbeat: 'station', // §4.6
  MeterValues: 'station', // §4.7
  StartTransaction: 'station', // §4.8
  StatusNotification: 'station', // §4.9
  StopTransaction: 'station', // §4.10
  // 1.6 edition 2, chapter 5: initiated by Central System
  CancelReservation: 'csms', // §5.1
  ChangeAvailability: 'csms', // §5.2
  ChangeConfiguration: 'csms', // §5.3
  ClearCache: 'csms', // §5.4
  ClearChargingProfile: 'csms', // §5.5
  GetCompositeSchedule: 'csms', // §5.7
  GetConfiguration: 'csms', // §5.8
  GetDiagnostics: 'csms', // §5.9
  GetLocalListVersion: 'csms', // §5.10
  RemoteStartTransaction: 'csms', // §5.11
  RemoteStopTransaction: 'csms', // §5.12
  ReserveNow: 'csms', // §5.13
  Reset: 'csms', // §5.14
  SendLocalList: 'csms', // §5.15
  SetChargingProfile: 'csms', // §5.16
  TriggerMessage: 'csms', // §5.17
  UnlockConnector: 'csms', // §5.18
  UpdateFirmware: 'csms', // §5.19
  // Security Whitepaper edition 3, chapter 5
  CertificateSigned: 'csms', // §5.1
  DeleteCertificate: 'csms', // §5.3
  ExtendedTriggerMessage: 'csms', // §5.5
  GetInstalledCertificateIds: 'csms', // §5.7
  GetLog: 'csms', // §5.9
  InstallCertificate: 'csms', // §5.11
  LogStatusNotification: 'station', // §5.13
  SecurityEventNotification: 'station', // §5.15
  SignCertificate: 'station', // §5.17
  SignedFirmwareStatusNotification: 'station', // §5.19
  SignedUpdateFirmware: 'csms', // §5.21
};

/**
 * OCPP 2.0.1 directions: OCPP-2.0.1 edition 3 part 2, "Messages, Datatypes & Enumerations", chapter 1 "Messages"
 * (§1.1–§1.64). Each `<Action>Request` section states "sent by the Charging Station to the CSMS" or "sent by the
 * CSMS to the Charging Station" (or describes it in the use case that uses it). DataTransferRequest (§1.13) is
 * "sent either by the CSMS to the Charging Station or vice versa". PublishFirmwareStatusNotification is sent by
 * a Local Controller, which acts as a Charging Station towards the CSMS (part 4 §6 "OCPP Routing").
 */
const V201_DIRECTIONS: Readonly<Record<string, Sender>> = {
  Authorize: 'station', // §1.1
  BootNotification: 'station', // §1.2
  CancelReservation: 'csms', // §1.3
  CertificateSigned: 'csms', // §1.4
  ChangeAvailability: 'csms', // §1.5
  ClearCache: 'csms', // §1.6
  ClearChargingProfile: 'csms', // §1.7
  ClearDisplayMessage: 'csms', // §1.8
  ClearedChargingLimit: 'station', // §1.9
  ClearVariableMonitoring: 'csms', // §1.10
  CostUpdated: 'csms', // §1.11
  CustomerInformation: 'csms', // §1.12 (use case N09)
  DataTransfer: 'both', // §1.13
  DeleteCertificate: 'csms', // §1.14
  FirmwareStatusNotification: 'station', // §1.15
  Get15118EVCertificate: 'station', // §1.16
  GetBaseReport: 'csms', // §1.17
  GetCertificateStatus: 'station', // §1.18
  GetChargingProfiles: 'csms', // §1.19
  GetCompositeSchedule: 'csms', // §1.20
  GetDisplayMessages: 'csms', // §1.21 (use case O03)
  GetInstalledCertificateIds: 'csms', // §1.22
  GetLocalListVersion: 'csms', // §1.23
  GetLog: 'csms', // §1.24
  GetMonitoringReport: 'csms', // §1.25
  GetReport: 'csms', // §1.26
  GetTransactionStatus: 'csms', // §1.27
  GetVariables: 'csms', // §1.28
  Heartbeat: 'station', // §1.29
  InstallCertificate: 'csms', // §1.30
  LogStatusNotification: 'station', // §1.31
  MeterValues: 'station', // §1.32
  NotifyChargingLimit: 'station', // §1.33
  NotifyCustomerInformation: 'station', // §1.34
  NotifyDisplayMessages: 'station', // §1.35
  NotifyEVChargingNeeds: 'station', // §1.36
  NotifyEVChargingSchedule: 'station', // §1.37
  NotifyEvent: 'station', // §1.38
  NotifyMonitoringReport: 'station', // §1.39
  NotifyReport: 'station', // §1.40
  PublishFirmware: 'csms', // §1.41 (CSMS to Local Controller)
  PublishFirmwareStatusNotification: 'station', // §1.42 (Local Controller to CSMS)
  ReportChargingProfiles: 'station', // §1.43
  RequestStartTransaction: 'csms', // §1.44
  RequestStopTransaction: 'csms', // §1.45
  ReservationStatusUpdate: 'station', // §1.46
  ReserveNow: 'csms', // §1.47
  Reset: 'csms', // §1.48
  SecurityEventNotification: 'station', // §1.49
  SendLocalList: 'csms', // §1.50
  SetChargingProfile: 'csms', // §1.51
  SetDisplayMessage: 'csms', // §1.52
  SetMonitoringBase: 'csms', // §1.53
  SetMonitoringLevel: 'csms', // §1.54
  SetNetworkProfile: 'csms', // §1.55
  SetVariableMonitoring: 'csms', // §1.56
  SetVariables: 'csms', // §1.57
  SignCertificate: 'station', // §1.58
  StatusNotification: 'station', // §1.59
  TransactionEvent: 'station', // §1.60
  TriggerMessage: 'csms', // §1.61
  UnlockConnector: 'csms', // §1.62
  UnpublishFirmware: 'csms', // §1.63
  UpdateFirmware: 'csms', // §1.64
};

/**
 * OCPP 2.1 directions: OCPP-2.1 edition 1 part 2, "Messages, Datatypes & Enumerations", chapter 1 "Messages"
 * (§1.1–§1.91) and the use cases that use the messages new in 2.1. All 2.0.1 messages keep their direction.
 */
const V21_DIRECTIONS: Readonly<Record<string, Sender>> = {
  ...V201_DIRECTIONS,
  AdjustPeriodicEventStream: 'csms', // §1.1 (use case N13: "CSMS sends a AdjustPeriodicEventStreamRequest")
  AFRRSignal: 'csms', // §1.2 ("CSMS sends a AFRRSignalRequest")
  BatterySwap: 'station', // §1.4 ("Message sent by Charging Station when a battery is swapped")
  ChangeTransactionTariff: 'csms', // §1.9 ("CSMS sends a ChangeTransactionTariffRequest")
  ClearDERControl: 'csms', // §1.12 (R04.FR.41: "Charging Station receives a ClearDERControlRequest")
  ClearTariffs: 'csms', // §1.15 ("CSMS requests to clear one or more default tariffs from a Charging Station")
  ClosePeriodicEventStream: 'station', // §1.17 ("Charging Station sends a ClosePeriodicEventStreamRequest")
  GetCertificateChainStatus: 'station', // §1.25 ("Charging Station sends a GetCertificateChainStatusRequest")
  GetDERControl: 'csms', // §1.29 (R04.FR.36: "Charging Station receives a GetDERControlRequest")
  GetPeriodicEventStream: 'csms', // §1.35 ("CSMS sends a GetPeriodicEventStreamRequest")
  GetTariffs: 'csms', // §1.37 ("CSMS sends GetTariffsRequest")
  NotifyAllowedEnergyTransfer: 'csms', // §1.44 ("Message sent by CSMS to update the list of authorized energy services")
  NotifyDERAlarm: 'station', // §1.47 ("Charging Station SHALL report ... by sending a NotifyDERAlarmRequest")
  NotifyDERStartStop: 'station', // §1.48 ("Charging Station SHALL send a NotifyDERStartStopRequest")
  NotifyPriorityCharging: 'station', // §1.55 ("Message sent by Charging Station to notify CSMS")
  NotifySettlement: 'station', // §1.57 ("Charging Station sends a NotifySettlementRequest")
  NotifyWebPaymentStarted: 'csms', // §1.58 ("CSMS MAY send a NotifyWebPaymentStartedRequest")
  OpenPeriodicEventStream: 'station', // §1.59 ("Charging Station SHALL send a OpenPeriodicEventStreamRequest")
  PullDynamicScheduleUpdate: 'station', // §1.62 ("This message is sent by a Charging Station")
  ReportDERControl: 'station', // §1.64 ("Charging Station SHALL ... send one or more ReportDERControlRequest")
  RequestBatterySwap: 'csms', // §1.65 ("CSMS sends a RequestBatterySwapRequest")
  SetDefaultTariff: 'csms', // §1.74 ("CSMS sends SetDefaultTariffRequest")
  SetDERControl: 'csms', // §1.75 (R01.FR.03: "Upon receiving DER controls as SetDERControlRequest messages from CSMS")
  UpdateDynamicSchedule: 'csms', // §1.88 ("CSMS ... sends a UpdateDynamicScheduleRequest")
  UsePriorityCharging: 'csms', // §1.90 ("Message sent by CSMS to tell Charging Station to switch")
  VatNumberValidation: 'station', // §1.91 ("Charging Station MAY send a VatNumberValidationRequest")
};

/**
 * OCPP 2.1 unconfirmed messages (message type SEND = 6, OCPP-2.1 part 4 §4.2.4): the schema file is named after the
 * message itself, without Request/Response suffix. NotifyPeriodicEventStream: part 2 use case N15,
 * N15.FR.01 "Charging Station SHALL send a NotifyPeriodicEventStream message as a message type SEND".
 */
const V21_SEND_DIRECTIONS: Readonly<Record<string, Sender>> = {
  NotifyPeriodicEventStream: 'station',
};

interface VersionSpec {
  /** Schema folder below `packages/ocpp/schemas`. */
  readonly dir: string;
  /** Output module below `src/gen`. */
  readonly module: string;
  /** Prefix for the action map interface (`V16Actions`) and const (`V16_ACTIONS`). */
  readonly prefix: string;
  /** 1.6 names request files `<Action>.json`; 2.x names them `<Action>Request.json`. */
  readonly requestSuffix: '' | 'Request';
  readonly directions: Readonly<Record<string, Sender>>;
  readonly sends: Readonly<Record<string, Sender>>;
}

const VERSIONS: readonly VersionSpec[] = [
  { dir: 'ocpp1.6', module: 'v16', prefix: 'V16', requestSuffix: '', directions: V16_DIRECTIONS, sends: {} },
  {
    dir: 'ocpp2.0.1',
    module: 'v201',
    prefix: 'V201',
    requestSuffix: 'Request',
    directions: V201_DIRECTIONS,
    sends: {},
  },
  {
    dir: 'ocpp2.1',
    module: 'v21',
    prefix: 'V21',
    requestSuffix: 'Request',
    directions: V21_DIRECTIONS,
    sends: V21_SEND_DIRECTIONS,
  },
];

const HEADER =
  '// Code generated by packages/ocpp/scripts/generate.ts from the OCA JSON schemas. DO NOT EDIT.\n' +
  '// Source: packages/ocpp/schemas (Copyright (c) 2010-2025 Open Charge Alliance, CC BY-ND 4.0).\n';

const packageDir = new URL('../', import.meta.url);
const schemasDir = new URL('schemas/', packageDir);
const genDir = new URL('src/gen/', packageDir);
const prettierConfigFile = new URL('../../.prettierrc.json', packageDir);

/**
 * Deep copy of a schema prepared for json-schema-to-typescript (the vendored files stay untouched):
 * - `\r\n` in descriptions becomes `\n`, so generated JSDoc has LF line endings only;
 * - a schema without any constraint (e.g. 2.0.1 DataTransferRequest.data, "Data without specified length or
 *   format") becomes `unknown`; the compiler would otherwise type it as an object with an index signature.
 */
function normalise(value: Json, isNameMap = false): Json {
  if (Array.isArray(value)) return value.map((item) => normalise(item));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (!isNameMap && key === 'description' && typeof child === 'string') {
      out[key] = child.replace(/\r\n?/g, '\n').trimEnd();
    } else {
      out[key] = normalise(child, !isNameMap && (key === 'properties' || key === 'definitions'));
    }
  }
  if (!isNameMap && Object.keys(out).every((key) => ANNOTATIONS.has(key))) out.tsType = 'unknown';
  return out;
}

/** Drops `description` from a definition whose variants disagree (the texts are message-specific). */
function withoutDescription(value: JsonObject): JsonObject {
  const { description: _description, ...rest } = value;
  return rest;
}

/** Removes json-schema-to-typescript's "referenced via definition" boilerplate from JSDoc comments. */
function stripProvenance(code: string): string {
  const provenance =
    /\n \*(?: \n \*)? This interface was referenced by `\w+`'s JSON-Schema\n \* via the `definition` "\w+"\./g;
  return code.replace(provenance, '').replace(/\/\*\*\s*\*\/\n?/g, '');
}

/**
 * Splits the compiler output into top-level declarations, drops the placeholder root, fails on duplicate
 * identifiers and returns the declarations sorted by name (so the output order never depends on traversal order).
 */
function sortedDeclarations(
  code: string,
  placeholder: string,
  dir: string,
): { name: string; text: string }[] {
  const file = ts.createSourceFile(
    'gen.ts',
    stripProvenance(code),
    ts.ScriptTarget.Latest,
    false,
    ts.ScriptKind.TS,
  );
  const out: { name: string; text: string }[] = [];
  for (const statement of file.statements) {
    if (!ts.isInterfaceDeclaration(statement) && !ts.isTypeAliasDeclaration(statement)) {
      throw new Error(`${dir}: unexpected generated statement: ${statement.getText(file).slice(0, 80)}`);
    }
    const name = statement.name.text;
    if (name === placeholder) continue;
    if (out.some((d) => d.name === name)) throw new Error(`${dir}: duplicate identifier ${name}`);
    out.push({ name, text: statement.getFullText(file).trim() });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

interface Classified {
  readonly requests: Map<string, string>;
  readonly responses: Map<string, string>;
  readonly sends: Map<string, string>;
}

function classify(spec: VersionSpec, files: readonly string[], errors: string[]): Classified {
  const requests = new Map<string, string>();
  const responses = new Map<string, string>();
  const sends = new Map<string, string>();
  for (const file of files) {
    const base = file.slice(0, -'.json'.length);
    if (base.endsWith('Response')) {
      responses.set(base.slice(0, -'Response'.length), file);
    } else if (spec.requestSuffix === '') {
      requests.set(base, file);
    } else if (base.endsWith(spec.requestSuffix)) {
      requests.set(base.slice(0, -spec.requestSuffix.length), file);
    } else if (Object.hasOwn(spec.sends, base)) {
      sends.set(base, file);
    } else {
      errors.push(
        `${spec.dir}/${file}: neither <Action>Request.json, <Action>Response.json nor a SEND message`,
      );
    }
  }
  for (const action of new Set([...requests.keys(), ...responses.keys()])) {
    if (!Object.hasOwn(spec.directions, action)) errors.push(`${spec.dir}: no direction entry for ${action}`);
  }
  for (const action of Object.keys(spec.directions)) {
    if (!requests.has(action)) errors.push(`${spec.dir}: direction entry ${action} has no request schema`);
    if (!responses.has(action)) errors.push(`${spec.dir}: direction entry ${action} has no response schema`);
  }
  for (const name of Object.keys(spec.sends)) {
    if (!sends.has(name)) errors.push(`${spec.dir}: SEND entry ${name} has no schema`);
  }
  return { requests, responses, sends };
}

async function readSchema(spec: VersionSpec, file: string): Promise<JsonObject> {
  const text = await readFile(new URL(`${spec.dir}/${file}`, schemasDir), 'utf8');
  const parsed = JSON.parse(text) as Json;
  if (!isObject(parsed)) throw new Error(`${spec.dir}/${file}: not a JSON object`);
  return parsed;
}

async function generateVersion(spec: VersionSpec): Promise<string> {
  const errors: string[] = [];
  const files = (await readdir(new URL(`${spec.dir}/`, schemasDir)))
    .filter((f) => f.endsWith('.json'))
    .sort();
  const { requests, responses, sends } = classify(spec, files, errors);
  if (errors.length > 0) throw new Error(errors.join('\n'));

  // Message type name -> schema file.
  const messages = new Map<string, string>();
  for (const [action, file] of requests) messages.set(`${action}Request`, file);
  for (const [action, file] of responses) messages.set(`${action}Response`, file);
  for (const [name, file] of sends) messages.set(name, file);

  const shared = new Map<string, { schema: JsonObject; from: string; descriptions: Set<string> }>();
  const roots = new Map<string, JsonObject>();
  for (const name of [...messages.keys()].sort()) {
    const file = messages.get(name) ?? '';
    const schema = normalise(await readSchema(spec, file)) as JsonObject;
    const { definitions, $schema: _s, $id: _id, id: _legacyId, comment: _c, title: _t, ...root } = schema;
    if (definitions !== undefined) {
      if (!isObject(definitions)) throw new Error(`${spec.dir}/${file}: definitions is not an object`);
      for (const defName of Object.keys(definitions).sort()) {
        const def = definitions[defName];
        if (!isObject(def)) throw new Error(`${spec.dir}/${file}: definition ${defName} is not an object`);
        const seen = shared.get(defName);
        if (seen === undefined) {
          shared.set(defName, {
            schema: def,
            from: file,
            descriptions: new Set([JSON.stringify(def.description ?? null)]),
          });
        } else if (!isDeepStrictEqual(structural(seen.schema), structural(def))) {
          errors.push(`${spec.dir}: definition ${defName} differs between ${seen.from} and ${file}`);
        } else {
          seen.descriptions.add(JSON.stringify(def.description ?? null));
        }
      }
    }
    roots.set(name, { ...root, title: name });
  }
  for (const name of roots.keys()) {
    if (shared.has(name)) errors.push(`${spec.dir}: message ${name} collides with a shared definition`);
  }
  if (errors.length > 0) throw new Error(errors.join('\n'));

  const allDefinitions: JsonObject = {};
  for (const name of [...roots.keys()].sort()) allDefinitions[name] = roots.get(name) ?? {};
  for (const name of [...shared.keys()].sort()) {
    const entry = shared.get(name);
    if (entry === undefined) continue;
    allDefinitions[name] = entry.descriptions.size > 1 ? withoutDescription(entry.schema) : entry.schema;
  }

  // One compilation unit per version: a placeholder root whose definitions hold every message and shared type.
  // Every `$ref` in the OCA schemas is a local `#/definitions/<Name>`, so it resolves against the merged set.
  const placeholder = `${spec.prefix}SchemaRoot`;
  const merged = {
    title: placeholder,
    type: 'object',
    additionalProperties: false,
    properties: {},
    definitions: allDefinitions,
  } as unknown as JSONSchema4;
  const compiled = await compile(merged, placeholder, {
    bannerComment: '',
    format: false,
    unreachableDefinitions: true,
    ignoreMinAndMaxItems: true,
    strictIndexSignatures: false,
    unknownAny: true,
    additionalProperties: true,
    declareExternallyReferenced: true,
  });
  const declarations = sortedDeclarations(compiled, placeholder, spec.dir);
  const declared = new Set(declarations.map((d) => d.name));
  for (const name of messages.keys()) {
    if (!declared.has(name)) throw new Error(`${spec.dir}: ${name} was not emitted`);
  }
  const types = declarations.map((d) => d.text).join('\n\n');

  const actions = Object.keys(spec.directions).sort();
  const sendNames = Object.keys(spec.sends).sort();
  const lines: string[] = [HEADER, types];
  lines.push(
    '',
    `/** Every ${spec.dir} CALL action with its request/response payload types and who sends the request. */`,
    `export interface ${spec.prefix}Actions {`,
    ...actions.map(
      (a) =>
        `  ${a}: { request: ${a}Request; response: ${a}Response; sender: '${spec.directions[a] ?? ''}' };`,
    ),
    '}',
    '',
    `/** Runtime counterpart of {@link ${spec.prefix}Actions}: action name -> sender of the request. */`,
    `export const ${spec.prefix}_ACTIONS = {`,
    ...actions.map((a) => `  ${a}: '${spec.directions[a] ?? ''}',`),
    '} as const;',
    '',
    `/** Name of an ${spec.dir} CALL action. */`,
    `export type ${spec.prefix}Action = keyof ${spec.prefix}Actions;`,
  );
  if (sendNames.length > 0) {
    lines.push(
      '',
      `/** ${spec.dir} unconfirmed (SEND, message type 6) messages with their payload type and sender. */`,
      `export interface ${spec.prefix}SendMessages {`,
      ...sendNames.map((n) => `  ${n}: { payload: ${n}; sender: '${spec.sends[n] ?? ''}' };`),
      '}',
      '',
      `/** Runtime counterpart of {@link ${spec.prefix}SendMessages}. */`,
      `export const ${spec.prefix}_SEND_MESSAGES = {`,
      ...sendNames.map((n) => `  ${n}: '${spec.sends[n] ?? ''}',`),
      '} as const;',
    );
  }
  const source = lines.join('\n') + '\n';

  const config =
    (await prettier.resolveConfig(new URL(`${spec.module}.ts`, genDir), {
      config: fileURLToPath(prettierConfigFile),
      editorconfig: false,
    })) ?? {};
  return prettier.format(source, { ...config, parser: 'typescript' });
}

async function main(): Promise<void> {
  // Generate everything before writing anything, so a failing check never leaves a partial update behind.
  const outputs: [URL, string][] = [];
  for (const spec of VERSIONS)
    outputs.push([new URL(`${spec.module}.ts`, genDir), await generateVersion(spec)]);
  await mkdir(genDir, { recursive: true });
  for (const [target, output] of outputs) {
    await writeFile(target, output, 'utf8');
    console.log(`wrote ${fileURLToPath(target)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
