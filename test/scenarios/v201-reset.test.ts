/**
 * OCPP 2.0.1 Part 6 §3.3 (B Provisioning), CSMS test cases: boot (Accepted / Pending / Rejected), variables,
 * base reports, resets, network profiles and the WebSocket subprotocol.
 */
import { describe, expect, it } from 'vitest';
import { booted201, MODEL, notifyConnector, Tx201, VENDOR } from '../support/octt-states.js';
import { addIdToken, connect201, type Station201 } from '../support/scenario.js';
import { connectorRows, csms, useProvisioningCsms } from '../support/v201-provisioning.js';

useProvisioningCsms();

/** A booted station in EnergyTransferStarted (Authorized first, then cable plugged in, then charging). */
async function chargingStation(): Promise<{ cs: Station201; tx: Tx201 }> {
  const cs = await connect201(csms);
  await booted201(cs);
  const tx = new Tx201(cs, { idToken: { idToken: await addIdToken(csms, 'PROV'), type: 'ISO14443' } });
  expect(await tx.energyTransferStarted()).toEqual({});
  expect(tx.sent.map((e) => [e.seqNo, e.eventType, e.triggerReason])).toEqual([
    [0, 'Started', 'Authorized'],
    [1, 'Updated', 'CablePluggedIn'],
    [2, 'Updated', 'ChargingStateChanged'],
  ]);
  return { cs, tx };
}

async function transactionRow(cs: Station201, tx: Tx201) {
  return csms.database.db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', cs.id)
    .where('transaction_id', '=', tx.transactionId)
    .executeTakeFirstOrThrow();
}

describe('TC_B_20_CSMS: Reset Charging Station - Without ongoing transaction - OnIdle', () => {
  it('sends ResetRequest OnIdle without evseId, then accepts the reboot', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    cs.respond('Reset', { status: 'Accepted' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'OnIdle' });
    expect(cs.requests('Reset')).toEqual([{ type: 'OnIdle' }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });

    const boot = await booted201(cs, [[1, 1]], 'RemoteReset');
    expect(boot.status).toBe('Accepted');
  });
});

describe('TC_B_21_CSMS: Reset Charging Station - With Ongoing Transaction - OnIdle', () => {
  it('gets Scheduled, the transaction ends, then the ScheduledReset boot is Accepted', async () => {
    const { cs, tx } = await chargingStation();
    cs.respond('Reset', { status: 'Scheduled' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'OnIdle' });
    expect(cs.requests('Reset')).toEqual([{ type: 'OnIdle' }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Scheduled' } });

    const stop = await tx.event('StopAuthorized', {
      idToken: tx.idToken,
      info: { chargingState: 'EVConnected' },
    });
    expect(stop.idTokenInfo?.status).toBe('Accepted');
    expect(
      await tx.event('EVCommunicationLost', {
        eventType: 'Ended',
        info: { chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
      }),
    ).toEqual({});
    const boot = await booted201(cs, [[1, 1]], 'ScheduledReset');
    expect(boot.status).toBe('Accepted');
    expect(await transactionRow(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'EVDisconnected' });
  });
});

describe('TC_B_22_CSMS: Reset Charging Station - With Ongoing Transaction - Immediate', () => {
  it('gets Accepted, the transaction ends with ImmediateReset, then the RemoteReset boot is Accepted', async () => {
    const { cs, tx } = await chargingStation();
    cs.respond('Reset', { status: 'Accepted' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'Immediate' });
    expect(cs.requests('Reset')).toEqual([{ type: 'Immediate' }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });

    expect(
      await tx.event('ResetCommand', {
        eventType: 'Ended',
        info: { chargingState: 'EVConnected', stoppedReason: 'ImmediateReset' },
      }),
    ).toEqual({});
    const boot = await cs.call('BootNotification', {
      reason: 'RemoteReset',
      chargingStation: { model: MODEL, vendorName: VENDOR },
    });
    expect(boot.status).toBe('Accepted');
    await notifyConnector(cs, 1, 1, 'Occupied');
    expect(await transactionRow(cs, tx)).toMatchObject({
      state: 'ended',
      stop_reason: 'ImmediateReset',
      charging_state: 'EVConnected',
    });
    expect(await connectorRows(cs.id)).toEqual([{ evse_id: 1, connector_id: 1, status: 'Occupied' }]);
  });
});

describe('TC_B_25_CSMS: Reset EVSE - Without ongoing transaction', () => {
  it('sends ResetRequest OnIdle with the evseId', async () => {
    const cs = await connect201(csms);
    await booted201(cs);
    cs.respond('Reset', { status: 'Accepted' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'OnIdle', evseId: 1 });
    expect(cs.requests('Reset')).toEqual([{ type: 'OnIdle', evseId: 1 }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });
  });
});

describe('TC_B_26_CSMS: Reset EVSE - With Ongoing Transaction - OnIdle', () => {
  it('gets Scheduled for the EVSE, then the transaction ends', async () => {
    const { cs, tx } = await chargingStation();
    cs.respond('Reset', { status: 'Scheduled' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'OnIdle', evseId: 1 });
    expect(cs.requests('Reset')).toEqual([{ type: 'OnIdle', evseId: 1 }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Scheduled' } });
    const stop = await tx.event('StopAuthorized', {
      idToken: tx.idToken,
      info: { chargingState: 'EVConnected' },
    });
    expect(stop.idTokenInfo?.status).toBe('Accepted');
    await tx.event('EVCommunicationLost', {
      eventType: 'Ended',
      info: { chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
    });
    expect(await transactionRow(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'EVDisconnected' });
  });
});

describe('TC_B_27_CSMS: Reset EVSE - With Ongoing Transaction - Immediate', () => {
  it('gets Accepted for the EVSE, then the transaction ends with ImmediateReset', async () => {
    const { cs, tx } = await chargingStation();
    cs.respond('Reset', { status: 'Accepted' });
    const outcome = await csms.stations.v201(cs.id, 'Reset', { type: 'Immediate', evseId: 1 });
    expect(cs.requests('Reset')).toEqual([{ type: 'Immediate', evseId: 1 }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    expect(
      await tx.event('ResetCommand', {
        eventType: 'Ended',
        info: { chargingState: 'EVConnected', stoppedReason: 'ImmediateReset' },
      }),
    ).toEqual({});
    expect(await transactionRow(cs, tx)).toMatchObject({ state: 'ended', stop_reason: 'ImmediateReset' });
  });
});
