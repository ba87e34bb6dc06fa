/**
 * TransactionService.EndTransaction (issue #15: an operator ends a transaction whose stop never came) and
 * the energy of 2.0.1 transactions whose register readings came only in Updated events, through the real
 * gRPC API of an embedded CSMS with real ocpp-rpc stations (strict mode).
 */
import type { PublishedStationEvent } from '@csms/bus';
import { connectApi, Status, transactionV1, type ApiClient, type ApiConnection } from '@csms/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201, energyReading, Tx201 } from '../support/octt-states.js';
import { rejection } from '../support/grpc-rejection.js';
import { addIdToken, at, connect16, connect201, eventually } from '../support/scenario.js';

const { StationStopStatus: Stop, TransactionState: T } = transactionV1;

let csms: TestCsms;
let api: ApiConnection;
let client: ApiClient<typeof transactionV1.TransactionServiceDefinition>;
const ended: PublishedStationEvent[] = [];
const disconnected = new Set<string>();

beforeAll(async () => {
  csms = await startTestCsms();
  api = connectApi({ address: csms.grpcAddress });
  client = api.client(transactionV1.TransactionServiceDefinition);
  await csms.bus.subscribe<PublishedStationEvent>('csms.evt.station.transaction-ended.*', (m) => {
    ended.push(m.data);
  });
  await csms.bus.subscribe<PublishedStationEvent>('csms.evt.station.disconnected.*', (m) => {
    disconnected.add(m.data.stationId);
  });
});
afterAll(async () => {
  api.close();
  await csms.close();
});

async function started16() {
  const cp = await connect16(csms);
  await booted16(cp);
  const idTag = await addIdToken(csms, 'END16');
  const start = await cp.call('StartTransaction', {
    connectorId: 1,
    idTag,
    meterStart: 100,
    timestamp: at(),
  });
  return { cp, idTag, transactionId: start.transactionId };
}

async function started201(idPrefix = 'END201') {
  const cs = await connect201(csms);
  await booted201(cs);
  const idToken = {
    idToken: await addIdToken(csms, idPrefix, { type: 'ISO14443' }),
    type: 'ISO14443' as const,
  };
  const tx = new Tx201(cs, { idToken });
  expect((await tx.authorized()).event.idTokenInfo?.status).toBe('Accepted');
  return { cs, tx };
}

describe('EndTransaction', () => {
  it('1.6: ends the transaction, publishes transaction-ended and asks the station (RemoteStopTransaction)', async () => {
    const { cp, idTag, transactionId } = await started16();
    cp.respond('RemoteStopTransaction', { status: 'Accepted' });
    const r = await client.endTransaction({
      stationId: cp.id,
      transactionId: String(transactionId),
      reason: 'stop lost after a hard reset',
      stopAtStation: true,
    });
    expect(r.transaction).toMatchObject({
      state: T.TRANSACTION_STATE_ENDED,
      endedBy: 'operator',
      endNote: 'stop lost after a hard reset',
      stopReason: 'Other',
    });
    expect(r.stationStopStatus).toBe(Stop.STATION_STOP_STATUS_ACCEPTED);
    expect(cp.requests('RemoteStopTransaction')).toEqual([{ transactionId }]);
    expect(
      await eventually(() => ended.find((e) => e.stationId === cp.id && e.transactionId === transactionId)),
    ).toMatchObject({ endedBy: 'operator', note: 'stop lost after a hard reset', connectorId: 1 });
    // The token may start again elsewhere; the station's own stop still records its data.
    const other = await connect16(csms);
    await booted16(other);
    expect((await other.call('Authorize', { idTag })).idTagInfo.status).toBe('Accepted');
    await cp.call('StopTransaction', { transactionId, meterStop: 700, timestamp: at(), reason: 'Remote' });
    const after = await client.getTransaction({ stationId: cp.id, transactionId: String(transactionId) });
    expect(after.transaction).toMatchObject({ endedBy: 'operator', meterStopWh: 700, stopReason: 'Remote' });
    expect(after.summary?.energyWh).toBe(600);

    expect(
      await rejection(
        client.endTransaction({
          stationId: cp.id,
          transactionId: String(transactionId),
          reason: 'again',
          stopAtStation: false,
        }),
      ),
    ).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: 'TRANSACTION_ALREADY_ENDED' });
  });

  it('2.0.1: RequestStopTransaction with the string transactionId; Rejected is reported, the end stays', async () => {
    const { cs, tx } = await started201();
    cs.respond('RequestStopTransaction', { status: 'Rejected' });
    const r = await client.endTransaction({
      stationId: cs.id,
      transactionId: tx.transactionId,
      reason: 'operator request',
      stopAtStation: true,
    });
    expect(r.stationStopStatus).toBe(Stop.STATION_STOP_STATUS_REJECTED);
    expect(cs.requests('RequestStopTransaction')).toEqual([{ transactionId: tx.transactionId }]);
    expect(r.transaction).toMatchObject({ state: T.TRANSACTION_STATE_ENDED, endedBy: 'operator' });
    // A late Updated does not revive it.
    await tx.event('MeterValuePeriodic', { meterValue: [energyReading(10, 'Sample.Periodic')] });
    const after = await client.getTransaction({ stationId: cs.id, transactionId: tx.transactionId });
    expect(after.transaction?.state).toBe(T.TRANSACTION_STATE_ENDED);
  });

  it('without stop_at_station sends nothing; an offline station is reported as such', async () => {
    const { cs, tx } = await started201();
    const quiet = await client.endTransaction({
      stationId: cs.id,
      transactionId: tx.transactionId,
      reason: 'cleanup',
      stopAtStation: false,
    });
    expect(quiet.stationStopStatus).toBe(Stop.STATION_STOP_STATUS_UNSPECIFIED);
    expect(cs.requests('RequestStopTransaction')).toEqual([]);

    const second = await started201();
    await second.cs.close();
    // Offline once its actor saw the close.
    await eventually(() => disconnected.has(second.cs.id));
    const offline = await client.endTransaction({
      stationId: second.cs.id,
      transactionId: second.tx.transactionId,
      reason: 'station gone',
      stopAtStation: true,
    });
    expect(offline.stationStopStatus).toBe(Stop.STATION_STOP_STATUS_OFFLINE);
    expect(offline.transaction?.endedBy).toBe('operator');
  });

  it('refuses bad requests and unknown transactions', async () => {
    const bad = await rejection(
      client.endTransaction({ stationId: '', transactionId: '', reason: ' ', stopAtStation: false }),
    );
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field).sort()).toEqual(['reason', 'station_id', 'transaction_id']);
    const long = await rejection(
      client.endTransaction({
        stationId: 'S',
        transactionId: '1',
        reason: 'x'.repeat(256),
        stopAtStation: false,
      }),
    );
    expect(long.code).toBe(Status.INVALID_ARGUMENT);
    expect(long.violations.map((v) => v.field)).toEqual(['reason']);
    expect(
      await rejection(
        client.endTransaction({ stationId: 'NOPE', transactionId: '42', reason: 'x', stopAtStation: false }),
      ),
    ).toMatchObject({ code: Status.NOT_FOUND });
  });
});

describe('energy of 2.0.1 transactions', () => {
  it('comes from the register readings of Updated events, while active and after the end', async () => {
    const { cs, tx } = await started201('ENERGY');
    // Started carried no reading: meter start is unknown.
    await tx.event('MeterValuePeriodic', { meterValue: [energyReading(5000, 'Sample.Periodic', at(-2000))] });
    await tx.event('MeterValuePeriodic', { meterValue: [energyReading(5600, 'Sample.Periodic', at(-1000))] });
    const active = await client.getTransaction({ stationId: cs.id, transactionId: tx.transactionId });
    expect(active.transaction?.meterStartWh).toBeUndefined();
    expect(active.transaction?.energyWh).toBe(600);
    expect(active.summary?.energyWh).toBe(600);
    const listed = await client.listTransactions({ stationId: cs.id, pageSize: 10 });
    expect(listed.transactions[0]?.energyWh).toBe(600);

    // An offline-queued reading that arrives late but is older does not move the span's end.
    await tx.event('MeterValuePeriodic', {
      offline: true,
      meterValue: [energyReading(5300, 'Sample.Periodic', at(-1500))],
    });
    await tx.event('EVCommunicationLost', {
      eventType: 'Ended',
      info: { stoppedReason: 'EVDisconnected' },
    });
    const done = await client.getTransaction({ stationId: cs.id, transactionId: tx.transactionId });
    expect(done.transaction).toMatchObject({ state: T.TRANSACTION_STATE_ENDED, endedBy: 'station' });
    expect(done.transaction?.energyWh).toBe(600);
  });
});
