import type { CallOptions, CommandOutcome, StationApi } from '@csms/bus';
import { ApiErrors, RichServerError, abortable, answerOf, type CallAnswer } from '@csms/grpc';
import type { OcppValidator, OcppVersion } from '@csms/ocpp';
import { frameBytes, jsonBytes, splitItems, type StationLimits } from '@csms/station-limits';

/**
 * The requests the CSMS splits by the station's per-message limits: the list that is cut and the lists of the
 * answer that are joined (B06.FR.05 GetVariables, B05.FR.11 SetVariables, 1.6 §5.8 GetConfiguration keys).
 */
const SPLITTABLE: Readonly<Record<string, { readonly list: string; readonly results: readonly string[] }>> = {
  'ocpp2.0.1/GetVariables': { list: 'getVariableData', results: ['getVariableResult'] },
  'ocpp2.0.1/SetVariables': { list: 'setVariableData', results: ['setVariableResult'] },
  'ocpp1.6/GetConfiguration': { list: 'key', results: ['configurationKey', 'unknownKey'] },
};

/** What sending a command needs: the station API, the limits and a validator for whole requests. */
export interface CommandSender {
  readonly stations: StationApi;
  readonly limits: StationLimits;
  readonly validator: OcppValidator;
}

/** One typed command of the API. */
export interface Command {
  readonly stationId: string;
  readonly version: OcppVersion;
  readonly action: string;
  readonly payload: Record<string, unknown>;
  readonly options: CallOptions;
}

/**
 * Sends a command. GetVariables / SetVariables (2.0.1) and GetConfiguration (1.6) with more entries than the
 * station takes in one message are sent as several CALLs, in order, one after the other, and their answers
 * joined in the same order into one answer. Limits and their learning: {@link StationLimits}; a GetVariables /
 * GetConfiguration answer also teaches the limits it mentions.
 */
export async function sendCommand(
  sender: CommandSender,
  command: Command,
  signal: AbortSignal,
): Promise<CallAnswer> {
  const { stationId, version, action, options } = command;
  const spec = SPLITTABLE[`${version}/${action}`];
  const parts = spec ? await partsOf(sender, command, spec.list, signal) : [command.payload];
  const answer =
    spec && parts.length > 1
      ? await sendParts(sender, command, parts, spec.results, signal)
      : answerOf(
          stationId,
          action,
          await abortable(
            sender.stations.call(stationId, action, command.payload, { ...options, ocppVersion: version }),
            signal,
          ),
        );
  if (answer.kind === 'result') await sender.limits.learnFromAnswer(stationId, action, answer.payload);
  return answer;
}

/** The payloads to send: the request cut by the station's limits (itself when it fits or they are unknown). */
async function partsOf(
  sender: CommandSender,
  command: Command,
  list: string,
  signal: AbortSignal,
): Promise<Record<string, unknown>[]> {
  const { stationId, version, action, payload, options } = command;
  const items = payload[list];
  if (!Array.isArray(items) || items.length <= 1) return [payload];
  // The whole request is checked before any part is sent: a bad entry must not fail a later part after the
  // earlier ones took effect.
  const invalid = sender.validator.validateRequest(version, action, payload);
  if (invalid)
    throw ApiErrors.invalidArgument(`invalid ${action} payload: ${invalid.description}`, [
      { field: 'payload', description: `${invalid.code}: ${invalid.description}` },
    ]);
  const limits = await abortable(
    sender.limits.limitsFor(stationId, version, action, {
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    }),
    signal,
  );
  const size = { base: frameBytes(action, { ...payload, [list]: [] }), of: jsonBytes };
  return splitItems(items as unknown[], limits, size).map((part) => ({ ...payload, [list]: part }));
}

/**
 * Sends the parts in order and joins their answers. A split request is not queued for an offline station
 * (a queued call is one message): UNAVAILABLE STATION_OFFLINE. The first part that fails fails the whole
 * request, with the count of parts the station answered before it.
 */
async function sendParts(
  sender: CommandSender,
  command: Command,
  parts: readonly Record<string, unknown>[],
  results: readonly string[],
  signal: AbortSignal,
): Promise<CallAnswer> {
  const { stationId, version, action, options } = command;
  const answers: Record<string, unknown>[] = [];
  for (const [index, part] of parts.entries()) {
    const outcome = await abortable(
      sender.stations.call(stationId, action, part, {
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        whenOffline: 'reject',
        ocppVersion: version,
      }),
      signal,
    );
    if (outcome.status === 'offline' && index === 0 && options.whenOffline === 'queue')
      throw ApiErrors.unavailable(
        'STATION_OFFLINE',
        `station ${stationId} is not connected, and ${action} is not queued: it needs ${parts.length} ` +
          'messages within the station’s per-message limit, and a queued call is one message',
        { stationId, action, messages: String(parts.length) },
      );
    answers.push(partAnswer(stationId, action, outcome, index, parts.length));
  }
  return { kind: 'result', payload: joined(answers, results) };
}

function partAnswer(
  stationId: string,
  action: string,
  outcome: CommandOutcome,
  index: number,
  count: number,
): Record<string, unknown> {
  try {
    const answer = answerOf(stationId, action, outcome);
    if (answer.kind !== 'result')
      throw ApiErrors.internal('UNEXPECTED_QUEUED', `${action} was queued unexpectedly`);
    return answer.payload;
  } catch (error) {
    if (!(error instanceof RichServerError) || index === 0) throw error;
    throw new RichServerError(
      error.code,
      `${error.details} (message ${index + 1} of ${count}: the station answered the first ${index})`,
      error.extra,
    );
  }
}

/** One answer with each result list the concatenation of the parts' lists, in the parts' order. */
function joined(
  answers: readonly Record<string, unknown>[],
  results: readonly string[],
): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const field of results) {
    if (!answers.some((a) => Array.isArray(a[field]))) continue;
    payload[field] = answers.flatMap((a) => (Array.isArray(a[field]) ? (a[field] as unknown[]) : []));
  }
  return payload;
}
