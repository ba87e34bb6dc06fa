import type { Generated, Selectable } from 'kysely';
import type { CreatedAt, Json, NullableJson, Timestamp, UpdatedAt } from '../column-types.js';

/**
 * The display messages an OCPP 2.0.1 station holds (functional block O), as far as the CSMS knows: one row per
 * (station, message id), written when the station accepted a SetDisplayMessageRequest (O01/O02/O06), removed when
 * it accepted a ClearDisplayMessageRequest (O05), and reconciled with the station's NotifyDisplayMessagesRequests
 * (O03/O04). `message` is the 2.0.1 MessageInfoType as last confirmed; the other columns are copies of its fields
 * to filter on.
 */
export interface DisplayMessagesTable {
  station_id: string;
  /** MessageInfoType.id. */
  message_id: number;
  /** MessagePriorityEnumType: AlwaysFront, InFront, NormalCycle. */
  priority: string;
  /** MessageStateEnumType (Charging, Faulted, Idle, Unavailable); null = in every state. */
  state: string | null;
  start_date_time: Timestamp | null;
  end_date_time: Timestamp | null;
  /** The transaction it is shown during (O02); the station removes it when that ends (O02.FR.02). */
  transaction_id: string | null;
  /** MessageContentType.format: ASCII, HTML, URI, UTF8. */
  format: string;
  language: string | null;
  content: string;
  /** The display ComponentType it is shown on, or null for the station's choice. */
  display: NullableJson<Record<string, unknown>>;
  message: Json<Record<string, unknown>>;
  /** The requestId of the NotifyDisplayMessages report that last confirmed it; null when set and not reported since. */
  request_id: number | null;
  /** When the station last confirmed it (its SetDisplayMessageResponse Accepted, or a report). */
  confirmed_at: UpdatedAt;
  /** From the sequence display_message_confirmations at each confirmation: orders it against requests. */
  confirm_seq: Generated<string>;
}

/**
 * The GetDisplayMessagesRequests of a station whose report the CSMS follows (O03/O04), one row per (station,
 * requestId): their criteria, the station's answer and whether the report is whole and reconciled.
 */
export interface DisplayMessageRequestsTable {
  station_id: string;
  request_id: number;
  /** The request's criteria ({id?, priority?, state?}); null when the request was not sent through this domain. */
  criteria: NullableJson<DisplayMessageCriteria>;
  /** GetDisplayMessagesStatusEnumType (Accepted, Unknown) once answered. */
  status: string | null;
  /** The last part (tbc false) arrived, or the station answered Unknown: the catalogue was reconciled. */
  complete: boolean;
  created_at: CreatedAt;
  /** From the sequence display_message_confirmations when recorded: messages confirmed later are not judged. */
  seq: Generated<string>;
}

/** The criteria of a GetDisplayMessagesRequest (combined with AND; none = every message). */
export interface DisplayMessageCriteria {
  readonly id?: readonly number[];
  readonly priority?: string;
  readonly state?: string;
}

export interface DisplayMessageTables {
  display_messages: DisplayMessagesTable;
  display_message_requests: DisplayMessageRequestsTable;
}

export type DisplayMessageRow = Selectable<DisplayMessagesTable>;
export type DisplayMessageRequestRow = Selectable<DisplayMessageRequestsTable>;
