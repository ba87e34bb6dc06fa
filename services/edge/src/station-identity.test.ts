import { describe, expect, it } from 'vitest';
import { isValidStationId } from '@csms/ocpp';
import { parseStationIdentity } from './station-identity.js';

describe('parseStationIdentity', () => {
  it('takes the last path segment, whatever the prefix', () => {
    expect(parseStationIdentity('/CP001')).toEqual({ ok: true, stationId: 'CP001' });
    expect(parseStationIdentity('/ocpp/CP001')).toEqual({ ok: true, stationId: 'CP001' });
    expect(parseStationIdentity('/webServices/ocpp/CS3211?token=x#frag')).toEqual({
      ok: true,
      stationId: 'CS3211',
    });
    expect(parseStationIdentity('http://csms.example.com:80/ocpp/CP9')).toEqual({
      ok: true,
      stationId: 'CP9',
    });
  });

  it('percent-decodes (OCPP-J example "RDAM 123")', () => {
    expect(parseStationIdentity('/ocppj/RDAM%20123')).toEqual({ ok: true, stationId: 'RDAM 123' });
    expect(parseStationIdentity('/ocpp/a%2Ab')).toEqual({ ok: true, stationId: 'a*b' });
  });

  it('accepts the identifierString symbols except the colon', () => {
    expect(parseStationIdentity('/ocpp/aZ09*-_=+|@.')).toEqual({ ok: true, stationId: 'aZ09*-_=+|@.' });
    expect(parseStationIdentity('/ocpp/CP%3A1')).toMatchObject({ ok: false });
    expect(parseStationIdentity('/ocpp/CP:1')).toMatchObject({ ok: false });
  });

  it.each([
    ['/ocpp/', 'empty station identity'],
    ['/', 'empty station identity'],
    ['', 'empty station identity'],
    ['/ocpp/%ZZ', 'invalid percent-encoding in station identity'],
    ['/ocpp/%E0%A4%A', 'invalid percent-encoding in station identity'],
  ])('refuses %j: %s', (target, reason) => {
    expect(parseStationIdentity(target)).toEqual({ ok: false, reason });
  });

  it.each([
    '/ocpp/CP%00',
    '/ocpp/CP%0A1',
    '/ocpp/CP%7F',
    '/ocpp/a%2Fb',
    '/ocpp/%C3%A9t%C3%A9',
    '/ocpp/CP%251',
    '/ocpp/a#',
  ])('refuses characters outside the set: %s', (target) => {
    const result = parseStationIdentity(target);
    // '/ocpp/a#' has the fragment stripped and is fine; everything else is refused.
    if (target === '/ocpp/a#') expect(result).toEqual({ ok: true, stationId: 'a' });
    else expect(result).toMatchObject({ ok: false });
  });

  it('enforces the length limit on the decoded identity', () => {
    expect(parseStationIdentity(`/ocpp/${'A'.repeat(48)}`)).toEqual({ ok: true, stationId: 'A'.repeat(48) });
    expect(parseStationIdentity(`/ocpp/${'A'.repeat(49)}`)).toEqual({
      ok: false,
      reason: 'station identity longer than 48',
    });
    expect(parseStationIdentity(`/ocpp/${'%41'.repeat(48)}`)).toEqual({
      ok: true,
      stationId: 'A'.repeat(48),
    });
    expect(parseStationIdentity('/ocpp/ABCDEF', 5)).toMatchObject({ ok: false });
  });

  it('accepts exactly the identities of the @csms/ocpp rule', () => {
    for (const id of ['RDAM 123', 'a:b', 'CP/1', 'A'.repeat(48), 'A'.repeat(49), 'été', 'aZ09*-_=+|@.']) {
      expect(parseStationIdentity(`/ocpp/${encodeURIComponent(id)}`).ok).toBe(isValidStationId(id));
    }
  });
});
