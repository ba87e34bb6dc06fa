import type { Connector, MeterSample, Outgoing, SimulatedVersion, Transaction } from './model.js';

/** Connector status in version-neutral terms (1.6 Occupied is reported as Charging). */
export type ConnectorStatus = 'Available' | 'Occupied' | 'Unavailable';

/** Why a transaction ends, in version-neutral terms (mapped to 1.6 Reason / 2.0.1 ReasonEnumType). */
export type StopReason = 'Local' | 'Remote' | 'DeAuthorized' | 'SoftReset' | 'HardReset' | 'UnlockCommand';

/** BootNotification reason (2.0.1 BootReasonEnumType; 1.6 has none). */
export type BootReason = 'PowerUp' | 'RemoteReset' | 'Triggered';

/** Values the CSMS can read and change (1.6 configuration keys, 2.0.1 variables). */
export interface StationSettings {
  heartbeatIntervalSec: number;
  meterValueIntervalMs: number;
  /** 1.6 TransactionMessageAttempts / 2.0.1 OCPPCommCtrlr.MessageAttempts[TransactionEvent]. */
  transactionMessageAttempts: number;
  /** 1.6 TransactionMessageRetryInterval / 2.0.1 MessageAttemptInterval[TransactionEvent], in ms. */
  transactionMessageRetryIntervalMs: number;
  readonly callTimeoutMs: number;
}

/** What a protocol needs from its station to answer CSMS-initiated CALLs. */
export interface StationControl {
  readonly identity: string;
  readonly connectors: readonly Connector[];
  /** The last BootNotification was Accepted. */
  readonly accepted: boolean;
  readonly settings: StationSettings;
  /** Applies a new heartbeat interval (restarts the heartbeat timer). */
  setHeartbeatInterval(seconds: number): void;
  /** The station's transaction with this OCPP transactionId (1.6: as decimal text), if still running. */
  findTransaction(transactionId: string): Transaction | undefined;
  /** Transaction messages not yet acknowledged (of the transaction with this id, or of any). */
  hasPendingTransactionMessages(transactionId?: string): boolean;
  /** The connector a remote start without a connector goes to: the first operative one without a transaction. */
  freeConnector(): Connector | undefined;
  /** Starts a transaction without Authorize (1.6 AuthorizeRemoteTxRequests=false, 2.0.1 AuthorizeRemoteStart=false). */
  remoteStart(
    connector: Connector,
    idToken: string,
    idTokenType: string,
    remoteStartId: number | undefined,
  ): void;
  endTransaction(tx: Transaction, reason: StopReason): void;
  /**
   * Resets the station: stops its transactions with `reason` (unless `whenIdle`: then it waits for them to
   * end), closes the connection, reconnects and boots again.
   */
  reset(reason: StopReason, whenIdle: boolean): void;
  /**
   * Applies ChangeAvailability to `targets` and reports the new statuses; a connector with a transaction
   * becomes Inoperative when it ends ('Scheduled'). Call after answering (it sends StatusNotifications).
   */
  changeAvailability(targets: readonly Connector[], operative: boolean): void;
  /** Sends a BootNotification with reason Triggered (allowed while Pending). */
  triggerBoot(): void;
  /** Sends a message the CSMS asked for (TriggerMessage, GetBaseReport); allowed while Pending. */
  sendRequested(action: string, payload: Record<string, unknown>): void;
  /** 2.0.1 TriggerMessage(TransactionEvent): an Updated event with triggerReason Trigger. */
  triggerTransactionEvent(tx: Transaction): void;
  /** Current status of a connector. */
  statusOf(connector: Connector): ConnectorStatus;
  /** A reading of the connector's register now (context Trigger). */
  readMeter(connector: Connector): MeterSample;
}

/** Where the versions differ in what TriggerMessage may ask for (the mapping itself is written once, in trigger-message.ts). */
export interface TriggerRules {
  /** 2.0.1 F06.FR.17: a station whose last boot was Accepted rejects a triggered BootNotification. */
  readonly rejectBootWhenAccepted: boolean;
  /** 1.6: a StatusNotification for the whole Charge Point reports connector 0 (the Charge Point) too. */
  readonly reportsChargePointStatus: boolean;
  /** 2.0.1: a TransactionEvent (Updated, triggerReason Trigger) of the addressed transactions. */
  readonly transactionEvent: boolean;
  /** Status notifications of processes the simulator never runs (uploads, firmware): answered Idle. */
  readonly idleNotifications: readonly string[];
}

/** The answer to a CSMS-initiated CALL. */
export type CallAnswer =
  | {
      readonly result: Record<string, unknown>;
      /** Runs after the CALLRESULT is sent (TriggerMessage: "first respond, then send the message"). */
      readonly after?: () => void;
    }
  | { readonly error: string; readonly description: string };

/** Everything version-specific: payloads, answer parsing, CSMS-initiated CALLs. */
export interface Protocol {
  readonly version: SimulatedVersion;
  readonly startAction: string;
  readonly meterAction: string;
  readonly stopAction: string;
  bootPayload(station: StationControl, reason: BootReason): Record<string, unknown>;
  statusPayload(connectorId: number, status: ConnectorStatus): Record<string, unknown>;
  authorizePayload(idToken: string): Record<string, unknown>;
  /** Builds a transaction message when first sent; undefined when it cannot be addressed (dropped). */
  transactionPayload(entry: Outgoing): Record<string, unknown> | undefined;
  /** StartTransaction.conf / TransactionEventResponse(Started): the CSMS transactionId (1.6) and the token status. */
  startResult(payload: Record<string, unknown>): {
    transactionId: string | undefined;
    status: string | undefined;
  };
  /** idTagInfo.status / idTokenInfo.status of an Authorize answer. */
  authorizeStatus(payload: Record<string, unknown>): string | undefined;
  /** MeterValues outside any transaction (TriggerMessage): one reading of one connector / EVSE. */
  meterValuesPayload(connectorId: number, sample: MeterSample): Record<string, unknown>;
  /** What TriggerMessage may ask this version for. */
  readonly trigger: TriggerRules;
  handleCall(station: StationControl, action: string, payload: Record<string, unknown>): CallAnswer;
}

/** BootNotification answer fields common to both versions. */
export function bootResult(payload: Record<string, unknown>): { status: string; interval: number } {
  const status = typeof payload.status === 'string' ? payload.status : 'Rejected';
  const interval = typeof payload.interval === 'number' && payload.interval >= 0 ? payload.interval : 0;
  return { status, interval };
}

/** `value` as an object, or an empty one (CSMS payloads are schema-validated before sending; this is a guard). */
export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** CALLERROR NotImplemented for an action this simulator does not handle. */
export function notImplemented(action: string): CallAnswer {
  return { error: 'NotImplemented', description: `${action} is not implemented by the simulator` };
}

/** Parses an integer setting >= `min` and applies it; false (answered Rejected) when it is not one. */
export function applyInt(value: string, min: number, apply: (n: number) => void): boolean {
  const text = value.trim();
  if (!/^\d{1,9}$/.test(text) || Number(text) < min) return false;
  apply(Number(text));
  return true;
}

/** A CALLRESULT answer, typed by the caller as the action's response type. */
export function result<T>(payload: T, after?: () => void): CallAnswer {
  const answer = payload as unknown as Record<string, unknown>;
  return after === undefined ? { result: answer } : { result: answer, after };
}
