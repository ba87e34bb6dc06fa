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

/** Events carrying every fact (and extra fields the facts keep as sent), as a station's first event of a transaction. */
const firstEvents: readonly TransactionEvent201[] = [
  {
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
    eventType: 'Ended',
    timestamp: '2026-12-01T11:00:00Z',
    triggerReason: 'StopAuthorized',
    seqNo: 5,
    transactionInfo: { transactionId: 'F-2', stoppedReason: 'Local' },
    idToken: { idToken: 'OTHER', type: 'Central' },
  },
  {
    // Nothing but meter values: no facts to keep.
    eventType: 'Updated',
    timestamp: '2026-12-01T12:00:00Z',
    triggerReason: 'MeterValuePeriodic',
    seqNo: 3,
    transactionInfo: { transactionId: 'F-3' },
    meterValue: [{ timestamp: '2026-12-01T12:00:00Z', sampledValue: [{ value: 10 }] }],
  },
];

/**
 * The first event of a transaction is recorded from its own facts (`eventFactsOf`) instead of reading them back:
 * they must be what `loadEventFacts` reads once it is stored.
 */
describe.each([['postgres'], ['pglite-memory']] as const)('event facts on %s', (kind) => {
  let handle: DatabaseHandle;
  const STATION = 'TE-FACTS';
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
    await upsertStation(handle.db, { id: STATION, securityProfile: 0, bootPolicy: null });
  });
  afterAll(() => handle.close());

  it.each(firstEvents.map((e) => [e.eventType, e] as const))(
    'a first %s event: its facts as stored equal the request’s',
    async (_type, request) => {
      const record = await handle.db
        .transaction()
        .execute((trx) => recordTransactionEvent201(trx, STATION, request));
      expect(record.applied?.created).toBe(true);
      const stored = await loadEventFacts(handle.db, STATION, request.transactionInfo.transactionId);
      const own = eventFactsOf(request);
      // loadEventFacts skips the events that carry nothing but meter values; folding them changes nothing.
      expect(stored).toEqual(request.eventType === 'Updated' && !own.evse ? [] : [own]);
    },
  );

  it('the row of a first event is what reading its facts back gives', async () => {
    const request = firstEvents[0]!;
    const row = await handle.db
      .selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', STATION)
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
      .where('station_id', '=', STATION)
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
});
