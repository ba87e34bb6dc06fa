/**
 * OCPP 2.0.1 tariff and cost (functional block I) against a whole embedded CSMS on PostgreSQL with ocpp-rpc
 * stations in strict mode (every CostUpdated the CSMS sends and every answer it gives is schema-checked by the
 * station): OCTT TC_I_01_CSMS (the running cost as CostUpdatedRequest), TC_I_02_CSMS (the final totalCost in the
 * TransactionEventResponse of the Ended event), and the tariff text of I01 at Authorize. Timestamps are set
 * explicitly, so the costs (which count charging time) are exact.
 */
import { describe, expect, it } from 'vitest';
import { notifyConnector } from '../support/octt-states.js';
import { eventually } from '../support/scenario.js';
import {
  after,
  client,
  periodic,
  queuedCostUpdates,
  stationWithTx,
  tariff,
  useTariffApi,
} from '../support/tariff-api.js';

useTariffApi();

const MINUTE = 60_000;

describe('TC_I_01_CSMS: Show EV Driver running total cost during charging - costUpdatedRequest', () => {
  it('sends a CostUpdatedRequest with the running cost after each periodic meter value', async () => {
    const { cs, tx } = await stationWithTx();
    // 1.00 flat + 0.25 / kWh + 2.00 / h, 20 % tax.
    await client.createTariff({
      tariff: tariff({
        tariffId: `I01-${cs.id}`,
        stationId: cs.id,
        flatFee: 1,
        pricePerKwh: 0.25,
        pricePerHour: 2,
        taxRatePercent: 20,
        displayText: '0.25 EUR/kWh, 2.00 EUR/h, 1.00 EUR per session, plus 20 % VAT',
      }),
    });
    // Steps 1-2: Authorize → Accepted.
    const authorize = await cs.call('Authorize', { idToken: tx.idToken });
    expect(authorize.idTokenInfo.status).toBe('Accepted');
    // Steps 3-4: TransactionEvent Updated, triggerReason Authorized → idTokenInfo Accepted (totalCost optional).
    const authorized = await tx.event('Authorized', {
      eventType: 'Updated',
      idToken: tx.idToken,
      evse: { id: tx.evseId, connectorId: tx.connectorId },
    });
    expect(authorized.idTokenInfo?.status).toBe('Accepted');
    tx.isAuthorized = true;
    const t0 = tx.sent[0]!.timestamp;
    // Step 5: EVConnectedPreSession (with the first register reading, 1000 Wh at t0).
    await tx.evConnectedPreSession({ meterValue: [periodic(1000, t0)] });
    // Step 6: EnergyTransferStarted.
    await tx.energyTransferStarted();
    await eventually(() => cs.requests('CostUpdated').length >= 1, 20_000);
    const before = cs.requests('CostUpdated').length;
    // Steps 7-10, twice: MeterValuePeriodic → TransactionEventResponse, then CostUpdatedRequest.
    // 15 min, 3 kWh: 1.00 + 0.75 + 0.50 = 2.25, + 0.45 tax = 2.70.
    const t1 = after(t0, 15 * MINUTE);
    expect(await tx.event('MeterValuePeriodic', { timestamp: t1, meterValue: [periodic(4000, t1)] })).toEqual(
      {},
    );
    await eventually(() => cs.requests('CostUpdated').length >= before + 1, 20_000);
    expect(cs.requests('CostUpdated').at(-1)).toEqual({ transactionId: tx.transactionId, totalCost: 2.7 });
    // 30 min, 6 kWh: 1.00 + 1.50 + 1.00 = 3.50, + 0.70 tax = 4.20.
    const t2 = after(t0, 30 * MINUTE);
    expect(await tx.event('MeterValuePeriodic', { timestamp: t2, meterValue: [periodic(7000, t2)] })).toEqual(
      {},
    );
    await eventually(() => cs.requests('CostUpdated').length >= before + 2, 20_000);
    expect(cs.requests('CostUpdated').at(-1)).toEqual({ transactionId: tx.transactionId, totalCost: 4.2 });
  });
});

describe('TC_I_02_CSMS: Show EV Driver Final Total Cost After Charging', () => {
  it('answers the Ended TransactionEventRequest with the totalCost of the transaction', async () => {
    const { cs, tx } = await stationWithTx();
    await client.createTariff({
      tariff: tariff({
        tariffId: `I02-${cs.id}`,
        stationId: cs.id,
        flatFee: 0.5,
        pricePerKwh: 0.3,
        pricePerHour: 1.2,
        taxRatePercent: 21,
      }),
    });
    // Before: state EVConnectedPostSession (a transaction with readings from 1000 Wh).
    await tx.authorized();
    const t0 = tx.sent[0]!.timestamp;
    await tx.energyTransferStarted();
    const t1 = after(t0, 10 * MINUTE);
    await tx.event('MeterValuePeriodic', {
      timestamp: t1,
      meterValue: [periodic(1000, t0), periodic(5000, t1)],
    });
    await tx.stopAuthorized();
    await tx.evConnectedPostSession();
    // Steps 1-2: connector Available (StatusNotification + NotifyEvent).
    await notifyConnector(cs, tx.evseId, tx.connectorId, 'Available');
    // Steps 3-4: TransactionEvent Ended, EVCommunicationLost, Idle, EVDisconnected, 30 min after the start, with
    // the Transaction.End reading 13 345 Wh: 0.50 + 12.345 kWh × 0.30 (3.7035) + 0.5 h × 1.20 = 4.8035 → 4.80,
    // + 21 % tax 1.008 → 1.01: 5.81.
    const end = after(t0, 30 * MINUTE);
    const endedEvent = {
      eventType: 'Ended' as const,
      timestamp: end,
      triggerReason: 'EVCommunicationLost' as const,
      seqNo: tx.seqNo,
      transactionInfo: {
        transactionId: tx.transactionId,
        chargingState: 'Idle' as const,
        stoppedReason: 'EVDisconnected' as const,
      },
      meterValue: [
        {
          timestamp: end,
          sampledValue: [
            {
              value: 13_345,
              context: 'Transaction.End' as const,
              measurand: 'Energy.Active.Import.Register' as const,
              unitOfMeasure: { unit: 'Wh' },
            },
          ],
        },
      ],
    };
    const ended = await cs.call('TransactionEvent', endedEvent);
    // Tool validation step 4: totalCost not omitted.
    expect(ended).toEqual({ totalCost: 5.81 });
    // The stored final cost, and the same answer to a retry of the Ended event (E13).
    expect(
      await client.getTransactionCost({ id: '', stationId: cs.id, transactionId: tx.transactionId }),
    ).toMatchObject({
      tariffId: `I02-${cs.id}`,
      currency: 'EUR',
      energyWh: 12_345,
      durationSeconds: 1800,
      subtotal: 4.8,
      tax: 1.01,
      total: 5.81,
      final: true,
    });
    expect(await cs.call('TransactionEvent', endedEvent)).toEqual({ totalCost: 5.81 });
  });

  it('sends totalCost 0 for a free tariff (I03.FR.04) and omits it when no tariff applies', async () => {
    const { tx } = await stationWithTx();
    await tx.energyTransferStarted();
    // No tariff (the other tests' tariffs are scoped to their stations): the cost is not known.
    expect(await tx.evDisconnected()).toEqual({});
    const free = await stationWithTx();
    await client.createTariff({ tariff: tariff({ tariffId: `FREE-${free.cs.id}`, stationId: free.cs.id }) });
    await free.tx.energyTransferStarted();
    expect(await free.tx.evDisconnected()).toEqual({ totalCost: 0 });
  });
});

describe('I01 / I02: tariff text and the station device model', () => {
  it("puts the tariff text of the token's group in personalMessage of an accepted Authorize", async () => {
    const group = `GRP-${Date.now()}`;
    const { cs, tx } = await stationWithTx(group);
    await client.createTariff({
      tariff: tariff({ tariffId: `ST-${cs.id}`, stationId: cs.id, displayText: 'station' }),
    });
    await client.createTariff({
      tariff: tariff({ tariffId: `G-${cs.id}`, idTokenGroup: group, displayText: 'group' }),
    });
    const answer = await cs.call('Authorize', { idToken: tx.idToken });
    expect(answer.idTokenInfo).toMatchObject({
      status: 'Accepted',
      groupIdToken: { idToken: group },
      personalMessage: { format: 'UTF8', content: 'group' },
    });
    const unknown = await cs.call('Authorize', { idToken: { idToken: 'NOBODY', type: 'ISO14443' } });
    expect(unknown.idTokenInfo).toEqual({ status: 'Unknown' });
  });

  it('sends no CostUpdated and no personalMessage to a station reporting TariffCostCtrlr not enabled', async () => {
    const { cs, tx } = await stationWithTx();
    await client.createTariff({ tariff: tariff({ tariffId: `OFF-${cs.id}`, stationId: cs.id, flatFee: 1 }) });
    const variable = (instance: string) => ({
      component: { name: 'TariffCostCtrlr' },
      variable: { name: 'Enabled', instance },
      variableAttribute: [{ type: 'Actual' as const, value: 'false' }],
    });
    await cs.call('NotifyReport', {
      requestId: 1,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [variable('Tariff'), variable('Cost')],
    });
    expect((await cs.call('Authorize', { idToken: tx.idToken })).idTokenInfo).toEqual({ status: 'Accepted' });
    await tx.energyTransferStarted();
    const t = new Date().toISOString();
    await tx.event('MeterValuePeriodic', { timestamp: t, meterValue: [periodic(1000, t)] });
    // The CostUpdated would have been queued before the CALLRESULT: nothing was.
    expect(await queuedCostUpdates(cs.id)).toEqual([]);
    // The final cost is still sent (I03.FR.02 has no such precondition).
    expect(await tx.evDisconnected()).toEqual({ totalCost: 1 });
  });
});
