import { MAX_PENDING_EVENTS, StreamOverflowError, stationEventStream, type Bus } from '@csms/bus';
import { ApiErrors } from './api-errors.js';

/** A station event as the API streams carry it (StationEvent, TransactionStationEvent). */
export interface ApiStationEvent {
  readonly stationId: string;
  readonly type: string;
  /** Undefined when the published time is not a date. */
  readonly time: Date | undefined;
  /** The event's fields as JSON. */
  readonly data: Record<string, unknown>;
}

/**
 * The station events of the bus as an API server stream (see `stationEventStream` of @csms/bus), ending
 * when `signal` aborts. A client that falls too far behind gets RESOURCE_EXHAUSTED STREAM_OVERFLOW.
 */
export async function* apiStationEvents(
  bus: Bus,
  filter: { readonly stationIds: readonly string[]; readonly types: readonly string[] },
  signal: AbortSignal,
): AsyncGenerator<ApiStationEvent> {
  try {
    for await (const { stationId, type, at, ...data } of stationEventStream(bus, filter, signal)) {
      const time = new Date(at);
      yield {
        stationId,
        type,
        time: Number.isNaN(time.getTime()) ? undefined : time,
        // Struct cannot carry `undefined`: the JSON round trip drops such fields, as the NATS bus does.
        data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
      };
    }
  } catch (error) {
    if (error instanceof StreamOverflowError)
      throw ApiErrors.resourceExhausted(
        'STREAM_OVERFLOW',
        `the client fell more than ${MAX_PENDING_EVENTS} events behind; reconnect`,
      );
    throw error;
  }
}
