/**
 * The OCTT "reusable states" (OCPP 2.0.1 Part 6 §3.18, OCTT TestCaseDocument 1.6 §3.22) as the simulated
 * station plays them against the CSMS. Each step returns the CSMS's answers so that tests assert what the
 * tool validates.
 */
import { randomUUID } from 'node:crypto';
import type { V16, V201 } from '@csms/ocpp';
import { at, type Station16, type Station201 } from './scenario.js';

export const MODEL = 'OCTT-Model';
export const VENDOR = 'OCTT-Vendor';

// ---------------------------------------------------------------------------------------------------------------
// OCPP 2.0.1

let notifySeq = 0;

/** NotifyEventRequest reporting a connector's AvailabilityState (trigger Delta), as the OCTT sends it. */
export function availabilityEvent(
  state: string,
  component: V201.ComponentType = { name: 'Connector' },
): V201.NotifyEventRequest {
  notifySeq += 1;
  return {
    // Distinct generatedAt per message: NotifyEvent parts are identified by (generatedAt, seqNo).
    generatedAt: at(notifySeq),
    seqNo: 0,
    eventData: [
      {
        eventId: notifySeq,
        timestamp: at(),
        trigger: 'Delta',
        actualValue: state,
        component,
        variable: { name: 'AvailabilityState' },
        eventNotificationType: 'HardWiredNotification',
      },
    ],
  };
}

/** StatusNotification + NotifyEvent for one connector ("The OCTT notifies the CSMS about the state ..."). */
export async function notifyConnector(
  cs: Station201,
  evseId: number,
  connectorId: number,
  status: V201.ConnectorStatusEnumType,
): Promise<void> {
  await expectEmpty(
    cs.call('StatusNotification', { timestamp: at(), connectorStatus: status, evseId, connectorId }),
  );
  await expectEmpty(
    cs.call(
      'NotifyEvent',
      availabilityEvent(status, { name: 'Connector', evse: { id: evseId, connectorId } }),
    ),
  );
}

async function expectEmpty(answer: Promise<object>): Promise<void> {
  const payload = await answer;
  if (Object.keys(payload).length !== 0)
    throw new Error(`expected an empty response, got ${JSON.stringify(payload)}`);
}

/** Reusable State Booted: BootNotification PowerUp, then every connector Available. Returns the boot answer. */
export async function booted201(
  cs: Station201,
  connectors: ReadonlyArray<readonly [number, number]> = [[1, 1]],
  reason: V201.BootReasonEnumType = 'PowerUp',
): Promise<V201.BootNotificationResponse> {
  const boot = await cs.call('BootNotification', {
    reason,
    chargingStation: { model: MODEL, vendorName: VENDOR },
  });
  if (boot.status === 'Accepted') {
    for (const [evseId, connectorId] of connectors)
      await notifyConnector(cs, evseId, connectorId, 'Available');
  }
  return boot;
}

export interface Tx201Options {
  readonly evseId?: number;
  readonly connectorId?: number;
  readonly idToken?: V201.IdTokenType;
  /** Continue an already started transaction (e.g. after a reconnect): its id and next seqNo. */
  readonly resume?: { readonly transactionId: string; readonly seqNo: number };
}

/**
 * One OCPP 2.0.1 transaction as the OCTT plays it: the station's transactionId, seqNo counting from 0, and the
 * reusable states EVConnectedPreSession, Authorized, EnergyTransferStarted, EnergyTransferSuspended,
 * StopAuthorized, EVConnectedPostSession and EVDisconnected.
 */
export class Tx201 {
  readonly transactionId: string;
  readonly evseId: number;
  readonly connectorId: number;
  readonly idToken: V201.IdTokenType;
  /** Requests sent, in order. */
  readonly sent: V201.TransactionEventRequest[] = [];
  seqNo = 0;
  started = false;
  isAuthorized = false;
  evConnected = false;

  constructor(
    readonly cs: Station201,
    options: Tx201Options = {},
  ) {
    this.evseId = options.evseId ?? 1;
    this.connectorId = options.connectorId ?? 1;
    this.idToken = options.idToken ?? { idToken: 'UNSET', type: 'ISO14443' };
    this.transactionId = options.resume?.transactionId ?? randomUUID();
    if (options.resume) {
      this.seqNo = options.resume.seqNo;
      this.started = true;
    }
  }

  /**
   * Sends a TransactionEvent of this transaction (eventType Started for the first, else Updated unless given),
   * with the next seqNo. `info` is merged into transactionInfo.
   */
  async event(
    triggerReason: V201.TriggerReasonEnumType,
    fields: Partial<Omit<V201.TransactionEventRequest, 'transactionInfo'>> & {
      readonly info?: Partial<V201.TransactionType>;
    } = {},
  ): Promise<V201.TransactionEventResponse> {
    const { info, ...rest } = fields;
    const request: V201.TransactionEventRequest = {
      eventType: this.started ? 'Updated' : 'Started',
      timestamp: at(),
      triggerReason,
      seqNo: this.seqNo,
      transactionInfo: { transactionId: this.transactionId, ...info },
      ...rest,
    };
    this.seqNo += 1;
    this.started = true;
    this.sent.push(request);
    return this.cs.call('TransactionEvent', request);
  }

  /** Reusable State EVConnectedPreSession (`fields` are added to its TransactionEvent, e.g. meterValue). */
  async evConnectedPreSession(
    fields: Partial<Omit<V201.TransactionEventRequest, 'transactionInfo'>> = {},
  ): Promise<V201.TransactionEventResponse> {
    await notifyConnector(this.cs, this.evseId, this.connectorId, 'Occupied');
    const answer = await this.event('CablePluggedIn', {
      evse: { id: this.evseId, connectorId: this.connectorId },
      info: { chargingState: 'EVConnected' },
      ...fields,
    });
    this.evConnected = true;
    return answer;
  }

  /** Reusable State Authorized: AuthorizeRequest, then a TransactionEvent with triggerReason Authorized. */
  async authorized(): Promise<{ authorize: V201.AuthorizeResponse; event: V201.TransactionEventResponse }> {
    const authorize = await this.cs.call('Authorize', { idToken: this.idToken });
    const event = await this.event('Authorized', {
      idToken: this.idToken,
      ...(this.started ? {} : { evse: { id: this.evseId, connectorId: this.connectorId } }),
    });
    this.isAuthorized = true;
    return { authorize, event };
  }

  /** Reusable State EnergyTransferStarted (runs Authorized first if needed). Returns the last answer. */
  async energyTransferStarted(): Promise<V201.TransactionEventResponse> {
    if (!this.isAuthorized) await this.authorized();
    if (!this.evConnected) {
      await notifyConnector(this.cs, this.evseId, this.connectorId, 'Occupied');
      await this.event('CablePluggedIn', {
        evse: { id: this.evseId, connectorId: this.connectorId },
        info: { chargingState: 'EVConnected' },
      });
      this.evConnected = true;
    }
    return this.event('ChargingStateChanged', { info: { chargingState: 'Charging' } });
  }

  /** Reusable State EnergyTransferSuspended. */
  energyTransferSuspended(): Promise<V201.TransactionEventResponse> {
    return this.event('ChargingStateChanged', { info: { chargingState: 'SuspendedEV' } });
  }

  /** Reusable State StopAuthorized (with the transaction's idToken, whose idTokenInfo the tool validates). */
  stopAuthorized(idToken: V201.IdTokenType = this.idToken): Promise<V201.TransactionEventResponse> {
    return this.event('StopAuthorized', { idToken });
  }

  /** Reusable State EVConnectedPostSession. */
  evConnectedPostSession(): Promise<V201.TransactionEventResponse> {
    return this.event('ChargingStateChanged', { info: { chargingState: 'EVConnected' } });
  }

  /** Reusable State EVDisconnected: connector Available, then the Ended event. */
  async evDisconnected(
    fields: Partial<Omit<V201.TransactionEventRequest, 'transactionInfo'>> = {},
  ): Promise<V201.TransactionEventResponse> {
    await notifyConnector(this.cs, this.evseId, this.connectorId, 'Available');
    this.evConnected = false;
    return this.event('EVCommunicationLost', {
      eventType: 'Ended',
      info: { chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
      ...fields,
    });
  }
}

/** An Energy.Active.Import.Register sample set (Wh). */
export function energyReading(
  wh: number,
  context: V201.ReadingContextEnumType,
  timestamp = at(),
  extra: Partial<V201.SampledValueType> = {},
): V201.MeterValueType {
  return {
    timestamp,
    sampledValue: [
      {
        value: wh,
        context,
        measurand: 'Energy.Active.Import.Register',
        unitOfMeasure: { unit: 'Wh' },
        ...extra,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// OCPP 1.6

/** Reusable state Booted (1.6): BootNotification, then StatusNotification Available for connector 0 and each one. */
export async function booted16(cp: Station16, connectors = 1): Promise<V16.BootNotificationResponse> {
  const boot = await cp.call('BootNotification', { chargePointVendor: VENDOR, chargePointModel: MODEL });
  if (boot.status === 'Accepted') {
    for (let connectorId = 0; connectorId <= connectors; connectorId++) {
      await statusNotification16(cp, connectorId, 'Available');
    }
  }
  return boot;
}

/** StatusNotification.req with errorCode NoError unless given. */
export function statusNotification16(
  cp: Station16,
  connectorId: number,
  status: V16.StatusNotificationRequest['status'],
  errorCode: V16.StatusNotificationRequest['errorCode'] = 'NoError',
): Promise<V16.StatusNotificationResponse> {
  return cp.call('StatusNotification', { connectorId, status, errorCode, timestamp: at() });
}

/** Reusable state Authorized (1.6). */
export function authorized16(cp: Station16, idTag: string): Promise<V16.AuthorizeResponse> {
  return cp.call('Authorize', { idTag });
}

/**
 * Reusable state Charging (1.6), after Authorized: StatusNotification Preparing, StartTransaction,
 * StatusNotification Charging. Returns the StartTransaction.conf.
 */
export async function charging16(
  cp: Station16,
  idTag: string,
  connectorId = 1,
  meterStart = 1000,
): Promise<V16.StartTransactionResponse> {
  await statusNotification16(cp, connectorId, 'Preparing');
  const start = await cp.call('StartTransaction', { connectorId, idTag, meterStart, timestamp: at() });
  await statusNotification16(cp, connectorId, 'Charging');
  return start;
}
