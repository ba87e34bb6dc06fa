/**
 * Stations that send a CALL before the previous one is answered (OCPP-J §4.1.1 asks them not to; real
 * ones do, e.g. a meter reading ticking while a transaction stops). The CSMS processes such CALLs in
 * order and answers each: nothing the station sent is lost. The stations are independent `ocpp-rpc`
 * clients in strict mode with `callConcurrency` above 1.
 */
import type { V201 } from '@csms/ocpp';
import { RPCError } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201, charging16, energyReading, Tx201 } from '../support/octt-states.js';
import { addIdToken, at, connect16, connect201 } from '../support/scenario.js';

/** The edge's default FIFO behind the CALL in flight (services/edge/src/edge-server.ts). */
const FIFO = 8;

describe.each(['pglite', 'postgres'] as const)('overlapping station CALLs (embedded, %s)', (database) => {
  let csms: TestCsms;
  beforeAll(async () => {
    csms = await startTestCsms({ database });
  });
  afterAll(() => csms.close());

  /** NotifyEvent rows of the station (booting also reports the connectors' AvailabilityState events). */
  async function storedEvents(stationId: string): Promise<number> {
    const rows = await csms.database.db
      .selectFrom('device_events')
      .select('station_id')
      .where('station_id', '=', stationId)
      .execute();
    return rows.length;
  }

  async function transactionRow(stationId: string, transactionId: string) {
    return csms.database.db
      .selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', stationId)
      .where('transaction_id', '=', transactionId)
      .executeTakeFirstOrThrow();
  }

  it('1.6: MeterValues directly followed by StopTransaction: both answered, both recorded', async () => {
    const cp = await connect16(csms, { callConcurrency: 4 });
    await booted16(cp);
    const idTag = await addIdToken(csms, 'OVL16');
    const { transactionId } = await charging16(cp, idTag);
    const meter = cp.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: [
        { timestamp: at(), sampledValue: [{ value: '1500', measurand: 'Energy.Active.Import.Register' }] },
      ],
    });
    const stop = cp.call('StopTransaction', { transactionId, meterStop: 1600, timestamp: at(), idTag });
    await expect(meter).resolves.toEqual({});
    await expect(stop).resolves.toMatchObject({ idTagInfo: { status: 'Accepted' } });
    const row = await transactionRow(cp.id, String(transactionId));
    expect(row).toMatchObject({ state: 'ended', meter_stop: 1600 });
    const readings = await csms.database.db
      .selectFrom('meter_values')
      .select('id')
      .where('station_id', '=', cp.id)
      .execute();
    expect(readings.length).toBeGreaterThan(0);
    cp.client.close({ force: true }).catch(() => undefined);
  });

  it('2.0.1: an Updated event directly followed by Ended: both stored, the transaction ends', async () => {
    const cs = await connect201(csms, { callConcurrency: 4 });
    await booted201(cs);
    const tx = new Tx201(cs, { idToken: { idToken: await addIdToken(csms, 'OVL201'), type: 'ISO14443' } });
    await tx.energyTransferStarted();
    const updated = tx.event('MeterValuePeriodic', { meterValue: [energyReading(2000, 'Sample.Periodic')] });
    const ended = tx.event('StopAuthorized', {
      eventType: 'Ended',
      info: { chargingState: 'Idle', stoppedReason: 'Local' },
      meterValue: [energyReading(2100, 'Transaction.End')],
    });
    await expect(updated).resolves.toBeDefined();
    await expect(ended).resolves.toBeDefined();
    const row = await transactionRow(cs.id, tx.transactionId);
    expect(row.state).toBe('ended');
    const events = await csms.database.db
      .selectFrom('transaction_events')
      .select('seq_no')
      .where('station_id', '=', cs.id)
      .where('transaction_id', '=', tx.transactionId)
      .orderBy('seq_no')
      .execute();
    expect(events.map((e) => e.seq_no)).toEqual(tx.sent.map((r) => r.seqNo));
    cs.client.close({ force: true }).catch(() => undefined);
  });

  it(`more than ${FIFO + 1} at once: the excess is refused with GenericError, every accepted one is stored`, async () => {
    const cs = await connect201(csms, { callConcurrency: 30 });
    await booted201(cs);
    const before = await storedEvents(cs.id);
    const sent = Array.from({ length: 30 }, (_, i) =>
      cs.call('NotifyEvent', notifyEvent(i)).then(
        () => ({ seqNo: i, ok: true as const }),
        (error: unknown) => ({ seqNo: i, ok: false as const, error }),
      ),
    );
    const outcomes = await Promise.all(sent);
    const refused = outcomes.filter((o) => !o.ok);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.error).toBeInstanceOf(RPCError);
      expect((r.error as RPCError).rpcErrorCode).toBe('GenericError');
      expect((r.error as RPCError).message).toMatch(/Too many CALLs outstanding/);
    }
    expect(await storedEvents(cs.id)).toBe(before + outcomes.filter((o) => o.ok).length);
    // The station is still served normally afterwards.
    await expect(cs.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
    cs.client.close({ force: true }).catch(() => undefined);
  });
});

function notifyEvent(seqNo: number): V201.NotifyEventRequest {
  return {
    // An hour back: distinct from the boot's AvailabilityState events, which are keyed by (generatedAt, seqNo) too.
    generatedAt: at(-3_600_000),
    seqNo,
    tbc: false,
    eventData: [
      {
        eventId: seqNo,
        timestamp: at(),
        trigger: 'Alerting',
        actualValue: String(seqNo),
        eventNotificationType: 'HardWiredMonitor',
        component: { name: 'EVSE' },
        variable: { name: 'Problem' },
      },
    ],
  };
}
