import { displayMessageV1 as api } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';

// The API's display-message enums and their OCPP 2.0.1 spellings, both ways.

const PRIORITIES: ReadonlyMap<api.MessagePriority, V201.MessagePriorityEnumType> = new Map([
  [api.MessagePriority.MESSAGE_PRIORITY_ALWAYS_FRONT, 'AlwaysFront'],
  [api.MessagePriority.MESSAGE_PRIORITY_IN_FRONT, 'InFront'],
  [api.MessagePriority.MESSAGE_PRIORITY_NORMAL_CYCLE, 'NormalCycle'],
]);
const STATES: ReadonlyMap<api.MessageState, V201.MessageStateEnumType> = new Map([
  [api.MessageState.MESSAGE_STATE_CHARGING, 'Charging'],
  [api.MessageState.MESSAGE_STATE_FAULTED, 'Faulted'],
  [api.MessageState.MESSAGE_STATE_IDLE, 'Idle'],
  [api.MessageState.MESSAGE_STATE_UNAVAILABLE, 'Unavailable'],
]);
const FORMATS: ReadonlyMap<api.MessageFormat, V201.MessageFormatEnumType> = new Map([
  [api.MessageFormat.MESSAGE_FORMAT_ASCII, 'ASCII'],
  [api.MessageFormat.MESSAGE_FORMAT_HTML, 'HTML'],
  [api.MessageFormat.MESSAGE_FORMAT_URI, 'URI'],
  [api.MessageFormat.MESSAGE_FORMAT_UTF8, 'UTF8'],
]);
const SET_STATUSES: ReadonlyMap<V201.DisplayMessageStatusEnumType, api.SetDisplayMessageStatus> = new Map([
  ['Accepted', api.SetDisplayMessageStatus.SET_DISPLAY_MESSAGE_STATUS_ACCEPTED],
  [
    'NotSupportedMessageFormat',
    api.SetDisplayMessageStatus.SET_DISPLAY_MESSAGE_STATUS_NOT_SUPPORTED_MESSAGE_FORMAT,
  ],
  ['Rejected', api.SetDisplayMessageStatus.SET_DISPLAY_MESSAGE_STATUS_REJECTED],
  ['NotSupportedPriority', api.SetDisplayMessageStatus.SET_DISPLAY_MESSAGE_STATUS_NOT_SUPPORTED_PRIORITY],
  ['NotSupportedState', api.SetDisplayMessageStatus.SET_DISPLAY_MESSAGE_STATUS_NOT_SUPPORTED_STATE],
  ['UnknownTransaction', api.SetDisplayMessageStatus.SET_DISPLAY_MESSAGE_STATUS_UNKNOWN_TRANSACTION],
]);

function inverse<K, V>(map: ReadonlyMap<K, V>): ReadonlyMap<V, K> {
  return new Map([...map].map(([k, v]) => [v, k]));
}
const PRIORITY_VALUES = inverse(PRIORITIES);
const STATE_VALUES = inverse(STATES);
const FORMAT_VALUES = inverse(FORMATS);

/** OCPP spellings of API enum values (undefined for UNSPECIFIED and unknown numbers), and back. */
export const ocpp = Object.freeze({
  priority: (v: api.MessagePriority) => PRIORITIES.get(v),
  state: (v: api.MessageState) => STATES.get(v),
  format: (v: api.MessageFormat) => FORMATS.get(v),
});

export const apiEnum = Object.freeze({
  priority: (v: string) => PRIORITY_VALUES.get(v as V201.MessagePriorityEnumType) ?? 0,
  state: (v: string | null) => (v === null ? 0 : (STATE_VALUES.get(v as V201.MessageStateEnumType) ?? 0)),
  format: (v: string) => FORMAT_VALUES.get(v as V201.MessageFormatEnumType) ?? 0,
  setStatus: (v: V201.DisplayMessageStatusEnumType) => SET_STATUSES.get(v) ?? 0,
  clearStatus: (v: V201.ClearMessageStatusEnumType) =>
    v === 'Accepted'
      ? api.ClearDisplayMessageStatus.CLEAR_DISPLAY_MESSAGE_STATUS_ACCEPTED
      : api.ClearDisplayMessageStatus.CLEAR_DISPLAY_MESSAGE_STATUS_UNKNOWN,
  getStatus: (v: V201.GetDisplayMessagesStatusEnumType) =>
    v === 'Accepted'
      ? api.GetDisplayMessagesStatus.GET_DISPLAY_MESSAGES_STATUS_ACCEPTED
      : api.GetDisplayMessagesStatus.GET_DISPLAY_MESSAGES_STATUS_UNKNOWN,
});
