/**
 * OCPP 2.0.1 Part 6 §3.6 (E Transactions), CSMS test cases: start and stop options, local starts, offline
 * events and their retries, transaction status, sequence numbers. Runs on a real PostgreSQL database.
 */
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { energyReading, Tx201 } from '../support/octt-states.js';
import { at } from '../support/scenario.js';
import {
  accepted,
  csms,
  reconnect,
  row,
  setup,
  storedEvents,
  useTransactionsCsms,
} from '../support/v201-transactions.js';

useTransactionsCsms();

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
