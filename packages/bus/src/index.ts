export type {
  Bus,
  BusHandler,
  BusMessage,
  Headers,
  PublishOptions,
  RequestOptions,
  SubscribeOptions,
  Subscription,
} from './bus.js';
export { MemoryBus } from './memory-bus.js';
export {
  BusClosedError,
  BusError,
  NoRespondersError,
  RemoteHandlerError,
  RequestTimeoutError,
} from './errors.js';
export { Subjects, stationFromToken, stationOfSubject, stationToken, subjectMatches } from './subjects.js';
export type {
  CallOutcome,
  ConnectionEvent,
  EvictRequest,
  InboundCall,
  OutboundCall,
  OutboundOutcome,
  SecurityProfile,
} from './station-messages.js';
export { MAX_QUEUE_TTL_MS, type CommandOutcome, type StationCommand } from './station-commands.js';
export {
  StationApi,
  type CallOptions,
  type CsmsAction,
  type StationApiOptions,
  type TypedOutcome,
} from './station-api.js';
export { PARTITION_COUNT, partitionOf } from './partition.js';
export {
  MAX_PENDING_EVENTS,
  StreamOverflowError,
  stationEventStream,
  type PublishedStationEvent,
} from './station-event-stream.js';
