/**
 * OCTT TestCaseDocument 1.6, §3.17 "Reservation" (TC_046-TC_053 CSMS): the CSMS reserves through its
 * ReservationService (csms.reservation.v1, served by the embedded process) and a real OCPP 1.6 Charge Point (ocpp-rpc,
 * strict mode: it validates every CALL it receives against the OCA schemas) answers. Checks the exact ReserveNow /
 * CancelReservation payloads, what the CSMS stores (only what the Charge Point accepted) and how a reservation ends:
 * used by StartTransaction (§5.13), cancelled, expired by time, removed by a Faulted / Unavailable connector.
 */
import { Status } from '@csms/grpc';
import type { V16 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import { authorized16, booted16, statusNotification16 } from '../support/octt-states.js';
import {
  RS,
  client,
  csms,
  inMinutes,
  reservationEvents,
  stored,
  useReservationApi,
} from '../support/reservation-api.js';
import { addIdToken, at, connect16, eventually, uniqueId, type Station16 } from '../support/scenario.js';

useReservationApi();

async function booted(connectors = 2): Promise<Station16> {
  const cp = await connect16(csms, { id: uniqueId('RV16') });
  expect((await booted16(cp, connectors)).status).toBe('Accepted');
  return cp;
}

function reserve(
  cp: Station16,
  reservationId: number,
  idToken: string,
  extra: { evseId?: number; group?: string } = {},
) {
  return client.reserveNow({
    stationId: cp.id,
    reservationId,
    ...(extra.evseId !== undefined ? { evseId: extra.evseId } : {}),
    idToken,
    groupIdToken: extra.group ?? '',
    expireTime: inMinutes(30),
  });
}

describe('TC_046_CSMS: Reservation of a Connector - Transaction', () => {
  it('sends ReserveNow for the connector and idTag, stores it, and the StartTransaction with its id uses it', async () => {
    const cp = await booted();
    const idTag = await addIdToken(csms, 'RV046');
    const events = await reservationEvents(cp.id);
    cp.respond('ReserveNow', { status: 'Accepted' });
    const answer = await reserve(cp, 46, idTag, { evseId: 1 });
    expect(answer.status).toBe('Accepted');
    expect(answer.reservation).toMatchObject({
      reservationId: 46,
      evseId: 1,
      idToken: idTag,
      status: RS.RESERVATION_STATUS_ACTIVE,
    });
    const [sent] = cp.requests('ReserveNow');
    expect(sent).toMatchObject({ connectorId: 1, idTag, reservationId: 46 });
    expect(sent!.parentIdTag).toBeUndefined();
    await statusNotification16(cp, 1, 'Reserved');
    // Reusable state Charging, the StartTransaction carrying the reservationId (§5.13).
    await authorized16(cp, idTag);
    await statusNotification16(cp, 1, 'Preparing');
    const start = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag,
      meterStart: 0,
      timestamp: at(),
      reservationId: 46,
    });
    expect(start.idTagInfo.status).toBe('Accepted');
    await statusNotification16(cp, 1, 'Charging');
    expect(await stored(cp.id, 46)).toMatchObject({
      status: 'used',
      transaction_id: String(start.transactionId),
    });
    await eventually(() => events.length >= 2);
    expect(events.map((e) => [e.type, e.reservationId, e.status])).toEqual([
      ['reservation-created', 46, undefined],
      ['reservation-ended', 46, 'used'],
    ]);
    const { reservation } = await client.getReservation({ stationId: cp.id, reservationId: 46 });
    expect(reservation).toMatchObject({
      status: RS.RESERVATION_STATUS_USED,
      transactionId: String(start.transactionId),
    });
  });
});

describe('TC_047_CSMS: Reservation of a Connector - Expire', () => {
  it('the CSMS expires a 1.6 reservation by time (no ReservationStatusUpdate in 1.6) when the connector is Available again', async () => {
    const cp = await booted();
    const idTag = await addIdToken(csms, 'RV047');
    cp.respond('ReserveNow', { status: 'Accepted' });
    const expireTime = new Date(Date.now() + 1500);
    const answer = await client.reserveNow({
      stationId: cp.id,
      reservationId: 47,
      evseId: 1,
      idToken: idTag,
      expireTime,
    });
    expect(answer.status).toBe('Accepted');
    expect(cp.requests('ReserveNow')[0]).toMatchObject({
      connectorId: 1,
      idTag,
      expiryDate: expireTime.toISOString(),
    });
    await statusNotification16(cp, 1, 'Reserved');
    await new Promise((r) => setTimeout(r, 1600));
    // [EV driver does not arrive before the expiry date] The Charge Point reports the connector Available.
    await statusNotification16(cp, 1, 'Available');
    expect(await stored(cp.id, 47)).toMatchObject({ status: 'expired' });
  });

  it('a read expires reservations whose time passed even without a StatusNotification', async () => {
    const cp = await booted();
    cp.respond('ReserveNow', { status: 'Accepted' });
    await client.reserveNow({
      stationId: cp.id,
      reservationId: 470,
      evseId: 2,
      idToken: 'RV047B',
      expireTime: new Date(Date.now() + 1000),
    });
    await new Promise((r) => setTimeout(r, 1100));
    const { reservation } = await client.getReservation({ stationId: cp.id, reservationId: 470 });
    expect(reservation?.status).toBe(RS.RESERVATION_STATUS_EXPIRED);
  });
});

/** TC_048_x: the station refuses the reservation with `status`; nothing is stored. */
function refusedReservation(status: V16.ReserveNowResponse['status']): void {
  it(`accepts the ${status} answer and stores nothing`, async () => {
    const cp = await booted();
    const idTag = await addIdToken(csms, 'RV048');
    if (status === 'Occupied') await statusNotification16(cp, 1, 'Preparing');
    if (status === 'Unavailable') {
      cp.respond('ChangeAvailability', { status: 'Accepted' });
      await csms.stations.call(cp.id, 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' });
      expect(cp.requests('ChangeAvailability')[0]).toEqual({ connectorId: 1, type: 'Inoperative' });
      await statusNotification16(cp, 1, 'Unavailable');
    }
    cp.respond('ReserveNow', { status });
    const answer = await reserve(cp, 48, idTag, { evseId: 1 });
    expect(answer).toEqual({ status, reservation: undefined });
    expect(cp.requests('ReserveNow')[0]).toMatchObject({ connectorId: 1, idTag });
    expect(await stored(cp.id, 48)).toBeUndefined();
  });
}

describe('TC_048_1_CSMS: Reservation of a Connector - Faulted', () => refusedReservation('Faulted'));
describe('TC_048_2_CSMS: Reservation of a Connector - Occupied', () => refusedReservation('Occupied'));
describe('TC_048_3_CSMS: Reservation of a Connector - Unavailable', () => refusedReservation('Unavailable'));
describe('TC_048_4_CSMS: Reservation of a Connector - Rejected', () => refusedReservation('Rejected'));

describe('TC_049_CSMS: Reservation of a Charge Point - Transaction', () => {
  it('reserves connector 0 (unspecified) and a transaction of the idTag on any connector uses it', async () => {
    const cp = await booted();
    const idTag = await addIdToken(csms, 'RV049');
    cp.respond('ReserveNow', { status: 'Accepted' });
    const answer = await reserve(cp, 49, idTag);
    expect(answer.status).toBe('Accepted');
    expect(answer.reservation?.evseId).toBeUndefined();
    expect(cp.requests('ReserveNow')[0]).toMatchObject({ connectorId: 0, idTag, reservationId: 49 });
    await statusNotification16(cp, 0, 'Reserved');
    await authorized16(cp, idTag);
    await statusNotification16(cp, 2, 'Preparing');
    const start = await cp.call('StartTransaction', {
      connectorId: 2,
      idTag,
      meterStart: 0,
      timestamp: at(),
      reservationId: 49,
    });
    expect(await stored(cp.id, 49)).toMatchObject({
      status: 'used',
      transaction_id: String(start.transactionId),
    });
  });
});

describe('TC_051_CSMS: Cancel Reservation', () => {
  it('sends CancelReservation with the reservationId and marks it cancelled when Accepted', async () => {
    const cp = await booted();
    const idTag = await addIdToken(csms, 'RV051');
    const events = await reservationEvents(cp.id);
    cp.respond('ReserveNow', { status: 'Accepted' }).respond('CancelReservation', { status: 'Accepted' });
    expect((await reserve(cp, 51, idTag, { evseId: 1 })).status).toBe('Accepted');
    expect(cp.requests('ReserveNow')[0]!.connectorId).not.toBe(0);
    await statusNotification16(cp, 1, 'Reserved');
    const cancelled = await client.cancelReservation({ stationId: cp.id, reservationId: 51 });
    expect(cancelled).toMatchObject({
      status: 'Accepted',
      reservation: { status: RS.RESERVATION_STATUS_CANCELLED },
    });
    expect(cp.requests('CancelReservation')).toEqual([{ reservationId: 51 }]);
    await statusNotification16(cp, 1, 'Available');
    expect(await stored(cp.id, 51)).toMatchObject({ status: 'cancelled' });
    await eventually(() => events.length >= 2);
    expect(events[1]).toMatchObject({ type: 'reservation-ended', reservationId: 51, status: 'cancelled' });
  });
});

describe('TC_052_CSMS: Cancel Reservation - Rejected', () => {
  it('sends CancelReservation for an unknown reservationId; Rejected changes nothing', async () => {
    const cp = await booted();
    const idTag = await addIdToken(csms, 'RV052');
    cp.respond('ReserveNow', { status: 'Accepted' }).respond('CancelReservation', { status: 'Rejected' });
    expect((await reserve(cp, 52, idTag, { evseId: 1 })).status).toBe('Accepted');
    await statusNotification16(cp, 1, 'Reserved');
    const answer = await client.cancelReservation({ stationId: cp.id, reservationId: 520 });
    expect(answer).toEqual({ status: 'Rejected', reservation: undefined });
    expect(cp.requests('CancelReservation')).toEqual([{ reservationId: 520 }]);
    expect(await stored(cp.id, 52)).toMatchObject({ status: 'active' });
  });
});

describe('TC_053_CSMS: Use a reserved Connector with parentIdTag', () => {
  it('sends the parentIdTag; another idTag of that group is Accepted with it and its transaction uses the reservation', async () => {
    const cp = await booted();
    const group = uniqueId('G53').slice(0, 20);
    const idTag = await addIdToken(csms, 'RV053A', { groupId: group });
    const other = await addIdToken(csms, 'RV053B', { groupId: group });
    cp.respond('ReserveNow', { status: 'Accepted' });
    expect((await reserve(cp, 53, idTag, { evseId: 1, group })).status).toBe('Accepted');
    expect(cp.requests('ReserveNow')[0]).toMatchObject({ connectorId: 1, idTag, parentIdTag: group });
    await statusNotification16(cp, 1, 'Reserved');
    const auth = await authorized16(cp, other);
    expect(auth.idTagInfo).toMatchObject({ status: 'Accepted', parentIdTag: group });
    // Reusable state Charging with the group member's idTag; the Charge Point names the reservation it ends (§5.13).
    await statusNotification16(cp, 1, 'Preparing');
    const start = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: other,
      meterStart: 0,
      timestamp: at(),
      reservationId: 53,
    });
    expect(start.idTagInfo).toMatchObject({ status: 'Accepted', parentIdTag: group });
    await statusNotification16(cp, 1, 'Charging');
    expect(await stored(cp.id, 53)).toMatchObject({
      status: 'used',
      transaction_id: String(start.transactionId),
    });
    const stop = await cp.call('StopTransaction', {
      transactionId: start.transactionId,
      meterStop: 10,
      timestamp: at(),
    });
    expect(stop.idTagInfo).toBeUndefined();
    await statusNotification16(cp, 1, 'Finishing');
  });
});

describe('OCPP 1.6 reservations: what the CSMS checks and ends itself', () => {
  it('refuses an unknown station, an expiry in the past, a connector type, an overlapping reservation, a reused id', async () => {
    const cp = await booted(2);
    cp.respond('ReserveNow', { status: 'Accepted' });
    expect((await rejection(reserve({ id: 'RV-NOBODY' } as Station16, 1, 'T'))).code).toBe(Status.NOT_FOUND);
    const past = await rejection(
      client.reserveNow({
        stationId: cp.id,
        reservationId: 1,
        evseId: 1,
        idToken: 'T',
        expireTime: new Date(Date.now() - 1000),
      }),
    );
    expect(past).toMatchObject({ code: Status.INVALID_ARGUMENT });
    expect(past.message).toContain('expire_time');
    const typed = await rejection(
      client.reserveNow({
        stationId: cp.id,
        reservationId: 1,
        evseId: 1,
        idToken: 'T',
        connectorType: 'cType2',
        expireTime: inMinutes(5),
      }),
    );
    expect(typed.message).toContain('connector_type');
    const range = await rejection(reserve(cp, 1, 'T', { evseId: 3 }));
    expect(range).toMatchObject({ code: Status.INVALID_ARGUMENT });
    expect(range.message).toContain('evse_id');
    expect((await reserve(cp, 1, 'T', { evseId: 1 })).status).toBe('Accepted');
    const overlap = await rejection(reserve(cp, 2, 'U', { evseId: 1 }));
    expect(overlap).toMatchObject({ code: Status.FAILED_PRECONDITION });
    expect(overlap.message).toContain('reservation 1');
    expect((await rejection(reserve(cp, 1, 'U', { evseId: 2 }))).code).toBe(Status.ALREADY_EXISTS);
    expect(cp.requests('ReserveNow')).toHaveLength(1);
  });

  it('§5.13 (3): a Faulted connector, or an Unavailable Charge Point (connector 0), ends its reservations as removed', async () => {
    const cp = await booted(2);
    const events = await reservationEvents(cp.id);
    cp.respond('ReserveNow', { status: 'Accepted' });
    await reserve(cp, 1, 'T1', { evseId: 1 });
    await reserve(cp, 2, 'T2', { evseId: 2 });
    await reserve(cp, 3, 'T3');
    await statusNotification16(cp, 1, 'Faulted', 'GroundFailure');
    expect(await stored(cp.id, 1)).toMatchObject({ status: 'removed' });
    expect(await stored(cp.id, 2)).toMatchObject({ status: 'active' });
    await statusNotification16(cp, 0, 'Unavailable');
    expect(await stored(cp.id, 2)).toMatchObject({ status: 'removed' });
    expect(await stored(cp.id, 3)).toMatchObject({ status: 'removed' });
    await eventually(() => events.filter((e) => e.type === 'reservation-ended').length >= 3);
    const { reservations, nextPageToken } = await client.listReservations({
      stationId: cp.id,
      status: RS.RESERVATION_STATUS_REMOVED,
      pageSize: 2,
    });
    expect(reservations.map((r) => r.reservationId)).toEqual([3, 2]);
    const next = await client.listReservations({
      stationId: cp.id,
      status: RS.RESERVATION_STATUS_REMOVED,
      pageSize: 2,
      pageToken: nextPageToken,
    });
    expect(next.reservations.map((r) => r.reservationId)).toEqual([1]);
    expect(next.nextPageToken).toBe('');
  });
});
