/**
 * @csms/ocpp: OCPP-J wire format (frames, RPC framework errors), per-version message types generated from the
 * OCA JSON schemas, and schema validation.
 */
export { OCPP_VERSIONS, NEGOTIABLE_SUBPROTOCOLS, isOcppVersion } from './version.js';
export type { OcppVersion, NegotiableSubprotocol } from './version.js';

export { OcppError, errorCodesOf, versionedCode } from './errors.js';
export type { OcppErrorCode } from './errors.js';

export {
  MessageTypeId,
  MAX_MESSAGE_ID_LENGTH,
  MAX_ERROR_DESCRIPTION_LENGTH,
  UNKNOWN_MESSAGE_ID,
  serializeFrame,
  parseFrame,
  callErrorFrame,
} from './frames.js';
export type { CallFrame, CallResultFrame, CallErrorFrame, Frame, ParsedFrame } from './frames.js';

export { ACTION_SENDERS, actionsOf, isKnownAction, senderOf } from './actions.js';
export type { Sender, OcppActionMaps, ActionsOf, ActionOf, RequestOf, ResponseOf } from './actions.js';

export { createValidator } from './validator.js';
export type { OcppValidator } from './validator.js';

/** Generated OCPP 1.6 (+ security whitepaper) message types, e.g. `V16.BootNotificationRequest`. */
export * as V16 from './gen/v16.js';
/** Generated OCPP 2.0.1 message types, e.g. `V201.BootNotificationRequest`. */
export * as V201 from './gen/v201.js';
/** Generated OCPP 2.1 message types, e.g. `V21.BootNotificationRequest`. */
export * as V21 from './gen/v21.js';
export { V16_ACTIONS } from './gen/v16.js';
export type { V16Actions, V16Action } from './gen/v16.js';
export { V201_ACTIONS } from './gen/v201.js';
export type { V201Actions, V201Action } from './gen/v201.js';
export { V21_ACTIONS, V21_SEND_MESSAGES } from './gen/v21.js';
export type { V21Actions, V21Action, V21SendMessages } from './gen/v21.js';
export {
  MAX_STATION_ID_LENGTH,
  STATION_ID_CHARACTERS,
  STATION_ID_PATTERN,
  isValidStationId,
  stationIdFault,
  stationIdProblem,
} from './station-identity.js';
export type { StationIdFault } from './station-identity.js';
export { INT32_MAX } from './integer.js';
