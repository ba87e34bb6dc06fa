/**
 * The station actor's part of reservations (1.6 §5.13, 2.0.1 H01-H04): the after-command hooks of ReserveNow and
 * CancelReservation store what the station accepted, a start with a reservationId uses it, the 2.0.1
 * ReservationStatusUpdate ends it, and a 1.6 connector that turns Faulted / Unavailable (or Available again after
 * Reserved, past the expiry) ends it; each publishes its event.
 */
import { Subjects } from '@csms/bus';
import { findReservation, upsertStation } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorkerHarness, type SimulatedStation, type WorkerHarness } from './testing/worker-harness.js';

const NOW = new Date('2031-06-01T12:00:00.000Z');
const EXPIRY = '2031-06-01T12:30:00.000Z';

let h: WorkerHarness;
const events: Record<string, unknown>[] = [];
let now = NOW;

beforeAll(async () => {
  h = await startWorkerHarness({ config: { maxConnectorId: 8 }, now: () => now });
  await h.bus.subscribe<Record<string, unknown>>(Subjects.eventWildcard, (m) => void events.push(m.data));
});
afterAll(async () => {
  await h.close();
});

async function booted(id: string, version: 'ocpp1.6' | 'ocpp2.0.1'): Promise<SimulatedStation> {
  await upsertStation(h.database.db, { id, securityProfile: 0 });
  const station = await h.connect(id, version);
  await station.answer((call) => ({
    type: 'result',
    payload: {
      status:
        call.action === 'CancelReservation' && call.payload.reservationId === 9 ? 'Rejected' : 'Accepted',
    },
  }));
  const boot =
    version === 'ocpp1.6'
      ? { chargePointVendor: 'V', chargePointModel: 'M' }
      : { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } };
  expect(await station.ok('BootNotification', boot)).toMatchObject({ status: 'Accepted' });
  return station;
}

const typesOf = (stationId: string) =>
  events
    .filter((e) => e.stationId === stationId && String(e.type).startsWith('reservation-'))
    .map((e) => [e.type, e.reservationId, e.status]);

const reserve16 = (id: number, connectorId: number, idTag = 'TAG-1') => ({
  connectorId,
  expiryDate: EXPIRY,
  idTag,
  parentIdTag: 'PARENT',
  reservationId: id,
});

describe('OCPP 1.6 reservations in the station actor', () => {
  it('stores an Accepted ReserveNow (connector 0 = unspecified), cancels on an Accepted CancelReservation only', async () => {
    const cp = await booted('RSV16-HOOKS', 'ocpp1.6');
    expect(await cp.command('ReserveNow', reserve16(1, 1))).toMatchObject({ status: 'result' });
    expect(await cp.command('ReserveNow', reserve16(9, 0))).toMatchObject({ status: 'result' });
    expect(await findReservation(h.database.db, cp.stationId, 1)).toMatchObject({
      status: 'active',
      evse_id: 1,
      id_token: 'TAG-1',
      group_id_token: 'PARENT',
      ocpp_version: 'ocpp1.6',
      expires_at: new Date(EXPIRY),
    });
    expect(await findReservation(h.database.db, cp.stationId, 9)).toMatchObject({ evse_id: null });
    await cp.command('CancelReservation', { reservationId: 9 });
    expect(await findReservation(h.database.db, cp.stationId, 9)).toMatchObject({ status: 'active' });
    await cp.command('CancelReservation', { reservationId: 1 });
    expect(await findReservation(h.database.db, cp.stationId, 1)).toMatchObject({ status: 'cancelled' });
    await vi.waitFor(() =>
      expect(typesOf(cp.stationId)).toEqual([
        ['reservation-created', 1, undefined],
        ['reservation-created', 9, undefined],
        ['reservation-ended', 1, 'cancelled'],
      ]),
    );
  });

  it('StartTransaction with the reservationId uses it in the transaction of the start (a retry changes nothing)', async () => {
    const cp = await booted('RSV16-START', 'ocpp1.6');
    await cp.command('ReserveNow', reserve16(5, 2));
    const start = {
      connectorId: 2,
      idTag: 'TAG-1',
      meterStart: 0,
      timestamp: NOW.toISOString(),
      reservationId: 5,
    };
    const answer = await cp.ok<{ transactionId: number }>('StartTransaction', start);
    expect(await findReservation(h.database.db, cp.stationId, 5)).toMatchObject({
      status: 'used',
      transaction_id: String(answer.transactionId),
    });
    expect(await cp.ok('StartTransaction', start)).toMatchObject({ transactionId: answer.transactionId });
    await vi.waitFor(() => expect(typesOf(cp.stationId).at(-1)).toEqual(['reservation-ended', 5, 'used']));
  });

  it("§5.13: Faulted / Unavailable ends the connector's reservations; Available after Reserved expires due ones", async () => {
    const cp = await booted('RSV16-STATUS', 'ocpp1.6');
    await cp.command('ReserveNow', reserve16(1, 1));
    await cp.command('ReserveNow', reserve16(2, 2));
    const status = (connectorId: number, s: string) =>
      cp.ok('StatusNotification', {
        connectorId,
        errorCode: 'NoError',
        status: s,
        timestamp: now.toISOString(),
      });
    await status(1, 'Faulted');
    expect(await findReservation(h.database.db, cp.stationId, 1)).toMatchObject({ status: 'removed' });
    await status(2, 'Reserved');
    // Not expired yet: Available (e.g. the reservation was cancelled on the station) leaves it to its expiry.
    now = new Date('2031-06-01T12:10:00.000Z');
    await status(2, 'Available');
    expect(await findReservation(h.database.db, cp.stationId, 2)).toMatchObject({ status: 'active' });
    now = new Date('2031-06-01T12:11:00.000Z');
    await status(2, 'Reserved');
    now = new Date('2031-06-01T12:31:00.000Z');
    await status(2, 'Available');
    expect(await findReservation(h.database.db, cp.stationId, 2)).toMatchObject({ status: 'expired' });
    now = NOW;
  });
});

describe('OCPP 2.0.1 reservations in the station actor', () => {
  it('stores an Accepted ReserveNowRequest with its token types, connector type and group', async () => {
    const cs = await booted('RSV201-HOOKS', 'ocpp2.0.1');
    await cs.command('ReserveNow', {
      id: 3,
      expiryDateTime: EXPIRY,
      connectorType: 'cType2',
      idToken: { idToken: 'TOK', type: 'ISO14443' },
      groupIdToken: { idToken: 'GRP', type: 'Central' },
    });
    expect(await findReservation(h.database.db, cs.stationId, 3)).toMatchObject({
      status: 'active',
      evse_id: null,
      connector_type: 'cType2',
      id_token: 'TOK',
      id_token_type: 'ISO14443',
      group_id_token: 'GRP',
      group_id_token_type: 'Central',
      ocpp_version: 'ocpp2.0.1',
    });
  });

  it('TransactionEvent with reservationId uses it; ReservationStatusUpdate Expired / Removed ends it', async () => {
    const cs = await booted('RSV201-END', 'ocpp2.0.1');
    for (const id of [1, 2, 3])
      await cs.command('ReserveNow', {
        id,
        evseId: id,
        expiryDateTime: EXPIRY,
        idToken: { idToken: 'TOK', type: 'ISO14443' },
      });
    await cs.ok('TransactionEvent', {
      eventType: 'Started',
      timestamp: NOW.toISOString(),
      triggerReason: 'Authorized',
      seqNo: 0,
      reservationId: 1,
      transactionInfo: { transactionId: 'TX-RSV' },
      idToken: { idToken: 'TOK', type: 'ISO14443' },
      evse: { id: 1, connectorId: 1 },
    });
    expect(await findReservation(h.database.db, cs.stationId, 1)).toMatchObject({
      status: 'used',
      transaction_id: 'TX-RSV',
    });
    expect(
      await cs.ok('ReservationStatusUpdate', { reservationId: 2, reservationUpdateStatus: 'Expired' }),
    ).toEqual({});
    expect(
      await cs.ok('ReservationStatusUpdate', { reservationId: 3, reservationUpdateStatus: 'Removed' }),
    ).toEqual({});
    expect(await findReservation(h.database.db, cs.stationId, 2)).toMatchObject({ status: 'expired' });
    expect(await findReservation(h.database.db, cs.stationId, 3)).toMatchObject({ status: 'removed' });
    // H01.FR.16: a 2.0.1 station reports the removal itself; its Faulted status does not end anything here.
    await cs.command('ReserveNow', {
      id: 4,
      evseId: 2,
      expiryDateTime: EXPIRY,
      idToken: { idToken: 'TOK', type: 'ISO14443' },
    });
    await cs.ok('StatusNotification', {
      timestamp: NOW.toISOString(),
      connectorStatus: 'Faulted',
      evseId: 2,
      connectorId: 1,
    });
    expect(await findReservation(h.database.db, cs.stationId, 4)).toMatchObject({ status: 'active' });
    await vi.waitFor(() =>
      expect(typesOf(cs.stationId).filter((e) => e[0] === 'reservation-ended')).toEqual([
        ['reservation-ended', 1, 'used'],
        ['reservation-ended', 2, 'expired'],
        ['reservation-ended', 3, 'removed'],
      ]),
    );
  });
});
