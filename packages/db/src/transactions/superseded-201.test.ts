import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import { upsertStation } from '../stations/stations.js';
import { recordTransactionEvent201 } from './records-v201.js';
import type { TransactionEvent201 } from './transaction-event-201.js';

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

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
 * An event that makes its transaction active on an EVSE ends the station's older active transactions there (their
 * Ended was lost), in the statement that applies the event (`supersededOnEvse201`), and their TxProfiles go
 * (K02.FR.05) in the same database transaction.
 */
describe.each([['postgres'], ['pglite-memory']] as const)('superseded 2.0.1 transactions on %s', (kind) => {
  let handle: DatabaseHandle;
  const STATION = 'TE-SUPERSEDE';
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
    await upsertStation(handle.db, { id: STATION, securityProfile: 0, bootPolicy: null });
  });
  afterAll(() => handle.close());

  const record = (request: TransactionEvent201) =>
    handle.db.transaction().execute((trx) => recordTransactionEvent201(trx, STATION, request));
  const states = async () =>
    Object.fromEntries(
      (
        await handle.db
          .selectFrom('transactions')
          .select(['transaction_id', 'state', 'ended_by', 'end_note'])
          .where('station_id', '=', STATION)
          .execute()
      ).map((r) => [r.transaction_id, [r.state, r.ended_by, r.end_note]]),
    );
  const txProfile = (transactionId: string, profileId: number) =>
    handle.db
      .insertInto('charging_profiles')
      .values({
        station_id: STATION,
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
        .where('station_id', '=', STATION)
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
