import type { OcppVersion } from '@csms/ocpp';
import type { MutableLedgerTransaction } from './ledger.js';

/** The OCPP versions a simulated station speaks (the subprotocol it offers). */
export type SimulatedVersion = Extract<OcppVersion, 'ocpp1.6' | 'ocpp2.0.1'>;

/** The versions in a fixed order (tables, stats). */
export const SIMULATED_VERSIONS: readonly SimulatedVersion[] = ['ocpp1.6', 'ocpp2.0.1'];

/** One energy register reading, Wh (Energy.Active.Import.Register at the outlet). */
export interface MeterSample {
  readonly timestamp: string;
  readonly valueWh: number;
  /** ReadingContext: Sample.Periodic, Transaction.Begin, Transaction.End or Trigger. */
  readonly context: string;
}

/**
 * A connector (1.6) or an EVSE with its single connector 1 (2.0.1). The simulator models one connector per
 * EVSE, which is what most AC stations have and keeps the two versions' numbering the same.
 */
export interface Connector {
  /** 1.6 connectorId / 2.0.1 evseId, from 1. */
  readonly id: number;
  operative: boolean;
  /** ChangeAvailability(Inoperative) answered Scheduled during a transaction: applied when it ends. */
  pendingInoperative: boolean;
  tx: Transaction | undefined;
  /** Energy register, Wh; never decreases, so every sample of a connector is distinct. */
  register: number;
  /** Timer of the automatic transaction cycle (pause → Authorize → transaction). */
  cycleTimer: NodeJS.Timeout | undefined;
  /** An Authorize of the automatic cycle is queued or in flight. */
  authorizing: boolean;
}

/** A transaction in progress (or ended but with messages still to deliver). */
export interface Transaction {
  readonly record: MutableLedgerTransaction;
  readonly connector: Connector;
  readonly idToken: string;
  /** 2.0.1 IdTokenEnumType (ISO14443 for local starts, as requested for remote starts). */
  readonly idTokenType: string;
  readonly remoteStartId: number | undefined;
  /** performance.now() when the RemoteStart/RequestStart CALL arrived (undefined for local starts). */
  readonly remoteReceivedAt: number | undefined;
  /** 2.0.1 seqNo of the next event (E01.FR.xx: Started is 0, then +1 per event). */
  nextSeqNo: number;
  meterCount: number;
  meterTimer: NodeJS.Timeout | undefined;
  ended: boolean;
  /**
   * 1.6 only: StartTransaction was given up on, so the CSMS-issued transactionId is unknown and the
   * transaction's later messages cannot be addressed; they are dropped.
   */
  abandoned: boolean;
}

/** What an outgoing CALL is, for handling its answer without per-message closures. */
export type MessageKind =
  | 'boot'
  | 'heartbeat'
  | 'status'
  | 'authorize'
  | 'start'
  | 'meter'
  | 'stop'
  /** A message sent on request (TriggerMessage, GetBaseReport) whose answer needs no handling. */
  | 'notify';

/** One station→CSMS CALL, queued, in flight, or waiting for its retry. */
export interface Outgoing {
  readonly kind: MessageKind;
  readonly action: string;
  /** Built when first sent for transaction messages (a 1.6 id is only known once the start is answered). */
  payload: Record<string, unknown> | undefined;
  /** Assigned at the first transmission and kept for retries (same id, same payload). */
  messageId: string | undefined;
  /** 1.6 §3.7 / 2.0.1 E13 transaction-related message: delivered in order, retried until acknowledged. */
  readonly transactional: boolean;
  /** May be sent while not Accepted (BootNotification, messages the CSMS asked for: 2.0.1 B02.FR.02). */
  readonly beforeAccepted: boolean;
  /** Transmissions so far. */
  attempts: number;
  /** performance.now() of the last transmission. */
  sentAt: number;
  readonly connector: Connector | undefined;
  readonly tx: Transaction | undefined;
  /** The reading a meter-carrying message reports (recorded in the ledger when acknowledged). */
  readonly meter: MeterSample | undefined;
  /** 2.0.1 TransactionEvent seqNo (assigned when the event happens, not when it is sent). */
  readonly seqNo: number;
  /** 2.0.1 TransactionEvent: the event happened while the station was offline. */
  readonly offline: boolean;
  /** Kind-specific detail: the stop reason, the trigger reason, the Authorize token. */
  readonly detail: string | undefined;
}
