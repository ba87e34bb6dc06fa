/**
 * Issue #15 "Real stations misbehave": a transaction whose end never arrived must not stay active forever
 * (its id token would be ConcurrentTx everywhere). A station runs one transaction at a time per EVSE
 * (2.0.1) / connector (1.6), so a newer transaction there ends the older one: ended_by csms with a note,
 * published as transaction-ended; the end is final, and the station's late stop data are still recorded.
 * Real ocpp-rpc stations (strict mode) against the embedded CSMS, on PGlite and on PostgreSQL.
 */
import type { PublishedStationEvent } from '@csms/bus';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201, energyReading, Tx201 } from '../support/octt-states.js';
import { addIdToken, at, connect16, connect201, eventually, type Station201 } from '../support/scenario.js';

describe.each(['pglite', 'postgres'] as const)('superseded transactions (embedded, %s)', (database) => {
  let csms: TestCsms;
  const ended: PublishedStationEvent[] = [];

  beforeAll(async () => {
    csms = await startTestCsms({ database });
    // Every station's transaction-ended (the station id is the subject's last token).
    await csms.bus.subscribe<PublishedStationEvent>('csms.evt.station.transaction-ended.*', (m) => {
      ended.push(m.data);
    });
  });
  afterAll(() => csms.close());

  const row = (stationId: string, transactionId: string) =>
    csms.database.db
      .selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', stationId)
      .where('transaction_id', '=', transactionId)
      .executeTakeFirstOrThrow();

  async function station201(): Promise<Station201> {
    const cs = await connect201(csms);
    expect((await booted201(cs)).status).toBe('Accepted');
    return cs;
  }

  const token = async (prefix: string): Promise<V201.IdTokenType> => ({
    idToken: await addIdToken(csms, prefix, { type: 'ISO14443' }),
    type: 'ISO14443',
  });

  it('2.0.1: a Started on the same EVSE ends the older transaction; its late events do not revive it', async () => {
    const cs = await station201();
    const other = await station201();
    const a = new Tx201(cs, { idToken: await token('SUPA') });
    const b = new Tx201(cs, { idToken: await token('SUPB') });
    const onEvse2 = new Tx201(cs, { evseId: 2, idToken: await token('SUPC') });
    expect((await a.authorized()).event.idTokenInfo?.status).toBe('Accepted');
    expect(
      await a.event('MeterValuePeriodic', { meterValue: [energyReading(1000, 'Sample.Periodic')] }),
    ).toEqual({});
    expect((await onEvse2.authorized()).event.idTokenInfo?.status).toBe('Accepted');
    // While A is active its token is in use: ConcurrentTx at another station.
    expect((await other.call('Authorize', { idToken: a.idToken })).idTokenInfo.status).toBe('ConcurrentTx');

    expect((await b.authorized()).event.idTokenInfo?.status).toBe('Accepted');
    expect(await row(cs.id, a.transactionId)).toMatchObject({
      state: 'ended',
      ended_by: 'csms',
      end_note: `superseded by transaction ${b.transactionId} on EVSE 1`,
      stop_reason: 'Other',
      ended_at: null,
    });
    expect(await row(cs.id, b.transactionId)).toMatchObject({ state: 'active', ended_by: null });
    // Another EVSE's transaction is not touched.
    expect(await row(cs.id, onEvse2.transactionId)).toMatchObject({ state: 'active' });
    const event = await eventually(() =>
      ended.find((e) => e.stationId === cs.id && e.transactionId === a.transactionId),
    );
    expect(event).toMatchObject({ superseded: true, supersededBy: b.transactionId, stopReason: 'Other' });
    expect((await other.call('Authorize', { idToken: a.idToken })).idTokenInfo.status).toBe('Accepted');

    // A late (offline-queued) Updated of A does not make it active again.
    expect(
      await a.event('MeterValuePeriodic', {
        offline: true,
        meterValue: [energyReading(1500, 'Sample.Periodic')],
      }),
    ).toEqual({});
    expect(await row(cs.id, a.transactionId)).toMatchObject({ state: 'ended', ended_by: 'csms' });
    expect(await row(cs.id, b.transactionId)).toMatchObject({ state: 'active' });

    // A's late Ended still records the station's stop data; who ended it first is kept.
    const endedAt = at(-1000);
    expect(
      await a.event('EVCommunicationLost', {
        eventType: 'Ended',
        timestamp: endedAt,
        offline: true,
        info: { chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
        meterValue: [energyReading(1800, 'Transaction.End', endedAt)],
      }),
    ).toEqual({});
    expect(await row(cs.id, a.transactionId)).toMatchObject({
      state: 'ended',
      ended_by: 'csms',
      stop_reason: 'EVDisconnected',
      ended_at: new Date(endedAt),
      meter_stop: 1800,
    });

    // The station's own end of B: ended_by station.
    await b.event('EVCommunicationLost', {
      eventType: 'Ended',
      info: { chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
    });
    expect(await row(cs.id, b.transactionId)).toMatchObject({
      state: 'ended',
      ended_by: 'station',
      end_note: null,
    });
  });

  it('2.0.1: a late Started of an older transaction does not end the newer one', async () => {
    const cs = await station201();
    const newer = new Tx201(cs, { idToken: await token('SUPN') });
    expect((await newer.authorized()).event.idTokenInfo?.status).toBe('Accepted');
    const older = new Tx201(cs, { idToken: await token('SUPO') });
    await older.event('Authorized', {
      timestamp: at(-60_000),
      offline: true,
      idToken: older.idToken,
      evse: { id: 1, connectorId: 1 },
    });
    expect(await row(cs.id, newer.transactionId)).toMatchObject({ state: 'active', ended_by: null });
    expect(await row(cs.id, older.transactionId)).toMatchObject({ state: 'active' });
    await older.event('EVCommunicationLost', {
      eventType: 'Ended',
      timestamp: at(-30_000),
      offline: true,
      info: { stoppedReason: 'EVDisconnected' },
    });
    expect(await row(cs.id, older.transactionId)).toMatchObject({ state: 'ended', ended_by: 'station' });
    expect(await row(cs.id, newer.transactionId)).toMatchObject({ state: 'active' });
  });

  it('1.6: a StartTransaction on a busy connector records who ended the older one and why', async () => {
    const cp = await connect16(csms);
    await booted16(cp);
    const start = (idTag: string, offsetMs: number, meterStart: number) =>
      cp.call('StartTransaction', { connectorId: 1, idTag, meterStart, timestamp: at(offsetMs) });
    const first = await start(await addIdToken(csms, 'SUP16A'), -60_000, 100);
    const second = await start(await addIdToken(csms, 'SUP16B'), 0, 900);
    expect(await row(cp.id, String(first.transactionId))).toMatchObject({
      state: 'ended',
      ended_by: 'csms',
      end_note: `superseded by transaction ${second.transactionId} on connector 1`,
      stop_reason: 'Other',
      meter_stop: null,
    });
    await cp.call('StopTransaction', {
      transactionId: second.transactionId,
      meterStop: 1200,
      timestamp: at(),
      reason: 'Local',
    });
    expect(await row(cp.id, String(second.transactionId))).toMatchObject({
      state: 'ended',
      ended_by: 'station',
      end_note: null,
    });
    // The lost stop of the first arrives late: its data are recorded, the attribution stays.
    await cp.call('StopTransaction', {
      transactionId: first.transactionId,
      meterStop: 800,
      timestamp: at(-30_000),
      reason: 'EVDisconnected',
    });
    expect(await row(cp.id, String(first.transactionId))).toMatchObject({
      state: 'ended',
      ended_by: 'csms',
      meter_stop: 800,
      stop_reason: 'EVDisconnected',
    });
  });
});
