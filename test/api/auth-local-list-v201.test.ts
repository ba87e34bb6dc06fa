/**
 * csms.auth.v1.AuthService against a whole embedded CSMS: real gRPC server and client, real OCPP 1.6 and 2.0.1
 * stations (ocpp-rpc) through the edge and their actors. Checks the exact payloads the stations receive.
 */
import { describe, expect, it } from 'vitest';
import { type Station201 } from '../support/scenario.js';
import { rejection } from '../support/grpc-rejection.js';
import { LocalListStatus, S, UpdateType, booted201Station, client, useAuthApi } from '../support/auth-api.js';

useAuthApi();

describe('TC_D_01_CSMS: Send Local Authorization List - Full', () => {
  it('sends SendLocalListRequest Full, versionNumber > 0, a non-empty list with idTokenInfo', async () => {
    const cs = await booted201Station();
    cs.respond('SendLocalList', { status: 'Accepted' });
    const answer = await client.sendLocalList({
      stationId: cs.id,
      updateType: UpdateType.UPDATE_TYPE_FULL,
      entries: [
        {
          idToken: 'LL201-A',
          type: 'ISO14443',
          status: S.AUTHORIZATION_STATUS_ACCEPTED,
          expireTime: new Date('2031-01-01T00:00:00.000Z'),
          groupId: 'LL201-GROUP',
        },
        {
          idToken: 'LL201-B',
          type: 'KeyCode',
          status: S.AUTHORIZATION_STATUS_INVALID,
          expireTime: undefined,
          groupId: '',
        },
      ],
    });
    expect(answer).toMatchObject({
      status: LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED,
      sentVersion: 1,
      version: 1,
    });
    expect(cs.requests('SendLocalList')).toEqual([
      {
        versionNumber: 1,
        updateType: 'Full',
        localAuthorizationList: [
          {
            idToken: { idToken: 'LL201-A', type: 'ISO14443' },
            idTokenInfo: {
              status: 'Accepted',
              cacheExpiryDateTime: '2031-01-01T00:00:00.000Z',
              groupIdToken: { idToken: 'LL201-GROUP', type: 'Central' },
            },
          },
          { idToken: { idToken: 'LL201-B', type: 'KeyCode' }, idTokenInfo: { status: 'Invalid' } },
        ],
      },
    ]);
    const stored = await client.getLocalList({ stationId: cs.id });
    expect(stored.entries.map((e) => [e.idToken, e.type])).toEqual([
      ['LL201-A', 'ISO14443'],
      ['LL201-B', 'KeyCode'],
    ]);
    await cs.close();
  });
});

async function station201WithList(): Promise<Station201> {
  const cs = await booted201Station();
  cs.respond('SendLocalList', { status: 'Accepted' });
  await client.sendLocalList({
    stationId: cs.id,
    updateType: UpdateType.UPDATE_TYPE_FULL,
    entries: [
      {
        idToken: 'BASE-1',
        type: 'Central',
        status: S.AUTHORIZATION_STATUS_ACCEPTED,
        expireTime: undefined,
        groupId: '',
      },
      {
        idToken: 'BASE-2',
        type: 'Central',
        status: S.AUTHORIZATION_STATUS_ACCEPTED,
        expireTime: undefined,
        groupId: '',
      },
    ],
  });
  return cs;
}

describe('TC_D_02_CSMS: Send Local Authorization List - Differential Update', () => {
  it('sends SendLocalListRequest Differential with a higher versionNumber and idTokenInfo', async () => {
    const cs = await station201WithList();
    const answer = await client.sendLocalList({
      stationId: cs.id,
      updateType: UpdateType.UPDATE_TYPE_DIFFERENTIAL,
      entries: [
        {
          idToken: 'BASE-1',
          type: 'Central',
          status: S.AUTHORIZATION_STATUS_BLOCKED,
          expireTime: undefined,
          groupId: '',
        },
        {
          idToken: 'NEW-1',
          type: 'eMAID',
          status: S.AUTHORIZATION_STATUS_ACCEPTED,
          expireTime: undefined,
          groupId: '',
        },
      ],
    });
    expect(answer).toMatchObject({
      status: LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED,
      sentVersion: 2,
      version: 2,
    });
    expect(cs.requests('SendLocalList')[1]).toEqual({
      versionNumber: 2,
      updateType: 'Differential',
      localAuthorizationList: [
        { idToken: { idToken: 'BASE-1', type: 'Central' }, idTokenInfo: { status: 'Blocked' } },
        { idToken: { idToken: 'NEW-1', type: 'eMAID' }, idTokenInfo: { status: 'Accepted' } },
      ],
    });
    const stored = await client.getLocalList({ stationId: cs.id });
    expect(stored.entries.map((e) => [e.idToken, e.status])).toEqual([
      ['BASE-1', S.AUTHORIZATION_STATUS_BLOCKED],
      ['BASE-2', S.AUTHORIZATION_STATUS_ACCEPTED],
      ['NEW-1', S.AUTHORIZATION_STATUS_ACCEPTED],
    ]);
    await cs.close();
  });
});

describe('TC_D_03_CSMS: Send Local Authorization List - Differential Remove', () => {
  it('sends SendLocalListRequest Differential with AuthorizationData without idTokenInfo', async () => {
    const cs = await station201WithList();
    await client.sendLocalList({
      stationId: cs.id,
      updateType: UpdateType.UPDATE_TYPE_DIFFERENTIAL,
      entries: [
        {
          idToken: 'BASE-2',
          type: 'Central',
          status: S.AUTHORIZATION_STATUS_UNSPECIFIED,
          expireTime: undefined,
          groupId: '',
        },
      ],
    });
    expect(cs.requests('SendLocalList')[1]).toEqual({
      versionNumber: 2,
      updateType: 'Differential',
      localAuthorizationList: [{ idToken: { idToken: 'BASE-2', type: 'Central' } }],
    });
    expect((await client.getLocalList({ stationId: cs.id })).entries.map((e) => e.idToken)).toEqual([
      'BASE-1',
    ]);
    await cs.close();
  });
});

describe('TC_D_04_CSMS: Send Local Authorization List - Full with empy list', () => {
  it('sends SendLocalListRequest Full without localAuthorizationList and clears the stored list', async () => {
    const cs = await station201WithList();
    await client.sendLocalList({ stationId: cs.id, updateType: UpdateType.UPDATE_TYPE_FULL, entries: [] });
    // D01.FR.04: a Full update without a list empties it (2.0.1 forbids an empty array: minItems 1).
    expect(cs.requests('SendLocalList')[1]).toEqual({ versionNumber: 2, updateType: 'Full' });
    expect(await client.getLocalList({ stationId: cs.id })).toMatchObject({ version: 2, entries: [] });
    await cs.close();
  });
});

describe('SendLocalList 2.0.1: VersionMismatch and validation', () => {
  it('returns VERSION_MISMATCH with full_update_required and the statusInfo reason code', async () => {
    const cs = await station201WithList();
    cs.respond('SendLocalList', { status: 'VersionMismatch', statusInfo: { reasonCode: 'VersionTooLow' } });
    const answer = await client.sendLocalList({
      stationId: cs.id,
      updateType: UpdateType.UPDATE_TYPE_DIFFERENTIAL,
      entries: [
        {
          idToken: 'NEW-2',
          type: 'Local',
          status: S.AUTHORIZATION_STATUS_ACCEPTED,
          expireTime: undefined,
          groupId: '',
        },
      ],
    });
    expect(answer).toEqual({
      status: LocalListStatus.LOCAL_LIST_STATUS_VERSION_MISMATCH,
      sentVersion: 2,
      version: 1,
      fullUpdateRequired: true,
      reasonCode: 'VersionTooLow',
      messagesAccepted: 0,
    });
    expect((await client.getLocalList({ stationId: cs.id })).entries.map((e) => e.idToken)).toEqual([
      'BASE-1',
      'BASE-2',
    ]);
    await cs.close();
  });

  it('requires an IdTokenEnumType on every entry for a 2.0.1 station and accepts 36-character tokens', async () => {
    const cs = await booted201Station();
    cs.respond('SendLocalList', { status: 'Accepted' });
    const bad = await rejection(
      client.sendLocalList({
        stationId: cs.id,
        updateType: UpdateType.UPDATE_TYPE_FULL,
        entries: [
          {
            idToken: 'NO-TYPE',
            type: '',
            status: S.AUTHORIZATION_STATUS_ACCEPTED,
            expireTime: undefined,
            groupId: '',
          },
        ],
      }),
    );
    expect(bad.violations.map((v) => v.field)).toEqual(['entries[0].type']);
    const long = 'T'.repeat(36);
    expect(
      await client.sendLocalList({
        stationId: cs.id,
        updateType: UpdateType.UPDATE_TYPE_FULL,
        entries: [
          {
            idToken: long,
            type: 'Central',
            status: S.AUTHORIZATION_STATUS_ACCEPTED,
            expireTime: undefined,
            groupId: '',
          },
        ],
      }),
    ).toMatchObject({ status: LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED });
    await cs.close();
  });
});

describe('TC_D_08_CSMS: Get Local List Version - Success', () => {
  it('sends GetLocalListVersionRequest and reports the station version with the stored one', async () => {
    const cs = await station201WithList();
    cs.respond('GetLocalListVersion', { versionNumber: 1 });
    expect(await client.getLocalListVersion({ stationId: cs.id })).toEqual({
      stationVersion: 1,
      storedVersion: 1,
      inSync: true,
    });
    expect(cs.requests('GetLocalListVersion')).toEqual([{}]);
    cs.respond('GetLocalListVersion', { versionNumber: 7 });
    expect(await client.getLocalListVersion({ stationId: cs.id })).toEqual({
      stationVersion: 7,
      storedVersion: 1,
      inSync: false,
    });
    await cs.close();
  });
});

describe('TC_D_09_CSMS: Get Local List Version - No list available', () => {
  it('reads versionNumber 0 from a station without a list', async () => {
    const cs = await booted201Station();
    cs.respond('GetLocalListVersion', { versionNumber: 0 });
    expect(await client.getLocalListVersion({ stationId: cs.id })).toEqual({
      stationVersion: 0,
      storedVersion: 0,
      inSync: true,
    });
    await cs.close();
  });
});
