import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import { upsertStation } from '../stations/stations.js';
import { recordStartTransaction16 } from '../transactions/records-v16.js';
import { recordTransactionEvent201 } from '../transactions/records-v201.js';
import {
  cancelReservation,
  consumeReservation,
  endReservation,
  expireReservations,
  findConsumableReservation,
  findOverlappingReservation,
  findReservation,
  listReservations,
  removeReservationsOf,
  storeReservation,
  type NewReservation,
} from './reservations.js';

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

const NOW = new Date('2031-05-01T10:00:00.000Z');
const LATER = new Date('2031-05-01T11:00:00.000Z');

describe.each([['postgres'], ['pglite-memory']] as const)('reservations on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });

  async function station(id: string): Promise<string> {
    await upsertStation(handle.db, { id, securityProfile: 0 });
    return id;
  }
  const reservation = (stationId: string, extra: Partial<NewReservation> = {}): NewReservation => ({
    stationId,
    reservationId: 1,
    ocppVersion: 'ocpp1.6',
    evseId: 1,
    idToken: 'TAG-1',
    groupIdToken: 'GROUP-1',
    expiresAt: LATER,
    ...extra,
  });

  it('stores an active reservation, replaces one with the same id, finds and lists it', async () => {
    const s = await station('RS-STORE');
    const first = await storeReservation(handle.db, reservation(s));
    expect(first).toMatchObject({
      status: 'active',
      reservation_id: 1,
      evse_id: 1,
      group_id_token: 'GROUP-1',
    });
    // 1.6 §5.13 / H01.FR.02: the same id replaces the reservation.
    const again = await storeReservation(handle.db, reservation(s, { evseId: 2, idToken: 'TAG-2' }));
    expect(again.id).toBe(first.id);
    expect(await findReservation(handle.db, s, 1)).toMatchObject({ evse_id: 2, id_token: 'TAG-2' });
    await storeReservation(handle.db, reservation(s, { reservationId: 2, evseId: null }));
    const listed = await listReservations(handle.db, { stationId: s, limit: 10 });
    expect(listed.map((r) => r.reservation_id)).toEqual([2, 1]);
    const page2 = await listReservations(handle.db, { stationId: s, limit: 10, beforeId: listed[0]!.id });
    expect(page2.map((r) => r.reservation_id)).toEqual([1]);
    expect(await listReservations(handle.db, { stationId: s, idToken: 'TAG-2', limit: 10 })).toHaveLength(1);
    expect(await findReservation(handle.db, s, 99)).toBeUndefined();
  });

  it('finds an overlapping active reservation on the same EVSE, not an expired one; unspecified never overlap', async () => {
    const s = await station('RS-OVERLAP');
    await storeReservation(handle.db, reservation(s));
    await storeReservation(handle.db, reservation(s, { reservationId: 2, evseId: null }));
    expect(await findOverlappingReservation(handle.db, s, 1, NOW)).toMatchObject({ reservation_id: 1 });
    expect(await findOverlappingReservation(handle.db, s, 2, NOW)).toBeUndefined();
    expect(await findOverlappingReservation(handle.db, s, null, NOW)).toBeUndefined();
    expect(await findOverlappingReservation(handle.db, s, 1, LATER)).toBeUndefined();
  });

  it('cancels once; a cancelled id can be used again', async () => {
    const s = await station('RS-CANCEL');
    await storeReservation(handle.db, reservation(s));
    expect(await cancelReservation(handle.db, s, 1)).toMatchObject({ status: 'cancelled' });
    expect(await cancelReservation(handle.db, s, 1)).toBeUndefined();
    const reused = await storeReservation(handle.db, reservation(s));
    expect(reused.status).toBe('active');
    expect(await findReservation(handle.db, s, 1)).toMatchObject({ id: reused.id, status: 'active' });
  });

  it('a start consumes the reservation it names, or one of its token or group on that EVSE or unspecified', async () => {
    const s = await station('RS-CONSUME');
    await storeReservation(handle.db, reservation(s, { reservationId: 1, evseId: 1 }));
    await storeReservation(handle.db, reservation(s, { reservationId: 2, evseId: null, idToken: 'TAG-9' }));
    const start = { stationId: s, evseId: 2, groupIdToken: null, at: NOW };
    // Another EVSE, another token: nothing.
    expect(
      await findConsumableReservation(handle.db, { ...start, reservationId: null, idToken: 'TAG-1' }),
    ).toBe(undefined);
    // The group of an unspecified-EVSE reservation.
    const byGroup = await consumeReservation(handle.db, {
      ...start,
      reservationId: null,
      idToken: 'OTHER',
      groupIdToken: 'GROUP-1',
      transactionId: 'T-1',
    });
    expect(byGroup).toMatchObject({ reservation_id: 2, status: 'used', transaction_id: 'T-1' });
    // By its id, whatever the EVSE.
    const byId = await consumeReservation(handle.db, {
      ...start,
      reservationId: 1,
      idToken: 'X',
      transactionId: 'T-2',
    });
    expect(byId).toMatchObject({ reservation_id: 1, status: 'used', transaction_id: 'T-2' });
    expect(
      await consumeReservation(handle.db, { ...start, reservationId: 1, idToken: 'X', transactionId: 'T-3' }),
    ).toBeUndefined();
  });

  it('expires by time, ends on ReservationStatusUpdate and on a Faulted / Unavailable 1.6 connector', async () => {
    const s = await station('RS-END');
    await storeReservation(handle.db, reservation(s, { reservationId: 1, expiresAt: NOW }));
    await storeReservation(handle.db, reservation(s, { reservationId: 2, evseId: 2 }));
    await storeReservation(handle.db, reservation(s, { reservationId: 3, evseId: 3 }));
    await storeReservation(handle.db, reservation(s, { reservationId: 4, evseId: null }));
    expect((await expireReservations(handle.db, NOW, s)).map((r) => r.reservation_id)).toEqual([1]);
    expect(await endReservation(handle.db, s, 2, 'removed')).toMatchObject({ status: 'removed' });
    expect(await endReservation(handle.db, s, 2, 'expired')).toBeUndefined();
    expect((await removeReservationsOf(handle.db, s, 3)).map((r) => r.reservation_id)).toEqual([3]);
    expect((await removeReservationsOf(handle.db, s, 'station')).map((r) => r.reservation_id)).toEqual([4]);
    expect(await listReservations(handle.db, { stationId: s, status: 'active', limit: 10 })).toEqual([]);
  });

  it('recording a 1.6 start or a 2.0.1 event with a reservationId consumes it in the same transaction', async () => {
    const s = await station('RS-TX');
    await storeReservation(handle.db, reservation(s, { reservationId: 7 }));
    await storeReservation(handle.db, reservation(s, { reservationId: 8, ocppVersion: 'ocpp2.0.1' }));
    const start = await handle.db.transaction().execute((trx) =>
      recordStartTransaction16(trx, {
        stationId: s,
        connectorId: 1,
        idTag: 'TAG-1',
        timestamp: NOW.toISOString(),
        meterStart: 0,
        reservationId: 7,
      }),
    );
    expect(start.consumedReservationId).toBe(7);
    expect(await findReservation(handle.db, s, 7)).toMatchObject({
      status: 'used',
      transaction_id: String(start.transactionId),
    });
    const event = await handle.db.transaction().execute((trx) =>
      recordTransactionEvent201(trx, s, {
        eventType: 'Started',
        timestamp: NOW.toISOString(),
        triggerReason: 'Authorized',
        seqNo: 0,
        reservationId: 8,
        transactionInfo: { transactionId: 'TX-201' },
        idToken: { idToken: 'TAG-1', type: 'ISO14443' },
        evse: { id: 1, connectorId: 1 },
      }),
    );
    expect(event.applied?.consumedReservationId).toBe(8);
    expect(await findReservation(handle.db, s, 8)).toMatchObject({
      status: 'used',
      transaction_id: 'TX-201',
    });
  });
});
