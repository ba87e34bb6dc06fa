/**
 * csms.transaction.v1.TransactionService against a whole embedded CSMS: real OCPP 1.6 and 2.0.1 stations
 * (ocpp-rpc) run transactions through the edge and their actors (local ports), and the gRPC API of the
 * embedded process lists and reads them, their meter values and events, and streams the transaction facts.
 */
import { Subjects } from '@csms/bus';
import {
  connectApi,
  errorSummary,
  Status,
  transactionV1,
  type ApiClient,
  type ApiConnection,
} from '@csms/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201 } from '../support/octt-states.js';
import { addIdToken, connect16, connect201, eventually, uniqueId } from '../support/scenario.js';

const { TransactionState: T } = transactionV1;

let csms: TestCsms;
let api: ApiConnection;
let client: ApiClient<typeof transactionV1.TransactionServiceDefinition>;

beforeAll(async () => {
  csms = await startTestCsms();
  api = connectApi({ address: csms.grpcAddress });
  client = api.client(transactionV1.TransactionServiceDefinition);
});
afterAll(async () => {
  api.close();
  await csms.close();
});

/** Opens the stream and waits until its bus subscription is live (a probe event came through). */
async function openStream(stationIds: string[]) {
  const probe = uniqueId('PROBE');
  const abort = new AbortController();
  const events: transactionV1.TransactionStationEvent[] = [];
  let probed = false;
  const stream = client.streamTransactionEvents(
    { stationIds: [...stationIds, probe] },
    { signal: abort.signal },
  );
  const done = (async () => {
    try {
      for await (const r of stream)
        if (r.event && r.event.stationId !== probe) events.push(r.event);
        else if (r.event) probed = true;
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  await eventually(async () => {
    await csms.bus.publish(Subjects.event(probe, 'transaction-event'), {
      stationId: probe,
      type: 'transaction-event',
      at: new Date().toISOString(),
    });
    await new Promise((r) => setTimeout(r, 20));
    return probed;
  });
  return {
    events,
    async close() {
      abort.abort();
      await done;
    },
  };
}

/** A 1.6 transaction with one meter value, start to stop; returns its transactionId. */
async function run16Transaction(id16: string, idTag: string): Promise<number> {
  const cp = await connect16(csms, { id: id16 });
  await booted16(cp);
  const start = await cp.call('StartTransaction', {
    connectorId: 1,
    idTag,
    meterStart: 1000,
    timestamp: '2030-04-01T10:00:00.000Z',
  });
  expect(start.idTagInfo.status).toBe('Accepted');
  const tx16 = start.transactionId;
  await cp.call('MeterValues', {
    connectorId: 1,
    transactionId: tx16,
    meterValue: [
      {
        timestamp: '2030-04-01T10:30:00.000Z',
        sampledValue: [{ value: '1800', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
      },
    ],
  });
  await cp.call('StopTransaction', {
    transactionId: tx16,
    meterStop: 2500,
    timestamp: '2030-04-01T11:00:00.000Z',
    reason: 'EVDisconnected',
    transactionData: [
      {
        timestamp: '2030-04-01T11:00:00.000Z',
        sampledValue: [{ value: '2500', context: 'Transaction.End', unit: 'Wh' }],
      },
    ],
  });
  return tx16;
}

/** A 2.0.1 transaction with one Updated event, start to end. */
async function run201Transaction(id201: string, tx201: string): Promise<void> {
  const cs = await connect201(csms, { id: id201 });
  await booted201(cs);
  const token = await addIdToken(csms, 'TXAPI201');
  const started = await cs.call('TransactionEvent', {
    eventType: 'Started',
    timestamp: '2030-04-02T10:00:00.000Z',
    triggerReason: 'Authorized',
    seqNo: 0,
    transactionInfo: { transactionId: tx201, chargingState: 'Charging' },
    idToken: { idToken: token, type: 'ISO14443' },
    evse: { id: 1, connectorId: 1 },
    meterValue: [
      {
        timestamp: '2030-04-02T10:00:00.000Z',
        sampledValue: [{ value: 7000, context: 'Transaction.Begin' }],
      },
    ],
  });
  expect(started.idTokenInfo?.status).toBe('Accepted');
  await cs.call('TransactionEvent', {
    eventType: 'Updated',
    timestamp: '2030-04-02T10:15:00.000Z',
    triggerReason: 'MeterValuePeriodic',
    seqNo: 1,
    transactionInfo: { transactionId: tx201 },
    meterValue: [{ timestamp: '2030-04-02T10:15:00.000Z', sampledValue: [{ value: 7400 }] }],
  });
  await cs.call('TransactionEvent', {
    eventType: 'Ended',
    timestamp: '2030-04-02T10:30:00.000Z',
    triggerReason: 'EVCommunicationLost',
    seqNo: 2,
    transactionInfo: { transactionId: tx201, stoppedReason: 'EVDisconnected', chargingState: 'Idle' },
    meterValue: [
      {
        timestamp: '2030-04-02T10:30:00.000Z',
        sampledValue: [{ value: 7900, context: 'Transaction.End' }],
      },
    ],
  });
}

describe('transactions of real stations through the gRPC API', () => {
  let id16: string;
  let id201: string;
  let tx16: number;
  let idTag: string;
  const tx201 = `tx-${Date.now()}`;
  let streamed: transactionV1.TransactionStationEvent[] = [];

  beforeAll(async () => {
    id16 = uniqueId('TX16');
    id201 = uniqueId('TX201');
    const stream = await openStream([id16, id201]);

    idTag = await addIdToken(csms, 'TXAPI');
    tx16 = await run16Transaction(id16, idTag);
    await run201Transaction(id201, tx201);
    await eventually(() => stream.events.length >= 5);
    await stream.close();
    streamed = stream.events;
  });

  it('streams the transaction facts of both stations in order', () => {
    const of = (id: string) =>
      streamed
        .filter((e) => e.stationId === id)
        .map((e): unknown[] => [e.type, e.data?.seqNo, e.data?.eventType]);
    expect(of(id16)).toEqual([
      ['transaction-started', undefined, undefined],
      ['transaction-ended', undefined, undefined],
    ]);
    expect(of(id201)).toEqual([
      ['transaction-event', 0, 'Started'],
      ['transaction-event', 1, 'Updated'],
      ['transaction-event', 2, 'Ended'],
    ]);
    const ended = streamed.find((e) => e.type === 'transaction-ended');
    expect(ended?.data).toMatchObject({ transactionId: tx16, meterStop: 2500, stopReason: 'EVDisconnected' });
    expect(streamed.every((e) => e.time instanceof Date)).toBe(true);
  });

  it('lists and gets the 1.6 transaction with its meter values', async () => {
    const list = await client.listTransactions({ stationId: id16 });
    expect(list.transactions).toHaveLength(1);
    const [tx] = list.transactions;
    expect(tx).toMatchObject({
      stationId: id16,
      ocppVersion: 'ocpp1.6',
      transactionId: String(tx16),
      connectorId: 1,
      idToken: idTag,
      state: T.TRANSACTION_STATE_ENDED,
      startTime: new Date('2030-04-01T10:00:00.000Z'),
      endTime: new Date('2030-04-01T11:00:00.000Z'),
      meterStartWh: 1000,
      meterStopWh: 2500,
      stopReason: 'EVDisconnected',
    });
    const got = await client.getTransaction({ stationId: id16, transactionId: String(tx16) });
    expect(got.transaction).toEqual(tx);
    expect(got.summary).toEqual({
      energyWh: 1500,
      meterValueCount: 2,
      lastMeterValueTime: new Date('2030-04-01T11:00:00.000Z'),
      eventCount: 0,
    });
    const values = await client.listMeterValues({ transactionId: tx!.id });
    expect(values.meterValues.map((m): unknown[] => [m.source, m.sampledValues[0]?.value])).toEqual([
      ['MeterValues', '1800'],
      ['StopTransaction', '2500'],
    ]);
    expect((await client.listTransactionEvents({ id: tx!.id })).events).toEqual([]);
  });

  it('lists and gets the 2.0.1 transaction with its events and meter values', async () => {
    const active = await client.listTransactions({ stationId: id201, state: T.TRANSACTION_STATE_ACTIVE });
    expect(active.transactions).toEqual([]);
    const got = await client.getTransaction({ stationId: id201, transactionId: tx201 });
    expect(got.transaction).toMatchObject({
      ocppVersion: 'ocpp2.0.1',
      evseId: 1,
      connectorId: 1,
      idTokenType: 'ISO14443',
      state: T.TRANSACTION_STATE_ENDED,
      stopReason: 'EVDisconnected',
      chargingState: 'Idle',
      meterStartWh: 7000,
      meterStopWh: 7900,
      lastSeqNo: 2,
    });
    expect(got.summary).toMatchObject({ energyWh: 900, meterValueCount: 3, eventCount: 3 });
    const events = await client.listTransactionEvents({ stationId: id201, transactionId: tx201 });
    expect(events.events.map((e) => [e.seqNo, e.eventType, e.triggerReason])).toEqual([
      [0, 'Started', 'Authorized'],
      [1, 'Updated', 'MeterValuePeriodic'],
      [2, 'Ended', 'EVCommunicationLost'],
    ]);
    const ranged = await client.listMeterValues({
      stationId: id201,
      startTime: new Date('2030-04-02T10:10:00.000Z'),
    });
    expect(ranged.meterValues.map((m): unknown => m.sampledValues[0]?.value)).toEqual([7400, 7900]);
  });

  it('answers NOT_FOUND and INVALID_ARGUMENT with details', async () => {
    try {
      await client.getTransaction({ stationId: id201, transactionId: 'no-such-tx' });
      expect.unreachable();
    } catch (error) {
      expect((error as { code: Status }).code).toBe(Status.NOT_FOUND);
    }
    try {
      await client.listTransactions({ pageToken: 'not-a-token' });
      expect.unreachable();
    } catch (error) {
      expect((error as { code: Status }).code).toBe(Status.INVALID_ARGUMENT);
      expect(errorSummary(error).violations.map((v) => v.field)).toEqual(['page_token']);
    }
  });
});
