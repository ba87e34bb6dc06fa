import type { Bus } from './bus.js';
import { Subjects, subjectMatches } from './subjects.js';

/** A station event as the actors publish it (see the worker's `#emit`): data fields plus the envelope. */
export interface PublishedStationEvent {
  readonly stationId: string;
  readonly type: string;
  /** ISO 8601. */
  readonly at: string;
  readonly [field: string]: unknown;
}

/** Most events a slow stream client may have pending before it is cut off (bounded memory). */
export const MAX_PENDING_EVENTS = 10_000;

export class StreamOverflowError extends Error {
  override name = 'StreamOverflowError';
}

/**
 * Yields the station events the actors publish on the bus from now on (optionally only some stations /
 * types), in the order the bus delivers them, until `signal` aborts. Events are live, not replayed. A
 * consumer that falls more than {@link MAX_PENDING_EVENTS} behind gets {@link StreamOverflowError} instead
 * of growing memory. The API streams (station events, transaction events) are built on it.
 */
export async function* stationEventStream(
  bus: Bus,
  filter: { readonly stationIds: readonly string[]; readonly types: readonly string[] },
  signal: AbortSignal,
): AsyncGenerator<PublishedStationEvent> {
  const pending: PublishedStationEvent[] = [];
  let wake: (() => void) | undefined;
  let overflow = false;
  const stations = new Set(filter.stationIds);
  const types = new Set(filter.types);
  // One subscription per requested type narrows what the bus delivers; else all station events.
  const patterns =
    types.size > 0 ? [...types].map((t) => `csms.evt.station.${t}.*`) : [Subjects.eventWildcard];
  const subscriptions = await Promise.all(
    patterns.map((pattern) =>
      bus.subscribe<PublishedStationEvent>(pattern, (message) => {
        if (!subjectMatches(pattern, message.subject)) return;
        const event = message.data;
        if (stations.size > 0 && !stations.has(event.stationId)) return;
        if (pending.length >= MAX_PENDING_EVENTS) overflow = true;
        else pending.push(event);
        wake?.();
      }),
    ),
  );
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      if (overflow) throw new StreamOverflowError(`more than ${MAX_PENDING_EVENTS} events pending`);
      const next = pending.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await Promise.all(subscriptions.map((s) => s.unsubscribe().catch(() => undefined)));
  }
}
