import { upsertIdToken } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from '../testing/worker-harness.js';
import { bootedStation } from './testing.js';

const NOW = new Date('2031-06-01T12:00:00.000Z');

describe('OCPP 2.0.1 Authorize', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await startWorkerHarness({ now: () => NOW });
    const db = h.database.db;
    await upsertIdToken(db, { idToken: 'RFID-OK', type: 'ISO14443', status: 'Accepted' });
    await upsertIdToken(db, {
      idToken: 'RFID-GROUP',
      type: 'ISO14443',
      status: 'Accepted',
      expiresAt: new Date('2032-01-01T00:00:00.000Z'),
      groupId: 'FAMILY-1',
    });
    await upsertIdToken(db, { idToken: 'RFID-ANYTYPE', status: 'Accepted' });
    await upsertIdToken(db, {
      idToken: 'RFID-BLOCKED',
      type: 'ISO14443',
      status: 'Blocked',
      groupId: 'FAMILY-1',
    });
    await upsertIdToken(db, { idToken: 'RFID-INVALID', type: 'ISO14443', status: 'Invalid' });
    await upsertIdToken(db, { idToken: 'RFID-EXPIRED', type: 'ISO14443', status: 'Expired' });
    await upsertIdToken(db, {
      idToken: 'RFID-LAPSED',
      type: 'ISO14443',
      status: 'Accepted',
      expiresAt: new Date('2031-05-31T23:59:59.000Z'),
    });
    await upsertIdToken(db, { idToken: 'RFID-BUSY', type: 'ISO14443', status: 'Accepted' });
  });
  afterAll(async () => {
    await h.close();
  });

  const authorize = async (stationId: string, idToken: string, type = 'ISO14443') => {
    const cs = await bootedStation(h, stationId);
    return cs.ok('Authorize', { idToken: { idToken, type } });
  };

  it.each([
    ['an accepted token', 'RFID-OK', 'ISO14443', { status: 'Accepted' }],
    [
      'a grouped token with an expiry (C01.FR.06, C10.FR.13)',
      'RFID-GROUP',
      'ISO14443',
      {
        status: 'Accepted',
        cacheExpiryDateTime: '2032-01-01T00:00:00.000Z',
        groupIdToken: { idToken: 'FAMILY-1', type: 'Central' },
      },
    ],
    ['a token stored without a type', 'RFID-ANYTYPE', 'KeyCode', { status: 'Accepted' }],
    ['an unknown token (TC_C_02_CSMS)', 'RFID-NOBODY', 'ISO14443', { status: 'Unknown' }],
    ['a known token presented with another type (C01.FR.25)', 'RFID-OK', 'eMAID', { status: 'Unknown' }],
    [
      'a blocked token (TC_C_06_CSMS)',
      'RFID-BLOCKED',
      'ISO14443',
      { status: 'Blocked', groupIdToken: { idToken: 'FAMILY-1', type: 'Central' } },
    ],
    ['an invalid token', 'RFID-INVALID', 'ISO14443', { status: 'Invalid' }],
    ['a token stored as Expired (TC_C_07_CSMS)', 'RFID-EXPIRED', 'ISO14443', { status: 'Expired' }],
    [
      'an accepted token past its expiry',
      'RFID-LAPSED',
      'ISO14443',
      { status: 'Expired', cacheExpiryDateTime: '2031-05-31T23:59:59.000Z' },
    ],
    ['a start button (NoAuthorization, C02.FR.02)', '', 'NoAuthorization', { status: 'Accepted' }],
  ])('answers %s', async (_name, idToken, type, idTokenInfo) => {
    const stationId = `A-${idToken || 'button'}-${type}`;
    expect(await authorize(stationId, idToken, type)).toEqual({ idTokenInfo });
  });

  it('answers ConcurrentTx only when the token is in a transaction at another station', async () => {
    const busy = await bootedStation(h, 'A-BUSY-1');
    const started = await busy.ok('TransactionEvent', {
      eventType: 'Started',
      timestamp: '2031-06-01T11:00:00.000Z',
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'tx-busy', chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'RFID-BUSY', type: 'ISO14443' },
    });
    expect(started).toEqual({ idTokenInfo: { status: 'Accepted' } });
    // Presented again at the same station (e.g. to stop its transaction).
    expect(await busy.ok('Authorize', { idToken: { idToken: 'RFID-BUSY', type: 'ISO14443' } })).toEqual({
      idTokenInfo: { status: 'Accepted' },
    });
    expect(await authorize('A-BUSY-2', 'RFID-BUSY')).toEqual({ idTokenInfo: { status: 'ConcurrentTx' } });

    await busy.ok('TransactionEvent', {
      eventType: 'Ended',
      timestamp: '2031-06-01T11:30:00.000Z',
      triggerReason: 'StopAuthorized',
      seqNo: 1,
      transactionInfo: { transactionId: 'tx-busy', stoppedReason: 'Local' },
    });
    expect(await authorize('A-BUSY-3', 'RFID-BUSY')).toEqual({ idTokenInfo: { status: 'Accepted' } });
  });
});
