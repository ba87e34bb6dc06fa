/**
 * OCPP 2.0.1 Part 6 §3.6 (E Transactions), CSMS test cases: start and stop options, local starts, offline
 * events and their retries, transaction status, sequence numbers. Runs on a real PostgreSQL database.
 */
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { energyReading, notifyConnector, Tx201 } from '../support/octt-states.js';
import { at } from '../support/scenario.js';
import { accepted, csms, row, setup, startWith, useTransactionsCsms } from '../support/v201-transactions.js';

useTransactionsCsms();

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
