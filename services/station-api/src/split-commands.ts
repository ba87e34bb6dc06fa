import type { CallOptions, CommandOutcome, StationApi } from '@csms/bus';
import { ApiErrors, RichServerError, abortable, answerOf, type CallAnswer } from '@csms/grpc';
import type { OcppValidator, OcppVersion } from '@csms/ocpp';
import {
  frameBytes,
  halvesOf,
  jsonBytes,
  refusedAsTooLarge,
  splitItems,
  type StationLimits,
} from '@csms/station-limits';
import { joinAnswers, partGoesOn, splitSpecOf, type SplitSpec } from './split-specs.js';

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
 * Sends a command. The requests of {@link splitSpecOf} with more entries than the station takes in one message
 * are sent as several CALLs, in order, one after the other, and their answers joined into one answer. Limits
 * and their learning: {@link StationLimits}; a GetVariables / GetConfiguration answer also teaches the limits
 * it mentions. A station that refuses a request of several entries as too large (CALLERROR) without having told
 * its limit gets it again in halves, and the size it took is remembered for the next requests.
 */
export async function sendCommand(
  sender: CommandSender,
  command: Command,
  signal: AbortSignal,
): Promise<CallAnswer> {
  const { stationId, version, action, options } = command;
  const spec = splitSpecOf(version, action);
  const answer = spec
    ? await sendSplittable(sender, command, spec, signal)
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

async function sendSplittable(
  sender: CommandSender,
  command: Command,
  spec: SplitSpec,
  signal: AbortSignal,
): Promise<CallAnswer> {
  const { stationId, version, action, payload, options } = command;
  const parts = await partsOf(sender, command, spec.list, signal);
  if (parts.length > 1) return sendParts(sender, command, spec, parts, signal);
  // One message: sent with the caller's options (it may be queued for an offline station).
  const outcome = await abortable(
    sender.stations.call(stationId, action, payload, { ...options, ocppVersion: version }),
    signal,
  );
  const entries = entriesOf(payload, spec.list);
  if (!refusedAsTooLarge(outcome) || entries <= 1) return answerOf(stationId, action, outcome);
  return sendParts(sender, command, spec, halves(payload, spec.list), signal, entries);
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
 * request, with the count of parts the station answered before it. A part of several entries the station
 * refuses as too large is sent again in halves; `refused` is the size of a whole request already refused.
 */
async function sendParts(
  sender: CommandSender,
  command: Command,
  spec: SplitSpec,
  parts: readonly Record<string, unknown>[],
  signal: AbortSignal,
  refused?: number,
): Promise<CallAnswer> {
  const { stationId, version, action, payload, options } = command;
  const queue = [...parts];
  const answers: Record<string, unknown>[] = [];
  let smallestRefused = refused;
  let largestTaken = 0;
  for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
    const index = answers.length;
    const sent = spec.requestIdPerPart ? { ...part, requestId: Number(payload.requestId) + index } : part;
    const outcome = await abortable(
      sender.stations.call(stationId, action, sent, {
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
    const entries = entriesOf(part, spec.list);
    if (refusedAsTooLarge(outcome) && entries > 1) {
      smallestRefused = Math.min(smallestRefused ?? entries, entries);
      queue.unshift(...halves(part, spec.list));
      continue;
    }
    const answer = partAnswer(stationId, action, outcome, index, index + 1 + queue.length);
    answers.push(answer);
    largestTaken = Math.max(largestTaken, entries);
    if (!partGoesOn(spec, answer)) break;
  }
  if (smallestRefused !== undefined && largestTaken > 0)
    await sender.limits.learnFromRefusal(
      stationId,
      version,
      action,
      Math.min(largestTaken, smallestRefused - 1),
    );
  return { kind: 'result', payload: joinAnswers(spec, answers, answers.length + queue.length) };
}

function entriesOf(payload: Record<string, unknown>, list: string): number {
  const items = payload[list];
  return Array.isArray(items) ? items.length : 0;
}

/** The request as two, each with half of the list (the first half the larger). */
function halves(payload: Record<string, unknown>, list: string): Record<string, unknown>[] {
  return halvesOf(payload[list] as unknown[]).map((half) => ({ ...payload, [list]: half }));
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
