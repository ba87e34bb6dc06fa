import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, Json, Timestamp, UpdatedAt } from '../column-types.js';

export interface TransactionsTable {
  /** Internal key; for OCPP 1.6 it is also the transactionId the CSMS issues. */
  id: Generated<string>;
  station_id: string;
  ocpp_version: string;
  /** The OCPP transaction id: 2.0.1 the station's string id, 1.6 the CSMS-issued integer as text. */
  transaction_id: string;
  evse_id: number | null;
  connector_id: number | null;
  id_token: string | null;
  id_token_type: string | null;
  state: 'active' | 'ended';
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  /** Wh. */
  meter_start: number | null;
  meter_stop: number | null;
  stop_reason: string | null;
  charging_state: string | null;
  last_seq_no: number | null;
  remote_start_id: number | null;
  reservation_id: number | null;
  /** Identifies a 1.6 StartTransaction so that a retry gets the same transactionId back. */
  start_key: string | null;
  /** Lease epoch of the worker that inserted the row (distributed mode; null in embedded mode). */
  owner_epoch: Generated<string | null>;
  /**
   * Who ended the transaction: the station (its StopTransaction / Ended event), the CSMS (a newer
   * transaction started on the same connector / EVSE) or an operator (the EndTransaction API); null
   * while active. A CSMS or operator end is final: the station's late stop data are still recorded.
   */
  ended_by: Generated<TransactionEndedBy | null>;
  /** Why the CSMS or an operator ended it (e.g. "superseded by transaction 42 on EVSE 1"). */
  end_note: Generated<string | null>;
  /**
   * The earliest and the latest Energy.Active.Import.Register reading (Wh) of the transaction's 2.0.1
   * events by their timestamp, whatever the order they arrived in: the energy of a transaction whose
   * readings came only in Updated events.
   */
  register_first_wh: Generated<number | null>;
  register_first_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  register_last_wh: Generated<number | null>;
  register_last_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type TransactionEndedBy = 'station' | 'csms' | 'operator';

/** Every OCPP 2.0.1 TransactionEvent, unique per (station, transaction, seqNo): retries are no-ops. */
export interface TransactionEventsTable {
  id: Generated<string>;
  station_id: string;
  transaction_id: string;
  seq_no: number;
  event_type: string;
  trigger_reason: string;
  timestamp: Timestamp;
  offline: boolean;
  payload: Json;
  owner_epoch: Generated<string | null>;
  received_at: CreatedAt;
}

export interface MeterValuesTable {
  id: Generated<string>;
  station_id: string;
  /** transactions.id, when the values belong to a transaction. */
  transaction_ref: string | null;
  evse_id: number | null;
  connector_id: number | null;
  timestamp: Timestamp;
  /** The OCPP sampledValue array as sent. */
  sampled_values: Json<unknown[]>;
  /** Which message carried them (MeterValues, StopTransaction, TransactionEvent). */
  source: string;
  /** Hash of (source, transaction, connector, timestamp, values): retries are no-ops. */
  dedupe_key: string;
  owner_epoch: Generated<string | null>;
  received_at: CreatedAt;
}

export interface TransactionTables {
  transactions: TransactionsTable;
  transaction_events: TransactionEventsTable;
  meter_values: MeterValuesTable;
}

export type TransactionRow = Selectable<TransactionsTable>;
export type TransactionEventRow = Selectable<TransactionEventsTable>;
export type MeterValueRow = Selectable<MeterValuesTable>;
