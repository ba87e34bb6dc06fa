/**
 * csmsctl's `reservations` commands (ReservationService) run in-process against a whole embedded CSMS with real
 * OCPP 1.6 and 2.0.1 stations (ocpp-rpc in strict mode: every CALL the CLI causes is schema-checked by the
 * station): reserve, get, list and cancel as tables and as --json, an API error (exit 1) and a usage error (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { cp, cs, ctl, json, ok, record, rows, useCsmsctlDomain } from '../support/csmsctl-domain.js';

useCsmsctlDomain();

describe('csmsctl reservations (ReservationService)', () => {
  it('reserves, gets, lists and cancels on a 1.6 and a 2.0.1 station', async () => {
    cp.respond('ReserveNow', { status: 'Accepted' }).respond('CancelReservation', { status: 'Accepted' });
    cs.respond('ReserveNow', { status: 'Accepted' });
    const reserved = record(
      ok(
        await ctl(
          'reservations',
          'reserve',
          cp.id,
          '7',
          '--id-token',
          'CTL-TAG',
          '--evse',
          '1',
          '--group',
          'CTL-GRP',
        ),
      ),
    );
    expect(reserved).toMatchObject({ station: cp.id, 'station answer': 'Accepted' });
    expect(cp.requests('ReserveNow').at(-1)).toMatchObject({
      connectorId: 1,
      idTag: 'CTL-TAG',
      parentIdTag: 'CTL-GRP',
      reservationId: 7,
    });
    const expires = '2099-01-01T00:00:00Z';
    ok(
      await ctl(
        'reservations',
        'reserve',
        cs.id,
        '8',
        '--id-token',
        'CTL-TOK',
        '--connector-type',
        'cType2',
        '--expires',
        expires,
      ),
    );
    expect(cs.requests('ReserveNow').at(-1)).toEqual({
      id: 8,
      expiryDateTime: '2099-01-01T00:00:00.000Z',
      connectorType: 'cType2',
      idToken: { idToken: 'CTL-TOK', type: 'ISO14443' },
    });
    expect(record(ok(await ctl('reservations', 'get', cp.id, '7')))).toMatchObject({
      reservation: '7',
      status: 'Active',
      evse: '1',
      'id token': 'CTL-TAG',
      group: 'CTL-GRP',
    });
    expect(
      rows(ok(await ctl('reservations', 'list', '--status', 'active', '--id-token', 'CTL-TOK'))),
    ).toEqual([
      ['station', 'reservation', 'status', 'evse', 'id token', 'expires', 'transaction'],
      [cs.id, '8', 'Active', 'any', 'CTL-TOK', '2099-01-01T00:00:00.000Z', '-'],
    ]);
    expect(record(ok(await ctl('reservations', 'cancel', cp.id, '7')))).toMatchObject({
      'station answer': 'Accepted',
      status: 'Cancelled',
    });
    expect(cp.requests('CancelReservation').at(-1)).toEqual({ reservationId: 7 });
    const listed = json<{ reservations: { reservationId: number; status: string }[] }>(
      await ctl('--json', 'reservations', 'list', '--station', cp.id),
    );
    expect(listed.reservations).toEqual([
      expect.objectContaining({ reservationId: 7, status: 'RESERVATION_STATUS_CANCELLED' }),
    ]);
  });

  it('an expiry in the past is exit 1 with the field; a bad status is a usage error (exit 2)', async () => {
    const past = await ctl(
      'reservations',
      'reserve',
      cp.id,
      '9',
      '--id-token',
      'T',
      '--expires',
      '2020-01-01T00:00:00Z',
    );
    expect(past.code).toBe(1);
    expect(past.stderr).toContain('expire_time');
    const usage = await ctl('reservations', 'list', '--status', 'sleeping');
    expect(usage.code).toBe(2);
  });
});
