import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import { upsertStation } from '../stations/stations.js';
import { recordTransactionEvent201 } from './records-v201.js';
import type { TransactionEvent201 } from './transaction-event-201.js';
import { eventFactsOf, loadEventFacts } from './transaction-event-facts.js';

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

/**
 * Events carrying every fact (and extra fields the facts keep as sent), as a station's first event of a transaction,
 * and an event carrying none (which loadEventFacts skips: folding it changes nothing).
 */
const firstEvents: readonly (TransactionEvent201 & { readonly carriesFacts: boolean })[] = [
  {
    carriesFacts: true,
    eventType: 'Started',
    timestamp: '2026-12-01T10:00:00.123456Z',
    triggerReason: 'RemoteStart',
    seqNo: 0,
    reservationId: 77,
    transactionInfo: { transactionId: 'F-1', chargingState: 'EVConnected', remoteStartId: 12 },
    idToken: {
      idToken: 'TOKEN',
      type: 'ISO14443',
      additionalInfo: [{ additionalIdToken: 'X', type: 'custom' }],
    } as TransactionEvent201['idToken'],
    evse: { id: 2, connectorId: 1, customData: { vendorId: 'v' } } as TransactionEvent201['evse'],
  },
  {
    // Its Started lost: the Ended is the first event seen.
    carriesFacts: true,
    eventType: 'Ended',
    timestamp: '2026-12-01T11:00:00Z',
    triggerReason: 'StopAuthorized',
    seqNo: 5,
    transactionInfo: { transactionId: 'F-2', stoppedReason: 'Local' },
    idToken: { idToken: 'OTHER', type: 'Central' },
  },
  {
    // Nothing but meter values: no facts to keep.
    carriesFacts: false,
    eventType: 'Updated',
    timestamp: '2026-12-01T12:00:00Z',
    triggerReason: 'MeterValuePeriodic',
    seqNo: 3,
    transactionInfo: { transactionId: 'F-3' },
    meterValue: [{ timestamp: '2026-12-01T12:00:00Z', sampledValue: [{ value: 10 }] }],
  },
];

const event = (
  transactionId: string,
  eventType: string,
  seqNo: number,
  timestamp: string,
  evseId?: number,
): TransactionEvent201 => ({
  eventType,
  timestamp,
  triggerReason: eventType === 'Started' ? 'Authorized' : 'ChargingStateChanged',
  seqNo,
  transactionInfo: { transactionId },
  ...(evseId !== undefined ? { evse: { id: evseId, connectorId: 1 } } : {}),
});

/**
 * Recording 2.0.1 TransactionEvents (recordTransactionEvent201) on both databases:
 * - the first event of a transaction is recorded from its own facts (`eventFactsOf`) instead of reading them back:
 *   they must be what `loadEventFacts` reads once it is stored;
 * - an event that makes its transaction active on an EVSE ends the station's older active transactions there (their
 *   Ended was lost), in the statement that applies the event (`supersededOnEvse201`), and their TxProfiles go
 *   (K02.FR.05) in the same database transaction.
 */
describe.each([['postgres'], ['pglite-memory']] as const)('recording 2.0.1 events on %s', (kind) => {
  let handle: DatabaseHandle;
  const FACTS_STATION = 'TE-FACTS';
  const SUPERSEDE_STATION = 'TE-SUPERSEDE';
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
    for (const id of [FACTS_STATION, SUPERSEDE_STATION])
      await upsertStation(handle.db, { id, securityProfile: 0, bootPolicy: null });
  });
  afterAll(() => handle.close());

  it.each(
    firstEvents.map(({ carriesFacts, ...request }) => [request.eventType, request, carriesFacts] as const),
  )('a first %s event: its facts as stored equal the request’s', async (_type, request, carriesFacts) => {
    const record = await handle.db
      .transaction()
      .execute((trx) => recordTransactionEvent201(trx, FACTS_STATION, request));
    expect(record.applied?.created).toBe(true);
    const stored = await loadEventFacts(handle.db, FACTS_STATION, request.transactionInfo.transactionId);
    const own = eventFactsOf(request);
    expect(stored).toEqual(carriesFacts ? [own] : []);
  });

  it('the row of a first event is what reading its facts back gives', async () => {
    const request = firstEvents[0]!;
    const row = await handle.db
      .selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', FACTS_STATION)
      .where('transaction_id', '=', request.transactionInfo.transactionId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      state: 'active',
      started_at: new Date('2026-12-01T10:00:00.123Z'),
      evse_id: 2,
      connector_id: 1,
      id_token: 'TOKEN',
      id_token_type: 'ISO14443',
      charging_state: 'EVConnected',
      remote_start_id: 12,
      reservation_id: 77,
    });
    const ended = await handle.db
      .selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', FACTS_STATION)
      .where('transaction_id', '=', 'F-2')
      .executeTakeFirstOrThrow();
    expect(ended).toMatchObject({
      state: 'ended',
      stop_reason: 'Local',
      ended_by: 'station',
      id_token: 'OTHER',
      started_at: new Date('2026-12-01T11:00:00Z'),
    });
  });

  const record = (request: TransactionEvent201) =>
    handle.db.transaction().execute((trx) => recordTransactionEvent201(trx, SUPERSEDE_STATION, request));
  const states = async () =>
    Object.fromEntries(
      (
        await handle.db
          .selectFrom('transactions')
          .select(['transaction_id', 'state', 'ended_by', 'end_note'])
          .where('station_id', '=', SUPERSEDE_STATION)
          .execute()
      ).map((r) => [r.transaction_id, [r.state, r.ended_by, r.end_note]]),
    );
  const txProfile = (transactionId: string, profileId: number) =>
    handle.db
      .insertInto('charging_profiles')
      .values({
        station_id: SUPERSEDE_STATION,
        profile_id: profileId,
        evse_id: 1,
        purpose: 'TxProfile',
        stack_level: 0,
        transaction_id: transactionId,
        valid_from: null,
        valid_to: null,
        ocpp_version: '2.0.1',
        profile: JSON.stringify({ id: profileId }),
      })
      .execute();
  const profiles = async () =>
    (
      await handle.db
        .selectFrom('charging_profiles')
        .select('transaction_id')
        .where('station_id', '=', SUPERSEDE_STATION)
        .orderBy('transaction_id')
        .execute()
    ).map((r) => r.transaction_id);

  it('ends the older active ones on the EVSE, forgets their TxProfiles, leaves newer ones and other EVSEs', async () => {
    await record(event('A1', 'Started', 0, '2026-12-01T10:00:00Z', 1));
    // A1's Ended lost, A2 started on the same EVSE: A1 superseded at once.
    expect((await record(event('A2', 'Started', 0, '2026-12-01T10:10:00Z', 1))).applied?.superseded).toEqual([
      'A1',
    ]);
    await record(event('OTHER', 'Started', 0, '2026-12-01T10:15:00Z', 2));
    await txProfile('A2', 1);
    await txProfile('OTHER', 2);
    // An event without evse of a known transaction supersedes nothing.
    expect((await record(event('A2', 'Updated', 1, '2026-12-01T10:20:00Z'))).applied?.superseded).toEqual([]);
    // A late Started of an older transaction (queued offline) does not end the newer A2.
    expect((await record(event('OLD', 'Started', 0, '2026-12-01T09:00:00Z', 1))).applied?.superseded).toEqual(
      [],
    );
    // The newest ends every older active one on EVSE 1 (A2 and OLD), not the one on EVSE 2.
    expect((await record(event('B', 'Started', 0, '2026-12-01T11:00:00Z', 1))).applied?.superseded).toEqual([
      'A2',
      'OLD',
    ]);
    expect(await states()).toEqual({
      A1: ['ended', 'csms', 'superseded by transaction A2 on EVSE 1'],
      A2: ['ended', 'csms', 'superseded by transaction B on EVSE 1'],
      OLD: ['ended', 'csms', 'superseded by transaction B on EVSE 1'],
      OTHER: ['active', null, null],
      B: ['active', null, null],
    });
    expect(await profiles()).toEqual(['OTHER']);
  });
});
