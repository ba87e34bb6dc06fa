/**
 * OCPP 2.0.1 Part 6 §3.7 (F Remote Control), CSMS test cases: RequestStartTransaction /
 * RequestStopTransaction, UnlockConnector and TriggerMessage, with the messages the station sends after them.
 */
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted201, energyReading, notifyConnector, Tx201 } from '../support/octt-states.js';
import { addIdToken, connect201, type Station201 } from '../support/scenario.js';

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms();
});
afterAll(() => csms.close());

const accepted = { idTokenInfo: { status: 'Accepted' } };

async function bootedStation(
  connectors: ReadonlyArray<readonly [number, number]> = [[1, 1]],
): Promise<Station201> {
  const cs = await connect201(csms);
  expect((await booted201(cs, connectors)).status).toBe('Accepted');
  return cs;
}

async function validToken(): Promise<V201.IdTokenType> {
  return { idToken: await addIdToken(csms, 'F', { type: 'ISO14443' }), type: 'ISO14443' };
}

async function row(cs: Station201, tx: Tx201) {
  return csms.database.db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', cs.id)
    .where('transaction_id', '=', tx.transactionId)
    .executeTakeFirstOrThrow();
}

/** The operator asks the CSMS to start a transaction; the station answers `response`. */
async function requestStart(
  cs: Station201,
  idToken: V201.IdTokenType,
  remoteStartId: number,
  response: V201.RequestStartTransactionResponse,
): Promise<void> {
  cs.respond('RequestStartTransaction', response);
  const request: V201.RequestStartTransactionRequest = { idToken, remoteStartId, evseId: 1 };
  const outcome = await csms.stations.v201(cs.id, 'RequestStartTransaction', request);
  expect(cs.requests('RequestStartTransaction')).toEqual([request]);
  expect(outcome).toEqual({ status: 'result', payload: response });
}

describe('TC_F_01_CSMS: Remote start transaction - Cable plugin first', () => {
  it('sends RequestStartTransactionRequest with the idToken; the RemoteStart event carries its remoteStartId', async () => {
    const cs = await bootedStation();
    const idToken = await validToken();
    const tx = new Tx201(cs, { idToken });
    expect(await tx.evConnectedPreSession()).toEqual({});
    await requestStart(cs, idToken, 101, { status: 'Accepted', transactionId: tx.transactionId });
    expect(await tx.event('RemoteStart', { idToken, info: { remoteStartId: 101 } })).toEqual(accepted);
    expect(tx.sent.at(-1)?.eventType).toBe('Updated');
    tx.isAuthorized = true;
    expect(await tx.energyTransferStarted()).toEqual({});
    expect(await row(cs, tx)).toMatchObject({
      state: 'active',
      remote_start_id: 101,
      id_token: idToken.idToken,
      charging_state: 'Charging',
    });
  });
});

describe('TC_F_02_CSMS: Remote start transaction - Remote start first -authorizeRemoteStart is true', () => {
  it('sends RequestStartTransactionRequest, accepts the AuthorizeRequest and the RemoteStart Started event', async () => {
    const cs = await bootedStation();
    const idToken = await validToken();
    await requestStart(cs, idToken, 102, { status: 'Accepted' });
    expect(await cs.call('Authorize', { idToken })).toEqual(accepted);
    const tx = new Tx201(cs, { idToken });
    expect(
      await tx.event('RemoteStart', {
        idToken,
        evse: { id: 1, connectorId: 1 },
        info: { remoteStartId: 102 },
      }),
    ).toEqual(accepted);
    expect(tx.sent[0]?.eventType).toBe('Started');
    tx.isAuthorized = true;
    expect(await tx.energyTransferStarted()).toEqual({});
    expect(await row(cs, tx)).toMatchObject({
      state: 'active',
      remote_start_id: 102,
      charging_state: 'Charging',
    });
  });
});

describe('TC_F_03_CSMS: Remote start transaction - Remote start first -authorizeRemoteStart is false', () => {
  it('sends RequestStartTransactionRequest and accepts the RemoteStart Started event', async () => {
    const cs = await bootedStation();
    const idToken = await validToken();
    await requestStart(cs, idToken, 103, { status: 'Accepted' });
    const tx = new Tx201(cs, { idToken });
    expect(
      await tx.event('RemoteStart', {
        idToken,
        evse: { id: 1, connectorId: 1 },
        info: { remoteStartId: 103 },
      }),
    ).toEqual(accepted);
    tx.isAuthorized = true;
    expect(await tx.energyTransferStarted()).toEqual({});
    expect(await row(cs, tx)).toMatchObject({ state: 'active', remote_start_id: 103 });
  });
});

describe('TC_F_04_CSMS: Remote start transaction - Remote start first - Cable plugin timeout', () => {
  it('accepts the EVConnectTimeout event after the remote start', async () => {
    const cs = await bootedStation();
    const idToken = await validToken();
    await requestStart(cs, idToken, 104, { status: 'Accepted' });
    const tx = new Tx201(cs, { idToken });
    expect(
      await tx.event('RemoteStart', {
        idToken,
        evse: { id: 1, connectorId: 1 },
        info: { remoteStartId: 104 },
      }),
    ).toEqual(accepted);
    expect(await tx.event('EVConnectTimeout')).toEqual({});
    expect(tx.sent.at(-1)).toMatchObject({ eventType: 'Updated', seqNo: 1 });
    expect(await row(cs, tx)).toMatchObject({ remote_start_id: 104, last_seq_no: 1 });
  });
});

describe('TC_F_06_CSMS: Remote unlock Connector - Without ongoing transaction - Accepted', () => {
  it('sends UnlockConnectorRequest for the configured EVSE and connector', async () => {
    const cs = await bootedStation();
    cs.respond('UnlockConnector', { status: 'Unlocked' });
    const outcome = await csms.stations.v201(cs.id, 'UnlockConnector', { evseId: 1, connectorId: 1 });
    expect(cs.requests('UnlockConnector')).toEqual([{ evseId: 1, connectorId: 1 }]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Unlocked' } });
  });
});

/** Sends TriggerMessage `request`; the station answers `status`. */
async function trigger(
  cs: Station201,
  request: V201.TriggerMessageRequest,
  status: V201.TriggerMessageStatusEnumType = 'Accepted',
): Promise<void> {
  cs.respond('TriggerMessage', { status });
  const outcome = await csms.stations.v201(cs.id, 'TriggerMessage', request);
  expect(cs.requests('TriggerMessage').at(-1)).toEqual(request);
  expect(outcome).toEqual({ status: 'result', payload: { status } });
}

async function meterValueRows(cs: Station201) {
  return csms.database.db
    .selectFrom('meter_values')
    .select(['evse_id', 'source', 'sampled_values', 'transaction_ref'])
    .where('station_id', '=', cs.id)
    .orderBy('id')
    .execute();
}

describe('TC_F_11_CSMS: Trigger message - MeterValues - Specific EVSE', () => {
  it('triggers MeterValues for the EVSE and stores the triggered values', async () => {
    const cs = await bootedStation();
    await trigger(cs, { requestedMessage: 'MeterValues', evse: { id: 1 } });
    const reading = energyReading(1234, 'Trigger');
    expect(await cs.call('MeterValues', { evseId: 1, meterValue: [reading] })).toEqual({});
    expect(await meterValueRows(cs)).toEqual([
      { evse_id: 1, source: 'MeterValues', sampled_values: reading.sampledValue, transaction_ref: null },
    ]);
  });
});

describe('TC_F_12_CSMS: Trigger message - MeterValues - All EVSE', () => {
  it('triggers MeterValues without evse and stores the values of every EVSE', async () => {
    const cs = await bootedStation([
      [1, 1],
      [2, 1],
    ]);
    await trigger(cs, { requestedMessage: 'MeterValues' });
    // The schema requires evseId in MeterValuesRequest: one message per EVSE.
    for (const evseId of [1, 2]) {
      expect(
        await cs.call('MeterValues', { evseId, meterValue: [energyReading(100 * evseId, 'Trigger')] }),
      ).toEqual({});
    }
    expect((await meterValueRows(cs)).map((r) => r.evse_id)).toEqual([1, 2]);
  });
});

/** A booted station with a transaction in EnergyTransferStarted on EVSE 1. */
async function chargingStation(): Promise<{ cs: Station201; tx: Tx201 }> {
  const cs = await bootedStation();
  const tx = new Tx201(cs, { idToken: await validToken() });
  await tx.energyTransferStarted();
  return { cs, tx };
}

describe('TC_F_13_CSMS: Trigger message - TransactionEvent - Specific EVSE', () => {
  it('triggers a TransactionEvent for the EVSE and accepts the Trigger event with its meter value', async () => {
    const { cs, tx } = await chargingStation();
    await trigger(cs, { requestedMessage: 'TransactionEvent', evse: { id: 1 } });
    const reading = energyReading(2000, 'Trigger');
    expect(
      await tx.event('Trigger', {
        evse: { id: 1 },
        meterValue: [reading],
        info: { chargingState: 'Charging' },
      }),
    ).toEqual({});
    const stored = await row(cs, tx);
    expect(stored).toMatchObject({
      state: 'active',
      evse_id: 1,
      connector_id: 1,
      charging_state: 'Charging',
    });
    expect((await meterValueRows(cs)).at(-1)).toEqual({
      evse_id: 1,
      source: 'TransactionEvent',
      sampled_values: reading.sampledValue,
      transaction_ref: stored.id,
    });
  });
});

describe('TC_F_14_CSMS: Trigger message - TransactionEvent - All EVSE', () => {
  it('triggers TransactionEvents without evse and accepts the Trigger event', async () => {
    const { cs, tx } = await chargingStation();
    await trigger(cs, { requestedMessage: 'TransactionEvent' });
    expect(
      await tx.event('Trigger', {
        meterValue: [energyReading(2100, 'Trigger')],
        info: { chargingState: 'Charging' },
      }),
    ).toEqual({});
    expect(tx.sent.at(-1)?.evse).toBeUndefined();
    expect(await row(cs, tx)).toMatchObject({ state: 'active', evse_id: 1, last_seq_no: tx.seqNo - 1 });
  });
});

async function notifications(cs: Station201, action: string) {
  const rows = await csms.database.db
    .selectFrom('station_notifications')
    .select('payload')
    .where('station_id', '=', cs.id)
    .where('action', '=', action)
    .execute();
  return rows.map((r) => r.payload);
}

describe('TC_F_15_CSMS: Trigger message - LogStatusNotification - Idle', () => {
  it('triggers LogStatusNotification and answers the Idle notification', async () => {
    const cs = await bootedStation();
    await trigger(cs, { requestedMessage: 'LogStatusNotification' });
    expect(await cs.call('LogStatusNotification', { status: 'Idle' })).toEqual({});
    expect(await notifications(cs, 'LogStatusNotification')).toEqual([{ status: 'Idle' }]);
  });
});

describe('TC_F_18_CSMS: Trigger message - FirmwareStatusNotification - Idle', () => {
  it('triggers FirmwareStatusNotification and answers the Idle notification', async () => {
    const cs = await bootedStation();
    await trigger(cs, { requestedMessage: 'FirmwareStatusNotification' });
    expect(await cs.call('FirmwareStatusNotification', { status: 'Idle' })).toEqual({});
    expect(await notifications(cs, 'FirmwareStatusNotification')).toEqual([{ status: 'Idle' }]);
  });
});

describe('TC_F_20_CSMS: Trigger message - Heartbeat', () => {
  it('triggers a Heartbeat and answers it with the current time', async () => {
    const cs = await bootedStation();
    await trigger(cs, { requestedMessage: 'Heartbeat' });
    const before = Date.now();
    const { currentTime } = await cs.call('Heartbeat', {});
    expect(Math.abs(Date.parse(currentTime) - before)).toBeLessThan(60_000);
    const station = await csms.database.db
      .selectFrom('stations')
      .select('last_heartbeat_at')
      .where('id', '=', cs.id)
      .executeTakeFirstOrThrow();
    expect(station.last_heartbeat_at?.toISOString()).toBe(currentTime);
  });
});

async function connectorStatus(cs: Station201, evseId: number, connectorId: number) {
  const r = await csms.database.db
    .selectFrom('connectors')
    .select('status')
    .where('station_id', '=', cs.id)
    .where('evse_id', '=', evseId)
    .where('connector_id', '=', connectorId)
    .executeTakeFirst();
  return r?.status;
}

describe('TC_F_23_CSMS: Trigger message - StatusNotification - Specific EVSE - Available', () => {
  it('triggers StatusNotification for the EVSE and answers the Available notification', async () => {
    const cs = await bootedStation();
    await trigger(cs, { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } });
    await notifyConnector(cs, 1, 1, 'Available');
    expect(await connectorStatus(cs, 1, 1)).toBe('Available');
  });
});

describe('TC_F_24_CSMS: Trigger message - StatusNotification - Specific EVSE - Occupied', () => {
  it('answers the Occupied notification, triggers StatusNotification and answers it again', async () => {
    const cs = await bootedStation();
    await notifyConnector(cs, 1, 1, 'Occupied');
    await trigger(cs, { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } });
    await notifyConnector(cs, 1, 1, 'Occupied');
    expect(await connectorStatus(cs, 1, 1)).toBe('Occupied');
  });
});

describe('TC_F_27_CSMS: Trigger message - NotImplemented', () => {
  it('handles the NotImplemented answer; the station stays served', async () => {
    const cs = await bootedStation();
    await trigger(cs, { requestedMessage: 'SignV2GCertificate' }, 'NotImplemented');
    expect(await cs.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) as string });
  });
});
