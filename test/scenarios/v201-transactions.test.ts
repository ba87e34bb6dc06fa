/**
 * OCPP 2.0.1 Part 6 §3.6 (E Transactions), CSMS test cases: start and stop options, local starts, offline
 * events and their retries, transaction status, sequence numbers. Runs on a real PostgreSQL database.
 */
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted201, energyReading, notifyConnector, Tx201 } from '../support/octt-states.js';
import { addIdToken, at, connect201, type Station201 } from '../support/scenario.js';

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms({ database: 'postgres' });
});
afterAll(() => csms.close());

const accepted = { idTokenInfo: { status: 'Accepted' } };

/** A booted station and a transaction with a fresh valid idToken (not started yet). */
async function setup(): Promise<{ cs: Station201; tx: Tx201 }> {
  const cs = await connect201(csms);
  expect((await booted201(cs)).status).toBe('Accepted');
  const idToken: V201.IdTokenType = {
    idToken: await addIdToken(csms, 'E', { type: 'ISO14443' }),
    type: 'ISO14443',
  };
  return { cs, tx: new Tx201(cs, { idToken }) };
}

async function row(cs: Station201, tx: Tx201) {
  return csms.database.db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', cs.id)
    .where('transaction_id', '=', tx.transactionId)
    .executeTakeFirstOrThrow();
}

async function storedEvents(cs: Station201, tx: Tx201) {
  const rows = await csms.database.db
    .selectFrom('transaction_events')
    .select(['seq_no', 'event_type', 'trigger_reason', 'offline'])
    .where('station_id', '=', cs.id)
    .where('transaction_id', '=', tx.transactionId)
    .orderBy('seq_no')
    .execute();
  return rows.map((r) => [r.seq_no, r.event_type, r.trigger_reason, r.offline]);
}

/** Closes the station's connection and connects again with the same identity (no new boot). */
async function reconnect(cs: Station201): Promise<Station201> {
  await cs.close();
  return connect201(csms, { id: cs.id });
}

/** Authorize + connector Occupied + TransactionEvent Started with `chargingState` (E01 S4-S6). */
async function startWith(
  cs: Station201,
  tx: Tx201,
  triggerReason: V201.TriggerReasonEnumType,
  chargingState: V201.ChargingStateEnumType,
  meterValue?: V201.MeterValueType[],
): Promise<void> {
  expect(await cs.call('Authorize', { idToken: tx.idToken })).toEqual(accepted);
  await notifyConnector(cs, 1, 1, 'Occupied');
  const started = await tx.event(triggerReason, {
    idToken: tx.idToken,
    evse: { id: 1, connectorId: 1 },
    info: { chargingState },
    ...(meterValue ? { meterValue } : {}),
  });
  expect(tx.sent.at(-1)?.eventType).toBe('Started');
  expect(started).toEqual(accepted);
  tx.isAuthorized = true;
  tx.evConnected = true;
}

describe('TC_E_01_CSMS: Start transaction options - PowerPathClosed', () => {
  it('accepts the token in the AuthorizeResponse and in the Started event (SuspendedEVSE), then Charging', async () => {
    const { cs, tx } = await setup();
    await startWith(cs, tx, 'ChargingStateChanged', 'SuspendedEVSE');
    expect(await tx.event('ChargingStateChanged', { info: { chargingState: 'Charging' } })).toEqual({});
    expect(await row(cs, tx)).toMatchObject({
      state: 'active',
      evse_id: 1,
      connector_id: 1,
      id_token: tx.idToken.idToken,
      id_token_type: 'ISO14443',
      charging_state: 'Charging',
      last_seq_no: 1,
    });
  });
});

describe('TC_E_02_CSMS: Start transaction options - EnergyTransfer', () => {
  it('accepts the token in the AuthorizeResponse and in the Started event with chargingState Charging', async () => {
    const { cs, tx } = await setup();
    await startWith(cs, tx, 'ChargingStateChanged', 'Charging');
    expect(await row(cs, tx)).toMatchObject({ state: 'active', charging_state: 'Charging' });
  });
});

describe('TC_E_03_CSMS: Local start transaction - Cable plugin first - Success', () => {
  it('runs EVConnectedPreSession, Authorized and EnergyTransferStarted', async () => {
    const { cs, tx } = await setup();
    expect(await tx.evConnectedPreSession()).toEqual({});
    const { authorize, event } = await tx.authorized();
    expect(authorize).toEqual(accepted);
    expect(event).toEqual(accepted);
    expect(await tx.energyTransferStarted()).toEqual({});
    expect(tx.sent.map((e) => [e.eventType, e.triggerReason])).toEqual([
      ['Started', 'CablePluggedIn'],
      ['Updated', 'Authorized'],
      ['Updated', 'ChargingStateChanged'],
    ]);
    expect(await row(cs, tx)).toMatchObject({
      state: 'active',
      id_token: tx.idToken.idToken,
      charging_state: 'Charging',
      evse_id: 1,
      connector_id: 1,
    });
  });
});

describe('TC_E_04_CSMS: Local start transaction - Authorization first - Success', () => {
  it('runs Authorized and EnergyTransferStarted', async () => {
    const { cs, tx } = await setup();
    const { authorize, event } = await tx.authorized();
    expect(authorize).toEqual(accepted);
    expect(event).toEqual(accepted);
    expect(await tx.energyTransferStarted()).toEqual({});
    expect(tx.sent.map((e) => [e.eventType, e.triggerReason])).toEqual([
      ['Started', 'Authorized'],
      ['Updated', 'CablePluggedIn'],
      ['Updated', 'ChargingStateChanged'],
    ]);
    expect(await row(cs, tx)).toMatchObject({
      state: 'active',
      id_token: tx.idToken.idToken,
      charging_state: 'Charging',
    });
  });
});

describe('TC_E_39_CSMS: Stop transaction options - Deauthorized - timeout', () => {
  it('ends the authorized transaction on EVConnectTimeout with stoppedReason Timeout', async () => {
    const { cs, tx } = await setup();
    await tx.authorized();
    expect(
      await tx.event('EVConnectTimeout', { eventType: 'Ended', info: { stoppedReason: 'Timeout' } }),
    ).toEqual({});
    expect(await row(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'Timeout' });
  });
});

/** EnergyTransferStarted → StopAuthorized → EVConnectedPostSession. */
async function postSession(tx: Tx201): Promise<void> {
  await tx.energyTransferStarted();
  expect(await tx.stopAuthorized()).toEqual(accepted);
  expect(await tx.evConnectedPostSession()).toEqual({});
}

describe('TC_E_14_CSMS: Stop transaction options - EVDisconnected - Charging Station side', () => {
  it('ends the transaction on EVDisconnected after EVConnectedPostSession', async () => {
    const { cs, tx } = await setup();
    await postSession(tx);
    expect(await tx.evDisconnected()).toEqual({});
    const stored = await row(cs, tx);
    expect(stored).toMatchObject({
      state: 'ended',
      stop_reason: 'EVDisconnected',
      charging_state: 'Idle',
      last_seq_no: 5,
    });
    expect(stored.ended_at?.toISOString()).toBe(tx.sent.at(-1)?.timestamp);
  });
});

describe('TC_E_20_CSMS: Stop transaction options - EVDisconnected - EV side (able to charge IEC 61851-1 EV)', () => {
  it('ends a suspended transaction on EVDisconnected', async () => {
    const { cs, tx } = await setup();
    await tx.energyTransferStarted();
    expect(await tx.energyTransferSuspended()).toEqual({});
    expect(await tx.evDisconnected()).toEqual({});
    expect(await row(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'EVDisconnected' });
  });
});

describe('TC_E_15_CSMS: Stop transaction options - StopAuthorized - Local', () => {
  it('ends the transaction on StopAuthorized with stoppedReason Local', async () => {
    const { cs, tx } = await setup();
    await tx.energyTransferStarted();
    expect(
      await tx.event('StopAuthorized', { eventType: 'Ended', info: { stoppedReason: 'Local' } }),
    ).toEqual({});
    expect(await row(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'Local' });
  });
});

describe('TC_E_21_CSMS: Stop transaction options - StopAuthorized - Remote', () => {
  it('sends RequestStopTransactionRequest with the transactionId, then accepts the RemoteStop Ended event', async () => {
    const { cs, tx } = await setup();
    await tx.energyTransferStarted();
    cs.respond('RequestStopTransaction', { status: 'Accepted' });
    const outcome = await csms.stations.v201(cs.id, 'RequestStopTransaction', {
      transactionId: tx.transactionId,
    });
    expect(cs.requests('RequestStopTransaction')).toEqual([{ transactionId: tx.transactionId }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    expect(await tx.event('RemoteStop', { eventType: 'Ended', info: { stoppedReason: 'Remote' } })).toEqual(
      {},
    );
    expect(await row(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'Remote' });
  });
});

describe('TC_E_09_CSMS: Start transaction options - EVConnected', () => {
  it('starts the transaction on CablePluggedIn', async () => {
    const { cs, tx } = await setup();
    expect(await tx.evConnectedPreSession()).toEqual({});
    expect(tx.sent[0]).toMatchObject({ eventType: 'Started', triggerReason: 'CablePluggedIn', seqNo: 0 });
    expect(await row(cs, tx)).toMatchObject({
      state: 'active',
      evse_id: 1,
      connector_id: 1,
      charging_state: 'EVConnected',
      id_token: null,
    });
  });
});

describe('TC_E_10_CSMS: Start transaction options - Authorized - Local', () => {
  it('accepts the token in the AuthorizeResponse and in the Started event with triggerReason Authorized', async () => {
    const { cs, tx } = await setup();
    const { authorize, event } = await tx.authorized();
    expect(authorize).toEqual(accepted);
    expect(event).toEqual(accepted);
    expect(tx.sent[0]).toMatchObject({ eventType: 'Started', triggerReason: 'Authorized' });
    expect(await row(cs, tx)).toMatchObject({ state: 'active', id_token: tx.idToken.idToken });
  });
});

describe('TC_E_11_CSMS: Start transaction options - DataSigned', () => {
  it('accepts the Started event carrying a signed Transaction.Begin meter value and stores it', async () => {
    const { cs, tx } = await setup();
    const signedMeterValue: V201.SignedMeterValueType = {
      signedMeterData: 'AP///wAAAAAA',
      signingMethod: 'ECDSA-secp256r1-SHA256',
      encodingMethod: 'OCMF',
      publicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE',
    };
    const begin = energyReading(0, 'Transaction.Begin', at(), { signedMeterValue });
    await startWith(cs, tx, 'SignedDataReceived', 'EVConnected', [begin]);
    expect(await tx.event('ChargingStateChanged', { info: { chargingState: 'Charging' } })).toEqual({});
    const stored = await row(cs, tx);
    expect(stored).toMatchObject({ state: 'active', meter_start: 0, charging_state: 'Charging' });
    const values = await csms.database.db
      .selectFrom('meter_values')
      .select(['sampled_values', 'source', 'evse_id'])
      .where('transaction_ref', '=', stored.id)
      .execute();
    expect(values).toEqual([{ sampled_values: begin.sampledValue, source: 'TransactionEvent', evse_id: 1 }]);
  });
});

describe('TC_E_12_CSMS: Start transaction options - ParkingBayOccupied', () => {
  it('starts the transaction on EVDetected', async () => {
    const { cs, tx } = await setup();
    expect(await tx.event('EVDetected')).toEqual({});
    expect(tx.sent[0]).toMatchObject({ eventType: 'Started', triggerReason: 'EVDetected' });
    expect(await row(cs, tx)).toMatchObject({
      state: 'active',
      started_at: new Date(tx.sent[0]?.timestamp ?? ''),
    });
  });
});

describe('TC_E_38_CSMS: Local start transaction - EV not ready', () => {
  it('accepts EVConnectedPreSession after Authorized, then SuspendedEV', async () => {
    const { cs, tx } = await setup();
    await tx.authorized();
    expect(await tx.evConnectedPreSession()).toEqual({});
    expect(tx.sent.at(-1)?.eventType).toBe('Updated');
    expect(await tx.event('ChargingStateChanged', { info: { chargingState: 'SuspendedEV' } })).toEqual({});
    expect(await row(cs, tx)).toMatchObject({ state: 'active', charging_state: 'SuspendedEV' });
  });
});

describe('TC_E_07_CSMS: Stop transaction options - PowerPathClosed - Local stop', () => {
  it('ends the transaction on StopAuthorized, stoppedReason Local', async () => {
    const { cs, tx } = await setup();
    await tx.energyTransferStarted();
    expect(
      await tx.event('StopAuthorized', { eventType: 'Ended', info: { stoppedReason: 'Local' } }),
    ).toEqual({});
    expect(await row(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'Local' });
  });
});

describe('TC_E_08_CSMS: Stop transaction options - EnergyTransfer stopped - StopAuthorized', () => {
  it('ends the transaction on ChargingStateChanged EVConnected after StopAuthorized', async () => {
    const { cs, tx } = await setup();
    await tx.energyTransferStarted();
    expect(await tx.stopAuthorized()).toEqual(accepted);
    expect(
      await tx.event('ChargingStateChanged', {
        eventType: 'Ended',
        info: { chargingState: 'EVConnected', stoppedReason: 'Local' },
      }),
    ).toEqual({});
    expect(await row(cs, tx)).toMatchObject({
      state: 'ended',
      stop_reason: 'Local',
      charging_state: 'EVConnected',
    });
  });
});

describe('TC_E_16_CSMS: Stop transaction options - Deauthorized - Invalid idToken', () => {
  it('answers the unknown token with Unknown, then accepts the DeAuthorized Ended event', async () => {
    const { cs } = await setup();
    const tx = new Tx201(cs, { idToken: { idToken: 'E16-NOT-KNOWN', type: 'ISO14443' } });
    expect(await tx.event('Authorized', { idToken: tx.idToken })).toEqual({
      idTokenInfo: { status: 'Unknown' },
    });
    expect(tx.sent[0]?.eventType).toBe('Started');
    expect(
      await tx.event('Deauthorized', { eventType: 'Ended', info: { stoppedReason: 'DeAuthorized' } }),
    ).toEqual({});
    expect(await row(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'DeAuthorized' });
  });
});

describe('TC_E_17_CSMS: Stop transaction options - Deauthorized - EV side disconnect', () => {
  it('ends a suspended transaction on EVCommunicationLost', async () => {
    const { cs, tx } = await setup();
    await tx.energyTransferStarted();
    await tx.energyTransferSuspended();
    expect(
      await tx.event('EVCommunicationLost', {
        eventType: 'Ended',
        info: { chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
      }),
    ).toEqual({});
    expect(await row(cs, tx)).toMatchObject({
      state: 'ended',
      stop_reason: 'EVDisconnected',
      charging_state: 'Idle',
    });
  });
});

describe('TC_E_22_CSMS: Stop transaction options - EnergyTransfer stopped - SuspendedEV', () => {
  it('ends the transaction with stoppedReason StoppedByEV', async () => {
    const { cs, tx } = await setup();
    await tx.energyTransferStarted();
    expect(
      await tx.event('ChargingStateChanged', {
        eventType: 'Ended',
        info: { chargingState: 'SuspendedEV', stoppedReason: 'StoppedByEV' },
      }),
    ).toEqual({});
    expect(await row(cs, tx)).toMatchObject({
      state: 'ended',
      stop_reason: 'StoppedByEV',
      charging_state: 'SuspendedEV',
    });
  });
});

describe('TC_E_19_CSMS: Stop transaction options - ParkingBayUnoccupied', () => {
  it('ends the transaction on EVDeparted with stoppedReason Local', async () => {
    const { cs, tx } = await setup();
    await postSession(tx);
    // EVDisconnected with TxStopPoint ParkingBayOccupancy: the cable is gone, the transaction goes on.
    await notifyConnector(cs, 1, 1, 'Available');
    expect(await tx.event('EVCommunicationLost', { info: { chargingState: 'Idle' } })).toEqual({});
    expect(await tx.event('EVDeparted', { eventType: 'Ended', info: { stoppedReason: 'Local' } })).toEqual(
      {},
    );
    expect(await row(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'Local', charging_state: 'Idle' });
  });
});

describe('TC_E_26_CSMS: Disconnect cable on EV-side - Suspend transaction', () => {
  it('keeps the transaction through EVCommunicationLost (Idle) and a new CablePluggedIn', async () => {
    const { cs, tx } = await setup();
    await tx.energyTransferStarted();
    await tx.energyTransferSuspended();
    expect(await tx.event('EVCommunicationLost', { info: { chargingState: 'Idle' } })).toEqual({});
    await notifyConnector(cs, 1, 1, 'Available');
    expect(await tx.event('CablePluggedIn', { info: { chargingState: 'EVConnected' } })).toEqual({});
    expect(await tx.event('ChargingStateChanged', { info: { chargingState: 'Charging' } })).toEqual({});
    expect(await row(cs, tx)).toMatchObject({
      state: 'active',
      charging_state: 'Charging',
      stop_reason: null,
    });
  });
});

describe('TC_E_29_CSMS: Check Transaction status - Transaction with id ongoing - with message in queue', () => {
  it('asks GetTransactionStatus with the transactionId after the reconnect and stores the queued event', async () => {
    const { cs: first, tx } = await setup();
    await tx.energyTransferStarted();
    const cs = await reconnect(first);
    cs.respond('GetTransactionStatus', { ongoingIndicator: true, messagesInQueue: true });
    const outcome = await csms.stations.v201(cs.id, 'GetTransactionStatus', {
      transactionId: tx.transactionId,
    });
    expect(cs.requests('GetTransactionStatus')).toEqual([{ transactionId: tx.transactionId }]);
    expect(outcome).toEqual({ status: 'result', payload: { ongoingIndicator: true, messagesInQueue: true } });

    const queued = new Tx201(cs, { idToken: tx.idToken, resume: tx });
    expect(
      await queued.event('MeterValuePeriodic', {
        offline: true,
        meterValue: [energyReading(1500, 'Sample.Periodic')],
      }),
    ).toEqual({});
    expect(await storedEvents(cs, tx)).toEqual([
      [0, 'Started', 'Authorized', false],
      [1, 'Updated', 'CablePluggedIn', false],
      [2, 'Updated', 'ChargingStateChanged', false],
      [3, 'Updated', 'MeterValuePeriodic', true],
    ]);
  });
});

describe('TC_E_30_CSMS: Check Transaction status - Transaction with id ongoing - without message in queue', () => {
  it('sends GetTransactionStatusRequest with the transactionId', async () => {
    const { cs, tx } = await setup();
    await tx.energyTransferStarted();
    cs.respond('GetTransactionStatus', { ongoingIndicator: true, messagesInQueue: false });
    const outcome = await csms.stations.v201(cs.id, 'GetTransactionStatus', {
      transactionId: tx.transactionId,
    });
    expect(cs.requests('GetTransactionStatus')).toEqual([{ transactionId: tx.transactionId }]);
    expect(outcome).toEqual({
      status: 'result',
      payload: { ongoingIndicator: true, messagesInQueue: false },
    });
  });
});

describe('TC_E_31_CSMS: Check Transaction status - Transaction with id ended - with message in queue', () => {
  it('accepts the queued events out of seqNo order and ends the transaction', async () => {
    const { cs: first, tx } = await setup();
    await tx.energyTransferStarted();
    const cs = await reconnect(first);
    const queued = new Tx201(cs, { idToken: tx.idToken, resume: tx });
    // Step 3-4
    await expect(
      cs.call('StatusNotification', {
        timestamp: at(),
        connectorStatus: 'Available',
        evseId: 1,
        connectorId: 1,
      }),
    ).resolves.toEqual({});
    // Step 5-6: Ended, skipping the two seqNo values still queued.
    queued.seqNo = tx.seqNo + 2;
    expect(
      await queued.event('EVCommunicationLost', {
        eventType: 'Ended',
        offline: true,
        info: { chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
      }),
    ).toEqual({});
    // Step 7-8
    cs.respond('GetTransactionStatus', { ongoingIndicator: false, messagesInQueue: true });
    const outcome = await csms.stations.v201(cs.id, 'GetTransactionStatus', {
      transactionId: tx.transactionId,
    });
    expect(cs.requests('GetTransactionStatus')).toEqual([{ transactionId: tx.transactionId }]);
    expect(outcome).toEqual({
      status: 'result',
      payload: { ongoingIndicator: false, messagesInQueue: true },
    });
    // Step 9-12: the two skipped events arrive late.
    queued.seqNo = tx.seqNo;
    expect(await queued.event('StopAuthorized', { offline: true, idToken: tx.idToken })).toEqual(accepted);
    expect(
      await queued.event('ChargingStateChanged', { offline: true, info: { chargingState: 'EVConnected' } }),
    ).toEqual({});

    expect(await storedEvents(cs, tx)).toEqual([
      [0, 'Started', 'Authorized', false],
      [1, 'Updated', 'CablePluggedIn', false],
      [2, 'Updated', 'ChargingStateChanged', false],
      [3, 'Updated', 'StopAuthorized', true],
      [4, 'Updated', 'ChargingStateChanged', true],
      [5, 'Ended', 'EVCommunicationLost', true],
    ]);
    // The row follows the events, not their arrival: ended, and the state of the highest seqNo.
    expect(await row(cs, tx)).toMatchObject({
      state: 'ended',
      stop_reason: 'EVDisconnected',
      charging_state: 'Idle',
      last_seq_no: 5,
      id_token: tx.idToken.idToken,
    });
  });
});

describe('TC_E_33_CSMS: Check Transaction status - Without transactionId - with message in queue', () => {
  it('sends GetTransactionStatusRequest without transactionId and stores the queued event', async () => {
    const { cs: first, tx } = await setup();
    await tx.energyTransferStarted();
    const cs = await reconnect(first);
    cs.respond('GetTransactionStatus', { messagesInQueue: true });
    const outcome = await csms.stations.v201(cs.id, 'GetTransactionStatus', {});
    expect(cs.requests('GetTransactionStatus')).toEqual([{}]);
    expect(outcome).toEqual({ status: 'result', payload: { messagesInQueue: true } });
    const queued = new Tx201(cs, { idToken: tx.idToken, resume: tx });
    expect(
      await queued.event('MeterValuePeriodic', {
        offline: true,
        meterValue: [energyReading(2500, 'Sample.Periodic')],
      }),
    ).toEqual({});
    expect((await storedEvents(cs, tx)).at(-1)).toEqual([3, 'Updated', 'MeterValuePeriodic', true]);
  });
});

describe('TC_E_34_CSMS: Check Transaction status - Without transactionId - without message in queue', () => {
  it('sends GetTransactionStatusRequest without transactionId', async () => {
    const { cs } = await setup();
    cs.respond('GetTransactionStatus', { messagesInQueue: false });
    const outcome = await csms.stations.v201(cs.id, 'GetTransactionStatus', {});
    expect(cs.requests('GetTransactionStatus')).toEqual([{}]);
    expect(outcome).toEqual({ status: 'result', payload: { messagesInQueue: false } });
  });
});

describe('TC_E_53_CSMS: Reset Sequence Number - CSMS accepting seqNo = 0 at start of transaction', () => {
  it('accepts seqNo 0 for the Started event of each new transaction', async () => {
    const { cs, tx } = await setup();
    expect(await tx.energyTransferStarted()).toEqual({});
    expect(tx.sent[0]).toMatchObject({ seqNo: 0, eventType: 'Started' });
    await tx.stopAuthorized();
    await tx.evConnectedPostSession();
    expect(await tx.evDisconnected()).toEqual({});

    const next = new Tx201(cs, { idToken: tx.idToken });
    const { authorize, event } = await next.authorized();
    expect(authorize).toEqual(accepted);
    expect(event).toEqual(accepted);
    expect(next.sent[0]).toMatchObject({ seqNo: 0, eventType: 'Started' });
    expect(await next.energyTransferStarted()).toEqual({});
    await next.stopAuthorized();
    await next.evConnectedPostSession();
    expect(await next.evDisconnected()).toEqual({});

    for (const t of [tx, next]) {
      expect(await row(cs, t)).toMatchObject({
        state: 'ended',
        stop_reason: 'EVDisconnected',
        last_seq_no: 5,
      });
      expect((await storedEvents(cs, t))[0]).toEqual([0, 'Started', 'Authorized', false]);
    }
  });
});

describe('TransactionEvent retry after a lost CALLRESULT (E13, OCPP-J retries)', () => {
  it('answers a resent event again and stores it once', async () => {
    const { cs, tx } = await setup();
    await tx.energyTransferStarted();
    const request: V201.TransactionEventRequest = {
      eventType: 'Updated',
      timestamp: at(),
      triggerReason: 'StopAuthorized',
      seqNo: tx.seqNo,
      idToken: tx.idToken,
      transactionInfo: { transactionId: tx.transactionId },
      meterValue: [energyReading(3000, 'Sample.Periodic')],
    };
    expect(await cs.call('TransactionEvent', request)).toEqual(accepted);
    expect(await cs.call('TransactionEvent', request)).toEqual(accepted);
    expect(await storedEvents(cs, tx)).toHaveLength(4);
    const stored = await row(cs, tx);
    const values = await csms.database.db
      .selectFrom('meter_values')
      .select('id')
      .where('transaction_ref', '=', stored.id)
      .execute();
    expect(values).toHaveLength(1);
  });
});
