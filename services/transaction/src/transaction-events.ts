import type { Bus } from '@csms/bus';
import { apiStationEvents, type transactionV1 } from '@csms/grpc';

/** The station event types that are transaction facts (published by the station actors). */
export const TRANSACTION_EVENT_TYPES = [
  'transaction-started',
  'transaction-ended',
  'transaction-event',
] as const;

/**
 * StreamTransactionEvents: yields the transaction facts published on the bus from now on (optionally
 * only some stations), in the order the bus delivers them, until `signal` aborts (client cancel or
 * deadline). A client that falls too far behind (`MAX_PENDING_EVENTS` of @csms/bus) gets RESOURCE_EXHAUSTED
 * instead of growing the server's memory.
 */
export async function* streamTransactionEvents(
  bus: Bus,
  request: transactionV1.StreamTransactionEventsRequest,
  signal: AbortSignal,
): AsyncGenerator<transactionV1.StreamTransactionEventsResponse> {
  for await (const event of apiStationEvents(
    bus,
    { stationIds: request.stationIds, types: TRANSACTION_EVENT_TYPES },
    signal,
  ))
    yield { event };
}
