import type { Command } from 'commander';
import type { stationV1 } from '@csms/grpc';
import { ocpp16V1, ocpp201V1, type CompatServiceDefinition } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import {
  callOptionsOf,
  printStationAnswer,
  stationCallDeadline,
  withStationCallFlags,
  type StationCallFlags,
} from '../station-call.js';
import { parseMessage, readJsonArg, type JsonMessageFns } from './proto-json.js';

/** One RPC of a generated nice-grpc definition, as far as this command needs it. */
interface TypedMethod {
  readonly name: string;
  readonly requestType: JsonMessageFns<Record<string, unknown>>;
  readonly responseType: JsonMessageFns<Record<string, unknown>>;
}

type Invoke = (request: unknown, options: { deadline: Date }) => Promise<Record<string, unknown>>;

/** The actions of a typed OCPP service: RPC name (= OCPP action) → client method key and types. */
function actionsOf(definition: { methods: Record<string, unknown> }): Map<string, [string, TypedMethod]> {
  const actions = new Map<string, [string, TypedMethod]>();
  for (const [key, method] of Object.entries(definition.methods))
    actions.set((method as TypedMethod).name, [key, method as TypedMethod]);
  return actions;
}

function registerVersion(
  program: Command,
  ctx: () => CliContext,
  command: string,
  version: string,
  definition: CompatServiceDefinition & { methods: Record<string, unknown> },
): void {
  const actions = actionsOf(definition);
  const names = [...actions.keys()].sort();
  withStationCallFlags(program.command(`${command} <action> <station> [payload]`))
    .description(
      `send a typed OCPP ${version} CALL (${definition.fullName as string}) and print the station's answer; ` +
        'payload: the <Action>Request JSON, inline, @file or - for stdin',
    )
    .addHelpText('after', `\nActions:\n  ${names.join('\n  ')}\n`)
    .action(async (action: string, station: string, payloadArg: string | undefined, o: StationCallFlags) => {
      const found =
        actions.get(action) ??
        [...actions.entries()].find(([name]) => name.toLowerCase() === action.toLowerCase())?.[1];
      if (!found)
        throw new UsageError(
          `unknown OCPP ${version} action "${action}" (the CSMS sends: ${names.join(', ')})`,
        );
      const [key, method] = found;
      const c = ctx();
      const payload = payloadArg === undefined ? {} : await readJsonArg('payload', payloadArg, c.io);
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
        throw new UsageError('payload must be a JSON object');
      // Parsed strictly through the wrapper, so problems are named like "payload.type".
      const parsed = parseMessage('payload', method.requestType, { payload });
      const request = { ...parsed, stationId: station, options: callOptionsOf(o) };
      const client = c.client(definition) as unknown as Record<string, Invoke>;
      const response = await client[key]!(request, stationCallDeadline(c, o));
      // The typed answer's proto3 JSON is the OCPP JSON of the station's answer.
      const json = method.responseType.toJSON(response) as { payload?: unknown };
      printStationAnswer(
        c,
        { payload: json.payload, queued: response.queued as stationV1.QueuedCall | undefined },
        json,
      );
    });
}

/** `ocpp16 <Action> <station> [payload]` and `ocpp201 ...`: csms.ocpp16.v1 / csms.ocpp201.v1. */
export function registerOcppCommands(program: Command, ctx: () => CliContext): void {
  registerVersion(program, ctx, 'ocpp16', '1.6', ocpp16V1.Ocpp16ServiceDefinition);
  registerVersion(program, ctx, 'ocpp201', '2.0.1', ocpp201V1.Ocpp201ServiceDefinition);
}
