import { upsertIdToken, type DatabaseConfig } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { startWorkerHarness, type SimulatedStation, type WorkerHarness } from '../testing/worker-harness.js';
import { bootedStation, callError, collectEvents, type StationEvent } from './testing.js';

const NOW = new Date('2031-07-01T12:00:00.000Z');
const TAG_GROUP_MEMBER = { idToken: 'RFID-MEMBER', type: 'ISO14443' } as const;

type Event = V201.TransactionEventRequest;

/** One charging session: Started (Transaction.Begin 1000 Wh) → periodic values → suspended → Ended. */
function session(transactionId: string, tag: V201.IdTokenType): Event[] {
  return [
    {
      eventType: 'Started',
      timestamp: '2031-07-01T10:00:00.000Z',
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId, chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 },
      idToken: tag,
      meterValue: [
        {
          timestamp: '2031-07-01T10:00:00.000Z',
          sampledValue: [{ value: 1000, context: 'Transaction.Begin' }],
        },
      ],
    },
    {
      eventType: 'Updated',
      timestamp: '2031-07-01T10:15:00.000Z',
      triggerReason: 'MeterValuePeriodic',
      seqNo: 1,
      transactionInfo: { transactionId },
      meterValue: [
        {
          timestamp: '2031-07-01T10:15:00.000Z',
          sampledValue: [
            { value: 1.75, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' } },
            { value: 11000, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
          ],
        },
      ],
    },
    {
      eventType: 'Updated',
      timestamp: '2031-07-01T10:30:00.000Z',
      triggerReason: 'ChargingStateChanged',
      seqNo: 2,
      transactionInfo: { transactionId, chargingState: 'SuspendedEV' },
    },
    {
      eventType: 'Ended',
      timestamp: '2031-07-01T10:45:00.000Z',
      triggerReason: 'EVCommunicationLost',
      seqNo: 3,
      offline: true,
      transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
      meterValue: [
        {
          timestamp: '2031-07-01T10:40:00.000Z',
          sampledValue: [{ value: 2400, context: 'Sample.Periodic' }],
        },
        {
          timestamp: '2031-07-01T10:45:00.000Z',
          sampledValue: [
            { value: 2500, context: 'Transaction.End' },
            { value: 830, context: 'Transaction.End', phase: 'L1' },
          ],
        },
      ],
    },
  ];
}

/** The derived columns of a session's transaction row (see session()). */
const endedSession = (tag: V201.IdTokenType) => ({
  ocpp_version: 'ocpp2.0.1',
  evse_id: 1,
  connector_id: 1,
  id_token: tag.idToken,
  id_token_type: 'ISO14443',
  state: 'ended',
  started_at: new Date('2031-07-01T10:00:00.000Z'),
  ended_at: new Date('2031-07-01T10:45:00.000Z'),
  meter_start: 1000,
  meter_stop: 2500,
  stop_reason: 'EVDisconnected',
  charging_state: 'Idle',
  last_seq_no: 3,
  remote_start_id: null,
  reservation_id: null,
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

let pg: TestDatabase;
beforeAll(async () => {
  pg = await createTestDatabase();
});
afterAll(async () => {
  await pg.drop();
});

describe.each(['pglite-memory', 'postgres'] as const)('OCPP 2.0.1 TransactionEvent on %s', (kind) => {
  let h: WorkerHarness;
  let events: StationEvent[];
  beforeAll(async () => {
    const database: DatabaseConfig = kind === 'postgres' ? { kind, url: pg.url } : { kind };
    h = await startWorkerHarness({ database, now: () => NOW, config: { maxConnectorId: 16 } });
    events = await collectEvents(h);
    const db = h.database.db;
    await upsertIdToken(db, { ...TAG_GROUP_MEMBER, status: 'Accepted', groupId: 'FAMILY' });
    await upsertIdToken(db, { idToken: 'RFID-INVALID', type: 'ISO14443', status: 'Invalid' });
  });
  afterAll(async () => {
    await h.close();
  });

  const send = (cs: SimulatedStation, event: Event) =>
    cs.ok<V201.TransactionEventResponse>('TransactionEvent', { ...event });
  const txRow = (stationId: string, transactionId: string) =>
    h.database.db
      .selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', stationId)
      .where('transaction_id', '=', transactionId)
      .executeTakeFirstOrThrow();
  const eventRows = (stationId: string, transactionId: string) =>
    h.database.db
      .selectFrom('transaction_events')
      .select(['seq_no', 'event_type', 'trigger_reason', 'timestamp', 'offline'])
      .where('station_id', '=', stationId)
      .where('transaction_id', '=', transactionId)
      .orderBy('seq_no')
      .execute();
  const meterRows = (transactionRef: string) =>
    h.database.db
      .selectFrom('meter_values')
      .select(['timestamp', 'sampled_values', 'source', 'evse_id', 'connector_id'])
      .where('transaction_ref', '=', transactionRef)
      .orderBy('timestamp')
      .execute();

  /** A fresh Accepted token of the FAMILY group for one test (tokens in active transactions are ConcurrentTx). */
  const newTag = async (name: string): Promise<V201.IdTokenType> => {
    const tag = { idToken: `RFID-${name}-${kind}`, type: 'ISO14443' } as const;
    await upsertIdToken(h.database.db, {
      ...tag,
      status: 'Accepted',
      groupId: 'FAMILY',
      expiresAt: new Date('2032-01-01T00:00:00Z'),
    });
    return tag;
  };
  const acceptedTagInfo = {
    status: 'Accepted',
    cacheExpiryDateTime: '2032-01-01T00:00:00.000Z',
    groupIdToken: { idToken: 'FAMILY', type: 'Central' },
  };

  it('records a whole transaction: Started → Updated (meter values) → Ended (E02, E06, J02)', async () => {
    const cs = await bootedStation(h, `T-FULL-${kind}`);
    const tag = await newTag('full');
    const [started, periodic, suspended, ended] = session('tx-full', tag);
    // E01.FR.12: idTokenInfo with status and groupIdToken when the request has an idToken.
    expect(await send(cs, started!)).toEqual({ idTokenInfo: acceptedTagInfo });
    expect(await txRow(cs.stationId, 'tx-full')).toMatchObject({
      state: 'active',
      evse_id: 1,
      connector_id: 1,
      id_token: tag.idToken,
      charging_state: 'Charging',
      started_at: new Date('2031-07-01T10:00:00.000Z'),
      ended_at: null,
      meter_start: 1000,
      meter_stop: null,
      last_seq_no: 0,
    });
    expect(await send(cs, periodic!)).toEqual({});
    expect(await send(cs, suspended!)).toEqual({});
    expect((await txRow(cs.stationId, 'tx-full')).charging_state).toBe('SuspendedEV');
    expect(await send(cs, ended!)).toEqual({});

    const row = await txRow(cs.stationId, 'tx-full');
    expect(row).toMatchObject({ ...endedSession(tag), transaction_id: 'tx-full' });
    expect(await eventRows(cs.stationId, 'tx-full')).toEqual([
      {
        seq_no: 0,
        event_type: 'Started',
        trigger_reason: 'Authorized',
        timestamp: new Date('2031-07-01T10:00:00.000Z'),
        offline: false,
      },
      {
        seq_no: 1,
        event_type: 'Updated',
        trigger_reason: 'MeterValuePeriodic',
        timestamp: new Date('2031-07-01T10:15:00.000Z'),
        offline: false,
      },
      {
        seq_no: 2,
        event_type: 'Updated',
        trigger_reason: 'ChargingStateChanged',
        timestamp: new Date('2031-07-01T10:30:00.000Z'),
        offline: false,
      },
      {
        seq_no: 3,
        event_type: 'Ended',
        trigger_reason: 'EVCommunicationLost',
        timestamp: new Date('2031-07-01T10:45:00.000Z'),
        offline: true,
      },
    ]);
    const meters = await meterRows(String(row.id));
    expect(meters.map((m) => [m.timestamp.toISOString(), m.source, m.evse_id, m.connector_id])).toEqual([
      ['2031-07-01T10:00:00.000Z', 'TransactionEvent', 1, 1],
      ['2031-07-01T10:15:00.000Z', 'TransactionEvent', 1, 1],
      ['2031-07-01T10:40:00.000Z', 'TransactionEvent', 1, 1],
      ['2031-07-01T10:45:00.000Z', 'TransactionEvent', 1, 1],
    ]);
    expect(meters[1]?.sampled_values).toEqual(periodic!.meterValue![0]!.sampledValue);

    await vi.waitFor(() =>
      expect(
        events
          .filter((e) => e.stationId === cs.stationId && e.type === 'transaction-event')
          .map((e) => [e.transactionId, e.eventType, e.seqNo, e.state, e.firstSeen]),
      ).toEqual([
        ['tx-full', 'Started', 0, 'active', true],
        ['tx-full', 'Updated', 1, 'active', false],
        ['tx-full', 'Updated', 2, 'active', false],
        ['tx-full', 'Ended', 3, 'ended', false],
      ]),
    );
  });

  it('treats a retried event (same seqNo) as a no-op with the same answer (E13)', async () => {
    const cs = await bootedStation(h, `T-RETRY-${kind}`);
    const [started, periodic] = session('tx-retry', await newTag('retry'));
    const first = await send(cs, started!);
    expect(first).toEqual({ idTokenInfo: acceptedTagInfo });
    expect(await send(cs, started!)).toEqual(first);
    await send(cs, periodic!);
    expect(await send(cs, periodic!)).toEqual({});
    // Even a retry with other content does not change what was recorded for that seqNo.
    expect(
      await send(cs, {
        ...periodic!,
        transactionInfo: { transactionId: 'tx-retry', chargingState: 'SuspendedEVSE' },
        meterValue: [{ timestamp: '2031-07-01T10:16:00.000Z', sampledValue: [{ value: 9999 }] }],
      }),
    ).toEqual({});

    const row = await txRow(cs.stationId, 'tx-retry');
    expect(row).toMatchObject({
      state: 'active',
      charging_state: 'Charging',
      last_seq_no: 1,
      meter_start: 1000,
    });
    expect((await eventRows(cs.stationId, 'tx-retry')).map((e) => e.seq_no)).toEqual([0, 1]);
    expect(await meterRows(String(row.id))).toHaveLength(2);
    const txCount = await h.database.db
      .selectFrom('transactions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('station_id', '=', cs.stationId)
      .executeTakeFirstOrThrow();
    expect(Number(txCount.n)).toBe(1);
  });

  it('ends in the same transaction whatever order offline events arrive in (E04, E08, E11, E12)', async () => {
    const cs = await bootedStation(h, `T-ORDER-${kind}`);
    const tag = await newTag('order');
    const orders = permutations([0, 1, 2, 3]);
    expect(orders).toHaveLength(24);
    for (const [n, order] of orders.entries()) {
      const transactionId = `tx-order-${n}`;
      const evs = session(transactionId, tag);
      for (const i of order) await send(cs, { ...evs[i]!, offline: true });
      const row = await txRow(cs.stationId, transactionId);
      expect({ order, row }).toMatchObject({
        order,
        row: { ...endedSession(tag), transaction_id: transactionId },
      });
      expect(await meterRows(String(row.id))).toHaveLength(4);
    }
  });

  it('creates the transaction from an Updated when Started was never seen, and keeps it ended when Ended came first', async () => {
    const cs = await bootedStation(h, `T-NOSTART-${kind}`);
    const [, periodic, suspended, ended] = session('tx-nostart', await newTag('nostart'));
    // Updated first: no Started yet ("transaction not yet started" at the CSMS).
    expect(await send(cs, suspended!)).toEqual({});
    expect(await txRow(cs.stationId, 'tx-nostart')).toMatchObject({
      state: 'active',
      started_at: new Date('2031-07-01T10:30:00.000Z'),
      evse_id: null,
      id_token: null,
      charging_state: 'SuspendedEV',
      meter_start: null,
      last_seq_no: 2,
    });
    // Ended before the earlier Updated.
    await send(cs, ended!);
    await send(cs, periodic!);
    expect(await txRow(cs.stationId, 'tx-nostart')).toMatchObject({
      state: 'ended',
      started_at: new Date('2031-07-01T10:15:00.000Z'), // earliest event seen
      ended_at: new Date('2031-07-01T10:45:00.000Z'),
      stop_reason: 'EVDisconnected',
      charging_state: 'Idle', // from the highest seqNo, not the last to arrive
      meter_start: null, // no Transaction.Begin sample, no Started
      meter_stop: 2500,
      last_seq_no: 3,
    });
  });

  it('keeps the authorizing token when another group member stops the transaction (C09, TC_C_39_CSMS)', async () => {
    const cs = await bootedStation(h, `T-GROUP-${kind}`);
    const tag = await newTag('group');
    const [started] = session('tx-group', tag);
    await send(cs, started!);
    const stop = await send(cs, {
      eventType: 'Updated',
      timestamp: '2031-07-01T10:20:00.000Z',
      triggerReason: 'StopAuthorized',
      seqNo: 1,
      transactionInfo: { transactionId: 'tx-group', chargingState: 'EVConnected' },
      idToken: TAG_GROUP_MEMBER,
    });
    expect(stop).toEqual({
      idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FAMILY', type: 'Central' } },
    });
    // E06.FR.09: no stoppedReason means Local.
    await send(cs, {
      eventType: 'Ended',
      timestamp: '2031-07-01T10:21:00.000Z',
      triggerReason: 'EVCommunicationLost',
      seqNo: 2,
      transactionInfo: { transactionId: 'tx-group' },
    });
    expect(await txRow(cs.stationId, 'tx-group')).toMatchObject({
      id_token: tag.idToken,
      id_token_type: 'ISO14443',
      state: 'ended',
      stop_reason: 'Local',
      charging_state: 'EVConnected',
      meter_stop: null,
    });
  });

  it('verifies the idToken of every event that carries one (E05.FR.01, C02.FR.02, TC_C_20_CSMS)', async () => {
    const cs = await bootedStation(h, `T-TOKENS-${kind}`);
    const tag = await newTag('tokens');
    const start = (transactionId: string, evseId: number, idToken: V201.IdTokenType): Event => ({
      eventType: 'Started',
      timestamp: '2031-07-01T11:00:00.000Z',
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId, chargingState: 'EVConnected' },
      evse: { id: evseId, connectorId: 1 },
      idToken,
    });
    expect(await send(cs, start('tx-tok-1', 1, tag))).toEqual({ idTokenInfo: acceptedTagInfo });
    // The same token in another transaction at the same station (other EVSE).
    expect(await send(cs, start('tx-tok-2', 2, tag))).toEqual({
      idTokenInfo: { ...acceptedTagInfo, status: 'ConcurrentTx' },
    });
    expect(await send(cs, start('tx-tok-3', 3, { idToken: 'RFID-INVALID', type: 'ISO14443' }))).toEqual({
      idTokenInfo: { status: 'Invalid' },
    });
    expect(await send(cs, start('tx-tok-4', 4, { idToken: 'RFID-NOBODY', type: 'ISO14443' }))).toEqual({
      idTokenInfo: { status: 'Unknown' },
    });
    expect(await send(cs, start('tx-tok-5', 5, { idToken: '', type: 'NoAuthorization' }))).toEqual({
      idTokenInfo: { status: 'Accepted' },
    });
    // The tokens are recorded whatever the verdict.
    expect((await txRow(cs.stationId, 'tx-tok-3')).id_token).toBe('RFID-INVALID');
    expect((await txRow(cs.stationId, 'tx-tok-5')).id_token_type).toBe('NoAuthorization');
  });

  it('accepts seqNo 0 again for a new transaction (TC_E_53_CSMS)', async () => {
    const cs = await bootedStation(h, `T-SEQ-${kind}`);
    const tag = await newTag('seq');
    for (const transactionId of ['tx-seq-1', 'tx-seq-2']) {
      const [started, , , ended] = session(transactionId, tag);
      expect(await send(cs, started!)).toEqual({ idTokenInfo: acceptedTagInfo });
      await send(cs, ended!);
      expect(await txRow(cs.stationId, transactionId)).toMatchObject({ state: 'ended', last_seq_no: 3 });
    }
  });

  it('refuses an absurd EVSE / connector id with PropertyConstraintViolation and stores nothing', async () => {
    const cs = await bootedStation(h, `T-LIMIT-${kind}`);
    const [started] = session('tx-limit', await newTag('limit'));
    const error = callError(
      await cs.call('TransactionEvent', { ...started!, evse: { id: 17, connectorId: 1 } }),
    );
    expect(error).toMatchObject({
      code: 'PropertyConstraintViolation',
      details: { field: 'evse.id', limit: 16 },
    });
    const error2 = callError(
      await cs.call('TransactionEvent', { ...started!, evse: { id: 1, connectorId: 99_999 } }),
    );
    expect(error2).toMatchObject({
      code: 'PropertyConstraintViolation',
      details: { field: 'evse.connectorId' },
    });
    expect(await eventRows(cs.stationId, 'tx-limit')).toEqual([]);
    const tx = await h.database.db
      .selectFrom('transactions')
      .select('id')
      .where('station_id', '=', cs.stationId)
      .executeTakeFirst();
    expect(tx).toBeUndefined();
  });
});
