/**
 * OCTT part 6, §3.9 "H Reservation" (TC_H_*_CSMS): the CSMS reserves through its ReservationService
 * (csms.reservation.v1, served by the embedded process) and a real OCPP 2.0.1 Charging Station (ocpp-rpc, strict
 * mode: it validates every CALL it receives against the OCA schemas) answers. Checks the exact ReserveNowRequest /
 * CancelReservationRequest payloads the OCTT validates, what the CSMS stores (only what the station accepted), and
 * how reservations end: used by a TransactionEvent with its reservationId (H01.FR.15), cancelled (H02), ended by the
 * station's ReservationStatusUpdate (Expired, H04.FR.01; Removed, H01.FR.16).
 */
import { describe, expect, it } from 'vitest';
import { booted201, notifyConnector, Tx201 } from '../support/octt-states.js';
import {
  RS,
  client,
  csms,
  inMinutes,
  reservationEvents,
  stored,
  useReservationApi,
} from '../support/reservation-api.js';
import { addIdToken, connect201, eventually, uniqueId, type Station201 } from '../support/scenario.js';

useReservationApi();

async function booted(evses = 2): Promise<Station201> {
  const cs = await connect201(csms, { id: uniqueId('RV201') });
  const connectors = Array.from({ length: evses }, (_, i) => [i + 1, 1] as const);
  expect((await booted201(cs, connectors)).status).toBe('Accepted');
  return cs;
}

interface ReserveOptions {
  readonly evseId?: number;
  readonly connectorType?: string;
  readonly group?: string;
  readonly expireTime?: Date;
}

function reserve(cs: Station201, id: number, idToken: string, o: ReserveOptions = {}) {
  return client.reserveNow({
    stationId: cs.id,
    reservationId: id,
    ...(o.evseId !== undefined ? { evseId: o.evseId } : {}),
    connectorType: o.connectorType ?? '',
    idToken,
    idTokenType: 'ISO14443',
    groupIdToken: o.group ?? '',
    expireTime: o.expireTime ?? inMinutes(30),
  });
}

/** Reusable State Reserved for an EVSE: ReserveNow Accepted, then its connector Reserved. */
async function reserved(cs: Station201, id: number, idToken: string, o: ReserveOptions = {}): Promise<void> {
  cs.respond('ReserveNow', { status: 'Accepted' });
  const answer = await reserve(cs, id, idToken, o);
  expect(answer.status).toBe('Accepted');
  expect(answer.reservation?.status).toBe(RS.RESERVATION_STATUS_ACTIVE);
  await notifyConnector(cs, o.evseId ?? 1, 1, 'Reserved');
}

describe('TC_H_01_CSMS: Reserve a specific EVSE - Accepted - Valid idToken', () => {
  it('sends ReserveNowRequest for the EVSE; the transaction that names the reservation uses it', async () => {
    const cs = await booted();
    const idToken = await addIdToken(csms, 'H01');
    const events = await reservationEvents(cs.id);
    await reserved(cs, 101, idToken, { evseId: 1 });
    const [sent] = cs.requests('ReserveNow');
    expect(sent).toMatchObject({ id: 101, evseId: 1, idToken: { idToken, type: 'ISO14443' } });
    expect(sent!.connectorType).toBeUndefined();
    expect(sent!.groupIdToken).toBeUndefined();
    // H01.FR.15 / E03.FR.03: the first TransactionEvent after the authorization carries the reservationId.
    const tx = new Tx201(cs, { idToken: { idToken, type: 'ISO14443' } });
    await cs.call('Authorize', { idToken: tx.idToken });
    await tx.event('Authorized', {
      idToken: tx.idToken,
      evse: { id: 1, connectorId: 1 },
      reservationId: 101,
    });
    await tx.energyTransferStarted();
    expect(await stored(cs.id, 101)).toMatchObject({ status: 'used', transaction_id: tx.transactionId });
    await eventually(() => events.length >= 2);
    expect(events.map((e) => [e.type, e.reservationId])).toEqual([
      ['reservation-created', 101],
      ['reservation-ended', 101],
    ]);
    expect(events[1]).toMatchObject({ status: 'used', transactionId: tx.transactionId });
  });
});

describe('TC_H_07_CSMS: Reserve a specific EVSE - Reservation Ended / not used', () => {
  it('ReservationStatusUpdate Expired ends the reservation as expired', async () => {
    const cs = await booted();
    const idToken = await addIdToken(csms, 'H07');
    await reserved(cs, 107, idToken, { evseId: 1 });
    expect(cs.requests('ReserveNow')[0]).toMatchObject({ evseId: 1, idToken: { idToken, type: 'ISO14443' } });
    await notifyConnector(cs, 1, 1, 'Available');
    expect(
      await cs.call('ReservationStatusUpdate', { reservationId: 107, reservationUpdateStatus: 'Expired' }),
    ).toEqual({});
    expect(await stored(cs.id, 107)).toMatchObject({ status: 'expired' });
    // A retry changes nothing.
    expect(
      await cs.call('ReservationStatusUpdate', { reservationId: 107, reservationUpdateStatus: 'Expired' }),
    ).toEqual({});
    expect(await stored(cs.id, 107)).toMatchObject({ status: 'expired' });
  });
});

describe('TC_H_08_CSMS: Reserve an unspecified EVSE - Accepted', () => {
  it('sends ReserveNowRequest without evseId and connectorType', async () => {
    const cs = await booted(1);
    const idToken = await addIdToken(csms, 'H08');
    await reserved(cs, 108, idToken);
    const [sent] = cs.requests('ReserveNow');
    expect(sent).toMatchObject({ id: 108, idToken: { idToken, type: 'ISO14443' } });
    expect(sent!.evseId).toBeUndefined();
    expect(sent!.connectorType).toBeUndefined();
    expect(await stored(cs.id, 108)).toMatchObject({ status: 'active', evse_id: null });
  });
});

describe('TC_H_14_CSMS: Reserve an unspecified EVSE - Amount of EVSEs available equals the amount of reservations', () => {
  it('sends one unspecified reservation per EVSE (they do not overlap), then every connector is Reserved', async () => {
    const cs = await booted(2);
    const idToken = await addIdToken(csms, 'H14');
    cs.respond('ReserveNow', { status: 'Accepted' });
    expect((await reserve(cs, 141, idToken)).status).toBe('Accepted');
    expect((await reserve(cs, 142, idToken)).status).toBe('Accepted');
    for (const sent of cs.requests('ReserveNow')) {
      expect(sent.evseId).toBeUndefined();
      expect(sent.connectorType).toBeUndefined();
      expect(sent.idToken).toEqual({ idToken, type: 'ISO14443' });
    }
    await notifyConnector(cs, 1, 1, 'Reserved');
    await notifyConnector(cs, 2, 1, 'Reserved');
    const { reservations } = await client.listReservations({
      stationId: cs.id,
      status: RS.RESERVATION_STATUS_ACTIVE,
    });
    expect(reservations.map((r) => r.reservationId)).toEqual([142, 141]);
  });
});

describe('TC_H_15_CSMS: Reserve a connector with a specific type - Success', () => {
  it('sends ReserveNowRequest with the connectorType and without evseId', async () => {
    const cs = await booted(1);
    const idToken = await addIdToken(csms, 'H15');
    await reserved(cs, 115, idToken, { connectorType: 'cType2' });
    const [sent] = cs.requests('ReserveNow');
    expect(sent).toMatchObject({ id: 115, connectorType: 'cType2', idToken: { idToken, type: 'ISO14443' } });
    expect(sent!.evseId).toBeUndefined();
    expect(await stored(cs.id, 115)).toMatchObject({ connector_type: 'cType2', evse_id: null });
  });
});

describe('TC_H_17_CSMS: Cancel reservation of an EVSE - Success', () => {
  it('sends CancelReservationRequest with the id of the reservation and marks it cancelled', async () => {
    const cs = await booted();
    const idToken = await addIdToken(csms, 'H17');
    await reserved(cs, 117, idToken, { evseId: 1 });
    cs.respond('CancelReservation', { status: 'Accepted' });
    const answer = await client.cancelReservation({ stationId: cs.id, reservationId: 117 });
    expect(answer).toMatchObject({
      status: 'Accepted',
      reservation: { status: RS.RESERVATION_STATUS_CANCELLED },
    });
    expect(cs.requests('CancelReservation')).toEqual([{ reservationId: 117 }]);
    await notifyConnector(cs, 1, 1, 'Available');
    expect(await stored(cs.id, 117)).toMatchObject({ status: 'cancelled' });
  });
});

describe('TC_H_19_CSMS: Reserve a specific EVSE - Use a reserved EVSE with GroupId', () => {
  it('sends the groupIdToken with the EVSE; a member of the group uses the reservation', async () => {
    const cs = await booted();
    const group = uniqueId('GH19');
    const idToken = await addIdToken(csms, 'H19A', { groupId: group });
    const member = await addIdToken(csms, 'H19B', { groupId: group });
    await reserved(cs, 119, idToken, { evseId: 1, group });
    const [sent] = cs.requests('ReserveNow');
    expect(sent).toMatchObject({
      evseId: 1,
      idToken: { idToken, type: 'ISO14443' },
      groupIdToken: { idToken: group },
    });
    expect(sent!.connectorType).toBeUndefined();
    const tx = new Tx201(cs, { idToken: { idToken: member, type: 'ISO14443' } });
    const authorize = await cs.call('Authorize', { idToken: tx.idToken });
    expect(authorize.idTokenInfo).toMatchObject({ status: 'Accepted', groupIdToken: { idToken: group } });
    await tx.event('Authorized', {
      idToken: tx.idToken,
      evse: { id: 1, connectorId: 1 },
      reservationId: 119,
    });
    expect(await stored(cs.id, 119)).toMatchObject({ status: 'used', transaction_id: tx.transactionId });
  });
});

describe('TC_H_20_CSMS: Charging Station cancels reservation when Faulted', () => {
  it('a Faulted EVSE alone does not end a 2.0.1 reservation; the ReservationStatusUpdate Removed does (H01.FR.16)', async () => {
    const cs = await booted();
    const idToken = await addIdToken(csms, 'H20');
    const events = await reservationEvents(cs.id);
    await reserved(cs, 120, idToken, { evseId: 1 });
    await notifyConnector(cs, 1, 1, 'Faulted');
    expect(await stored(cs.id, 120)).toMatchObject({ status: 'active' });
    expect(
      await cs.call('ReservationStatusUpdate', { reservationId: 120, reservationUpdateStatus: 'Removed' }),
    ).toEqual({});
    expect(await stored(cs.id, 120)).toMatchObject({ status: 'removed' });
    await eventually(() => events.length >= 2);
    expect(events[1]).toMatchObject({ type: 'reservation-ended', reservationId: 120, status: 'removed' });
  });
});

describe('TC_H_22_CSMS: Reserve a specific EVSE - Configured to Reject', () => {
  it('accepts the Rejected answer and stores nothing', async () => {
    const cs = await booted();
    cs.respond('ReserveNow', { status: 'Rejected' });
    expect(await reserve(cs, 122, 'H22', { evseId: 1 })).toEqual({
      status: 'Rejected',
      reservation: undefined,
    });
    expect(cs.requests('ReserveNow')).toHaveLength(1);
    expect(await stored(cs.id, 122)).toBeUndefined();
  });
});

describe('OCPP 2.0.1 reservations: ReservationStatusUpdate for a reservation the CSMS does not hold', () => {
  it('is acknowledged and changes nothing', async () => {
    const cs = await booted();
    expect(
      await cs.call('ReservationStatusUpdate', { reservationId: 999, reservationUpdateStatus: 'Removed' }),
    ).toEqual({});
    expect(await stored(cs.id, 999)).toBeUndefined();
  });
});
