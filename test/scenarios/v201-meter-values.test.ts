/**
 * OCPP 2.0.1 Part 6 §3.11 (J MeterValues), CSMS test cases: clock-aligned and sampled meter values, outside
 * and inside transactions, in Started / Updated / Ended events, signed and unsigned.
 */
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted201, energyReading, Tx201 } from '../support/octt-states.js';
import { addIdToken, at, connect201, type Station201 } from '../support/scenario.js';

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms();
});
afterAll(() => csms.close());

const INTERVAL_MS = 15 * 60_000;
/** Three clock-aligned instants, one interval apart, ending at the last aligned instant before now. */
function alignedTimes(count = 3): string[] {
  const last = Math.floor(Date.now() / INTERVAL_MS) * INTERVAL_MS;
  return Array.from({ length: count }, (_, i) =>
    new Date(last - (count - 1 - i) * INTERVAL_MS).toISOString(),
  );
}

const SIGNED: V201.SignedMeterValueType = {
  signedMeterData: 'T0NNRnx7IkZWIjoiMS4wIn0=',
  signingMethod: 'ECDSA-secp256r1-SHA256',
  encodingMethod: 'OCMF',
  publicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE',
};

async function bootedStation(): Promise<Station201> {
  const cs = await connect201(csms);
  expect((await booted201(cs)).status).toBe('Accepted');
  return cs;
}

async function newTx(cs: Station201): Promise<Tx201> {
  return new Tx201(cs, {
    idToken: { idToken: await addIdToken(csms, 'J', { type: 'ISO14443' }), type: 'ISO14443' },
  });
}

async function meterRows(cs: Station201) {
  const rows = await csms.database.db
    .selectFrom('meter_values')
    .select(['evse_id', 'timestamp', 'sampled_values', 'source', 'transaction_ref'])
    .where('station_id', '=', cs.id)
    .orderBy('timestamp')
    .orderBy('evse_id')
    .execute();
  return rows.map((r) => ({ ...r, timestamp: r.timestamp.toISOString() }));
}

async function txRow(cs: Station201, tx: Tx201) {
  return csms.database.db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', cs.id)
    .where('transaction_id', '=', tx.transactionId)
    .executeTakeFirstOrThrow();
}

/** FiscalMetering NotifyEvent (trigger Periodic) sent with clock-aligned values. */
function fiscalEvent(timestamp: string, value: number): V201.NotifyEventRequest {
  return {
    generatedAt: timestamp,
    seqNo: 0,
    eventData: [
      {
        eventId: 1,
        timestamp,
        trigger: 'Periodic',
        actualValue: String(value),
        component: { name: 'FiscalMetering' },
        variable: { name: 'EnergyImportRegister' },
        eventNotificationType: 'HardWiredNotification',
      },
    ],
  };
}

describe('TC_J_01_CSMS: Clock-aligned Meter Values - No transaction ongoing', () => {
  it('answers and stores three rounds of Sample.Clock values for evseId 0 and the EVSE', async () => {
    const cs = await bootedStation();
    const times = alignedTimes();
    for (const [i, timestamp] of times.entries()) {
      for (const evseId of [0, 1]) {
        const reading = energyReading(10_000 + i * 100 + evseId, 'Sample.Clock', timestamp);
        expect(await cs.call('MeterValues', { evseId, meterValue: [reading] })).toEqual({});
      }
      expect(await cs.call('NotifyEvent', fiscalEvent(timestamp, 10_000 + i * 100))).toEqual({});
    }
    const rows = await meterRows(cs);
    expect(rows.map((r) => [r.timestamp, r.evse_id, r.source, r.transaction_ref])).toEqual(
      times.flatMap((t) => [
        [t, 0, 'MeterValues', null],
        [t, 1, 'MeterValues', null],
      ]),
    );
    expect(rows[5]?.sampled_values).toEqual(energyReading(10_201, 'Sample.Clock', times[2]).sampledValue);
  });
});

describe('TC_J_02_CSMS: Clock-aligned Meter Values - Transaction ongoing', () => {
  it('stores idle Sample.Clock MeterValues unlinked and the MeterValueClock events with the transaction', async () => {
    const cs = await bootedStation();
    const tx = await newTx(cs);
    await tx.energyTransferStarted();
    const times = alignedTimes();
    for (const [i, timestamp] of times.entries()) {
      expect(
        await cs.call('MeterValues', {
          evseId: 0,
          meterValue: [energyReading(50_000 + i, 'Sample.Clock', timestamp)],
        }),
      ).toEqual({});
      expect(
        await tx.event('MeterValueClock', {
          meterValue: [energyReading(1000 + i * 250, 'Sample.Clock', timestamp)],
        }),
      ).toEqual({});
    }
    const stored = await txRow(cs, tx);
    const rows = await meterRows(cs);
    expect(rows.map((r) => [r.timestamp, r.evse_id, r.source, r.transaction_ref])).toEqual(
      times.flatMap((t) => [
        [t, 0, 'MeterValues', null],
        [t, 1, 'TransactionEvent', stored.id],
      ]),
    );
  });
});

/** EnergyTransferStarted, then EVDisconnected with the Ended event carrying `meterValue`. */
async function endedWith(meterValue: V201.MeterValueType[]): Promise<{ cs: Station201; tx: Tx201 }> {
  const cs = await bootedStation();
  const tx = await newTx(cs);
  await tx.energyTransferStarted();
  expect(await tx.evDisconnected({ meterValue })).toEqual({});
  return { cs, tx };
}

describe('TC_J_03_CSMS: Clock-aligned Meter Values - EventType Ended', () => {
  it('stores the Ended event values and takes meterStop from the Transaction.End sample', async () => {
    const times = alignedTimes();
    const values = [
      energyReading(1000, 'Sample.Clock', times[0]),
      energyReading(1800, 'Sample.Clock', times[1]),
      energyReading(2600, 'Transaction.End', times[2]),
    ];
    const { cs, tx } = await endedWith(values);
    const stored = await txRow(cs, tx);
    expect(stored).toMatchObject({ state: 'ended', meter_stop: 2600, stop_reason: 'EVDisconnected' });
    expect((await meterRows(cs)).map((r) => r.sampled_values)).toEqual(values.map((v) => v.sampledValue));
  });
});

describe('TC_J_04_CSMS: Clock-aligned Meter Values - Signed', () => {
  it('stores the signed values of the Ended event as sent', async () => {
    const times = alignedTimes();
    const values = [
      energyReading(1000, 'Sample.Clock', times[0], { signedMeterValue: SIGNED }),
      energyReading(1900, 'Sample.Clock', times[1], { signedMeterValue: SIGNED }),
      energyReading(2700, 'Transaction.End', times[2], { signedMeterValue: SIGNED }),
    ];
    const { cs, tx } = await endedWith(values);
    expect(await txRow(cs, tx)).toMatchObject({ state: 'ended', meter_stop: 2700 });
    expect((await meterRows(cs)).map((r) => r.sampled_values)).toEqual(values.map((v) => v.sampledValue));
  });
});

describe('TC_J_07_CSMS: Sampled Meter Values - EventType Started - EVSE known', () => {
  it('takes meterStart from the Transaction.Begin value of the Started event', async () => {
    const cs = await bootedStation();
    const tx = await newTx(cs);
    const begin = energyReading(4321, 'Transaction.Begin');
    expect(await tx.evConnectedPreSession({ meterValue: [begin] })).toEqual({});
    expect(tx.sent[0]?.eventType).toBe('Started');
    const stored = await txRow(cs, tx);
    expect(stored).toMatchObject({ state: 'active', meter_start: 4321, evse_id: 1 });
    expect(await meterRows(cs)).toEqual([
      {
        evse_id: 1,
        timestamp: begin.timestamp,
        sampled_values: begin.sampledValue,
        source: 'TransactionEvent',
        transaction_ref: stored.id,
      },
    ]);
  });
});

describe('TC_J_08_CSMS: Sampled Meter Values - Context Transaction.Begin - EVSE not known', () => {
  it('takes meterStart from the Transaction.Begin value of the Updated event that names the EVSE', async () => {
    const cs = await bootedStation();
    const tx = await newTx(cs);
    // Authorized without an EVSE: the Started event has no evse.
    const { event } = await tx.authorized();
    expect(event).toEqual({ idTokenInfo: { status: 'Accepted' } });
    const started = tx.sent[0];
    expect(started?.eventType).toBe('Started');
    const begin = energyReading(777, 'Transaction.Begin');
    expect(await tx.evConnectedPreSession({ meterValue: [begin] })).toEqual({});
    expect(tx.sent.at(-1)?.eventType).toBe('Updated');
    expect(await tx.energyTransferStarted()).toEqual({});
    expect(await txRow(cs, tx)).toMatchObject({
      meter_start: 777,
      evse_id: 1,
      connector_id: 1,
      charging_state: 'Charging',
    });
  });
});

describe('TC_J_09_CSMS: Sampled Meter Values - EventType Updated', () => {
  it('answers and stores three MeterValuePeriodic events', async () => {
    const cs = await bootedStation();
    const tx = await newTx(cs);
    await tx.energyTransferStarted();
    const times = [at(-120_000), at(-60_000), at()];
    for (const [i, timestamp] of times.entries()) {
      expect(
        await tx.event('MeterValuePeriodic', {
          meterValue: [energyReading(100 * (i + 1), 'Sample.Periodic', timestamp)],
        }),
      ).toEqual({});
    }
    const stored = await txRow(cs, tx);
    expect((await meterRows(cs)).map((r) => [r.timestamp, r.transaction_ref])).toEqual(
      times.map((t) => [t, stored.id]),
    );
    expect(stored.last_seq_no).toBe(tx.seqNo - 1);
  });
});

describe('TC_J_10_CSMS: Sampled Meter Values - EventType Ended', () => {
  it('takes meterStop from the last Transaction.End sample of the Ended event', async () => {
    const values = [
      energyReading(1000, 'Sample.Periodic', at(-120_000)),
      energyReading(1500, 'Sample.Periodic', at(-60_000)),
      energyReading(2000, 'Transaction.End', at()),
    ];
    const { cs, tx } = await endedWith(values);
    expect(await txRow(cs, tx)).toMatchObject({ state: 'ended', meter_stop: 2000 });
    expect(await meterRows(cs)).toHaveLength(3);
  });
});

describe('TC_J_11_CSMS: Sampled Meter Values - Signed', () => {
  it('stores the signed Sample.Periodic / Transaction.End values of the Ended event', async () => {
    const values = [
      energyReading(1000, 'Sample.Periodic', at(-60_000), { signedMeterValue: SIGNED }),
      energyReading(2200, 'Transaction.End', at(), { signedMeterValue: SIGNED }),
    ];
    const { cs, tx } = await endedWith(values);
    expect(await txRow(cs, tx)).toMatchObject({ state: 'ended', meter_stop: 2200 });
    expect((await meterRows(cs)).map((r) => r.sampled_values)).toEqual(values.map((v) => v.sampledValue));
  });
});
