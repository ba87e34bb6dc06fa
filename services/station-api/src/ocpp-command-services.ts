import type { StationApi } from '@csms/bus';
import type { Database, Kysely } from '@csms/db';
import {
  RequestViolations,
  apiService,
  invalidRequest,
  ocpp16V1,
  ocpp201V1,
  type ApiService,
  type CallContext,
  type ServiceImplementation,
  type stationV1,
} from '@csms/grpc';
import { createValidator, type OcppVersion } from '@csms/ocpp';
import { StationLimits } from '@csms/station-limits';
import type { Logger } from '@csms/telemetry';
import { callOptionsOf } from './call-options.js';
import { commandRuleViolations } from './command-rules.js';
import { sendCommand, type CommandSender } from './split-commands.js';

/**
 * What the typed command services need: the station command API, and the database and a logger for the
 * stations' per-message limits (learned and stored in `station_message_limits`, see StationLimits).
 */
export interface OcppCommandServiceDeps {
  readonly stations: StationApi;
  readonly db: Kysely<Database>;
  readonly logger: Logger;
}

/** `csms.ocpp16.v1.Ocpp16Service`: one typed RPC per CSMS-initiated OCPP 1.6 action. */
export function createOcpp16Service(deps: OcppCommandServiceDeps): ApiService {
  return commandService('csms.ocpp16.v1.Ocpp16Service', ocpp16V1.Ocpp16ServiceDefinition, 'ocpp1.6', deps);
}

/** `csms.ocpp201.v1.Ocpp201Service`: one typed RPC per CSMS-initiated OCPP 2.0.1 action. */
export function createOcpp201Service(deps: OcppCommandServiceDeps): ApiService {
  return commandService(
    'csms.ocpp201.v1.Ocpp201Service',
    ocpp201V1.Ocpp201ServiceDefinition,
    'ocpp2.0.1',
    deps,
  );
}

/**
 * The shape every RPC of the generated typed-command services shares (see
 * packages/grpc/scripts/generate-ocpp-proto.ts): `<Service><Action>Request { station_id, payload, options }`
 * and `<Service><Action>Response { payload, queued }`, with the RPC named after the OCPP action.
 */
interface CommandRequest {
  readonly stationId: string;
  readonly payload?: unknown;
  readonly options?: stationV1.CallOptions | undefined;
}

interface CommandResponse {
  readonly payload?: unknown;
  readonly queued?: stationV1.QueuedCall | undefined;
}

interface CommandMethod {
  /** The OCPP action. */
  readonly name: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  // Method syntax on purpose: each generated codec takes its own request type (parameter bivariance).
  readonly requestType: { toJSON(message: CommandRequest): unknown };
  readonly responseType: { fromJSON(object: unknown): CommandResponse };
}

interface CommandServiceDefinition {
  readonly methods: Readonly<Record<string, CommandMethod>>;
}

type Handler = (request: CommandRequest, context: CallContext) => Promise<CommandResponse>;

/**
 * Implements every RPC of a generated typed-command service the same way: the payload message's proto3
 * JSON is the OCPP JSON (the generator guarantees it: json_name = OCPP property names), so, once it passes the
 * rules the schemas do not express (command-rules.ts), it goes to the station's actor as is (which validates
 * it against the OCPP schema of the station's version), and the station's CALLRESULT comes back through the
 * response message's JSON mapping.
 */
function commandService<D extends CommandServiceDefinition>(
  name: string,
  definition: D,
  version: OcppVersion,
  deps: OcppCommandServiceDeps,
): ApiService {
  const sender: CommandSender = {
    stations: deps.stations,
    limits: new StationLimits(deps),
    // Schemas compile on first use: only the requests that are split are checked here (the actor checks all).
    validator: createValidator(),
  };
  const implementation: Record<string, Handler> = {};
  for (const [key, method] of Object.entries(definition.methods)) {
    if (method.requestStream || method.responseStream) throw new Error(`${name}.${method.name} is not unary`);
    implementation[key] = (request, context) => send(sender, version, method, request, context);
  }
  // The handlers are built from the definition's own methods, so they match it key by key; TypeScript
  // cannot follow that through Object.entries, hence this one cast at the generic boundary.
  return apiService(
    name,
    definition as D & Parameters<typeof apiService>[1],
    implementation as unknown as ServiceImplementation<D & Parameters<typeof apiService>[1]>,
  );
}

async function send(
  sender: CommandSender,
  version: OcppVersion,
  method: CommandMethod,
  request: CommandRequest,
  context: CallContext,
): Promise<CommandResponse> {
  const action = method.name;
  const v = new RequestViolations();
  v.stationId('station_id', request.stationId);
  v.check(request.payload !== undefined, 'payload', `the ${action} payload is required`);
  v.throwIfAny(`invalid ${action} call`);
  const options = callOptionsOf(request.options);
  // The wrapper's JSON holds the payload's proto3 JSON, which is the OCPP JSON of the payload.
  const { payload } = method.requestType.toJSON(request) as { payload: Record<string, unknown> };
  const broken = commandRuleViolations(version, action, payload);
  if (broken.length > 0) throw invalidRequest(`invalid ${action} call`, broken);
  const answer = await sendCommand(
    sender,
    { stationId: request.stationId, version, action, payload, options },
    context.signal,
  );
  if (answer.kind === 'queued') return { queued: { id: answer.id, expireTime: answer.expireTime } };
  return method.responseType.fromJSON({ payload: answer.payload });
}
