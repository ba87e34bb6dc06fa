/**
 * OCPP 2.0.1 Part 6 §3.17 (P DataTransfer), CSMS test cases: a DataTransfer for a vendor the CSMS does not
 * support, and customData in ordinary messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted201, Tx201 } from '../support/octt-states.js';
import { at, connect201, type Station201 } from '../support/scenario.js';

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms({ env: { CSMS_DATA_TRANSFER_VENDORS: 'com.known.vendor' } });
});
afterAll(() => csms.close());

async function bootedStation(): Promise<Station201> {
  const cs = await connect201(csms);
  expect((await booted201(cs)).status).toBe('Accepted');
  return cs;
}

describe('TC_P_02_CSMS: Data Transfer to the CSMS - Rejected / Unknown VendorId / Unknown MessageId', () => {
  it('answers UnknownVendorId to a vendorId it does not support and stores nothing', async () => {
    const cs = await bootedStation();
    expect(
      await cs.call('DataTransfer', {
        vendorId: 'org.octt.unsupported',
        messageId: 'OCTT-Msg',
        data: { a: 1 },
      }),
    ).toEqual({ status: 'UnknownVendorId' });
    const stored = await csms.database.db
      .selectFrom('station_notifications')
      .select('id')
      .where('station_id', '=', cs.id)
      .execute();
    expect(stored).toEqual([]);
  });
});

describe('TC_P_03_CSMS: CustomData - Receive custom data', () => {
  it('answers StatusNotification and TransactionEvent requests that carry customData', async () => {
    const cs = await bootedStation();
    const customData = { vendorId: 'org.octt', octtField: 'value', nested: { n: 1 } };
    expect(
      await cs.call('StatusNotification', {
        timestamp: at(),
        connectorStatus: 'Occupied',
        evseId: 1,
        connectorId: 1,
        customData,
      }),
    ).toEqual({});
    const tx = new Tx201(cs);
    expect(
      await tx.event('CablePluggedIn', {
        customData,
        evse: { id: 1, connectorId: 1 },
        info: { chargingState: 'EVConnected', customData },
      }),
    ).toEqual({});
    const row = await csms.database.db
      .selectFrom('transaction_events')
      .select('payload')
      .where('station_id', '=', cs.id)
      .where('transaction_id', '=', tx.transactionId)
      .executeTakeFirstOrThrow();
    expect(row.payload).toMatchObject({ customData, transactionInfo: { customData } });
  });
});
