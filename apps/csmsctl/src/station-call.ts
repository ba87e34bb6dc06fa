import type { Command } from 'commander';
import { stationV1 } from '@csms/grpc';
import type { CliContext } from './context.js';
import { parseIntOption } from './parse.js';

/** The flags of every command that sends a CALL to a station (`call`, `ocpp16`, `ocpp201`). */
export interface StationCallFlags {
  readonly queue?: boolean;
  readonly queueTtl?: number;
  readonly callTimeout?: number;
}

/** How long a command waits for the station's answer by default (ms), on top of the API deadline. */
export const STATION_ANSWER_MS = 30_000;

/** Adds --queue, --queue-ttl and --call-timeout to a command. */
export function withStationCallFlags(command: Command): Command {
  return command
    .option('--queue', 'keep the call for an offline station and deliver it when it reconnects')
    .option(
      '--queue-ttl <ms>',
      'with --queue: how long it may wait',
      parseIntOption('--queue-ttl', 1, 604_800_000),
    )
    .option(
      '--call-timeout <ms>',
      'how long the station may take to answer',
      parseIntOption('--call-timeout', 1, 600_000),
    );
}

/** The API's CallOptions for the flags. */
export function callOptionsOf(o: StationCallFlags): stationV1.CallOptions {
  return {
    whenOffline: o.queue
      ? stationV1.WhenOffline.WHEN_OFFLINE_QUEUE
      : stationV1.WhenOffline.WHEN_OFFLINE_UNSPECIFIED,
    ...(o.queueTtl !== undefined ? { queueTtlMs: o.queueTtl } : {}),
    ...(o.callTimeout !== undefined ? { timeoutMs: o.callTimeout } : {}),
  };
}

/** gRPC call options: the deadline covers the station's answer. */
export function stationCallDeadline(c: CliContext, o: StationCallFlags): { deadline: Date } {
  return c.call(o.callTimeout ?? STATION_ANSWER_MS);
}

/**
 * Prints a station's answer: the OCPP payload as JSON in both modes (it is the station's JSON), or, for a
 * call queued for an offline station, where to look for its outcome (`json`: the whole response with
 * --json).
 */
export function printStationAnswer(
  c: CliContext,
  answer: { readonly payload?: unknown; readonly queued?: stationV1.QueuedCall | undefined },
  json: unknown,
): void {
  const { queued } = answer;
  if (queued) {
    c.out.line(
      json,
      `queued as ${queued.id} until ${queued.expireTime?.toISOString() ?? '?'} (csmsctl calls get ${queued.id})`,
    );
  } else {
    c.out.printJson(answer.payload ?? {});
  }
}
