/**
 * csms.auth.v1.AuthService against a whole embedded CSMS: real gRPC server and client, real OCPP 1.6 and 2.0.1
 * stations (ocpp-rpc) through the edge and their actors. Checks the exact payloads the stations receive.
 */
import type { authV1 } from '@csms/grpc';
import { Status } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import {
  LocalListStatus,
  S,
  UpdateType,
  booted16Station,
  booted201Station,
  client,
  useAuthApi,
} from '../support/auth-api.js';

useAuthApi();

describe('TC_043_4_CSMS: Send Local Authorization List - Full', () => {
  it('sends SendLocalList.req Full with an idTagInfo on every entry and stores version 1 once Accepted', async () => {
    const cp = await booted16Station();
    cp.respond('SendLocalList', { status: 'Accepted' });
    const answer = await client.sendLocalList({
      stationId: cp.id,
      updateType: UpdateType.UPDATE_TYPE_FULL,
      entries: [
        {
          idToken: 'LL16-A',
          type: '',
          status: S.AUTHORIZATION_STATUS_ACCEPTED,
          expireTime: new Date('2031-01-01T00:00:00.000Z'),
          groupId: 'LL16-GROUP',
        },
        {
          idToken: 'LL16-B',
          type: '',
          status: S.AUTHORIZATION_STATUS_BLOCKED,
          expireTime: undefined,
          groupId: '',
        },
      ],
    });
    expect(answer).toEqual({
      status: LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED,
      sentVersion: 1,
      version: 1,
      fullUpdateRequired: false,
      reasonCode: '',
      messagesAccepted: 1,
    });
    expect(cp.requests('SendLocalList')).toEqual([
      {
        listVersion: 1,
        updateType: 'Full',
        localAuthorizationList: [
          {
            idTag: 'LL16-A',
            idTagInfo: {
              status: 'Accepted',
              expiryDate: '2031-01-01T00:00:00.000Z',
              parentIdTag: 'LL16-GROUP',
            },
          },
          { idTag: 'LL16-B', idTagInfo: { status: 'Blocked' } },
        ],
      },
    ]);
    const stored = await client.getLocalList({ stationId: cp.id });
    expect(stored.version).toBe(1);
    expect(stored.entries.map((e) => [e.idToken, e.status, e.groupId])).toEqual([
      ['LL16-A', S.AUTHORIZATION_STATUS_ACCEPTED, 'LL16-GROUP'],
      ['LL16-B', S.AUTHORIZATION_STATUS_BLOCKED, ''],
    ]);
    await cp.close();
  });
});

describe('TC_043_5_CSMS: Send Local Authorization List - Differential', () => {
  it('sends GetLocalListVersion.req, then SendLocalList.req Differential with version + 1', async () => {
    const cp = await booted16Station();
    cp.respond('SendLocalList', { status: 'Accepted' });
    cp.respond('GetLocalListVersion', { listVersion: 1 });
    await client.sendLocalList({
      stationId: cp.id,
      updateType: UpdateType.UPDATE_TYPE_FULL,
      entries: [
        {
          idToken: 'D16-A',
          type: '',
          status: S.AUTHORIZATION_STATUS_ACCEPTED,
          expireTime: undefined,
          groupId: '',
        },
      ],
    });
    expect(await client.getLocalListVersion({ stationId: cp.id })).toEqual({
      stationVersion: 1,
      storedVersion: 1,
      inSync: true,
    });
    const answer = await client.sendLocalList({
      stationId: cp.id,
      updateType: UpdateType.UPDATE_TYPE_DIFFERENTIAL,
      entries: [
        {
          idToken: 'D16-B',
          type: '',
          status: S.AUTHORIZATION_STATUS_ACCEPTED,
          expireTime: undefined,
          groupId: '',
        },
        {
          idToken: 'D16-A',
          type: '',
          status: S.AUTHORIZATION_STATUS_UNSPECIFIED,
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
    expect(cp.requests('GetLocalListVersion')).toEqual([{}]);
    expect(cp.requests('SendLocalList')[1]).toEqual({
      listVersion: 2,
      updateType: 'Differential',
      // An entry without idTagInfo removes the token (1.6 §7.1 AuthorizationData).
      localAuthorizationList: [{ idTag: 'D16-B', idTagInfo: { status: 'Accepted' } }, { idTag: 'D16-A' }],
    });
    const stored = await client.getLocalList({ stationId: cp.id });
    expect(stored.entries.map((e) => e.idToken)).toEqual(['D16-B']);
    await cp.close();
  });
});

describe('SendLocalList: refusals and validation', () => {
  it('1.6 VersionMismatch on a differential keeps the stored list and asks for a full one', async () => {
    const cp = await booted16Station();
    cp.respond('SendLocalList', { status: 'Accepted' });
    await client.sendLocalList({
      stationId: cp.id,
      updateType: UpdateType.UPDATE_TYPE_FULL,
      entries: [
        {
          idToken: 'VM-A',
          type: '',
          status: S.AUTHORIZATION_STATUS_ACCEPTED,
          expireTime: undefined,
          groupId: '',
        },
      ],
    });
    cp.respond('SendLocalList', { status: 'VersionMismatch' });
    const answer = await client.sendLocalList({
      stationId: cp.id,
      updateType: UpdateType.UPDATE_TYPE_DIFFERENTIAL,
      entries: [
        {
          idToken: 'VM-B',
          type: '',
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
      reasonCode: '',
      messagesAccepted: 0,
    });
    const stored = await client.getLocalList({ stationId: cp.id });
    expect(stored.version).toBe(1);
    expect(stored.entries.map((e) => e.idToken)).toEqual(['VM-A']);
    // The next attempt is sent with the same version again.
    cp.respond('SendLocalList', { status: 'NotSupported' });
    expect(
      await client.sendLocalList({ stationId: cp.id, updateType: UpdateType.UPDATE_TYPE_FULL, entries: [] }),
    ).toMatchObject({ status: LocalListStatus.LOCAL_LIST_STATUS_NOT_SUPPORTED, sentVersion: 2, version: 1 });
    await cp.close();
  });

  it('refuses bad entries with field violations before anything is sent', async () => {
    const cp = await booted16Station();
    const entry = (e: Partial<authV1.LocalListEntry>): authV1.LocalListEntry => ({
      idToken: 'OK-1',
      type: '',
      status: S.AUTHORIZATION_STATUS_ACCEPTED,
      expireTime: undefined,
      groupId: '',
      ...e,
    });
    const bad = await rejection(
      client.sendLocalList({
        stationId: cp.id,
        updateType: UpdateType.UPDATE_TYPE_FULL,
        entries: [
          entry({ idToken: 'X'.repeat(21) }), // 1.6 idTag is CiString20
          entry({ idToken: 'OK-1' }),
          entry({ idToken: 'OK-1' }), // D01.FR.06: unique
          entry({ idToken: 'OK-2', status: S.AUTHORIZATION_STATUS_UNSPECIFIED }), // Full needs a status
          entry({ idToken: 'OK-3', status: S.AUTHORIZATION_STATUS_UNKNOWN }),
          entry({ idToken: 'OK-4', groupId: 'G'.repeat(21) }),
        ],
      }),
    );
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field)).toEqual([
      'entries[0].id_token',
      'entries[2].id_token',
      'entries[3].status',
      'entries[4].status',
      'entries[5].group_id',
    ]);
    const tooMany = await rejection(
      client.sendLocalList({
        stationId: cp.id,
        updateType: UpdateType.UPDATE_TYPE_FULL,
        entries: Array.from({ length: 1001 }, (_, i) => entry({ idToken: `T${i}` })),
      }),
    );
    expect(tooMany.violations.map((v) => v.field)).toEqual(['entries']);
    expect(cp.requests('SendLocalList')).toEqual([]);
    await cp.close();
  });

  it('answers UNAVAILABLE (STATION_OFFLINE) for a station that is not connected', async () => {
    const cp = await booted16Station();
    await cp.close();
    const call = (p: Promise<unknown>) => rejection(p);
    for (const failure of [
      await call(
        client.sendLocalList({ stationId: cp.id, updateType: UpdateType.UPDATE_TYPE_FULL, entries: [] }),
      ),
      await call(client.getLocalListVersion({ stationId: cp.id })),
      await call(client.rotateStationPassword({ stationId: cp.id })),
    ])
      expect(failure).toMatchObject({ code: Status.UNAVAILABLE, reason: 'STATION_OFFLINE' });
    expect((await client.getLocalList({ stationId: cp.id })).version).toBe(0);
  });
});

describe('SendLocalList split by max_entries_per_message (D01.FR.11)', () => {
  const accepted = (idToken: string, type = ''): authV1.LocalListEntry => ({
    idToken,
    type,
    status: S.AUTHORIZATION_STATUS_ACCEPTED,
    expireTime: undefined,
    groupId: '',
  });

  it('1.6: a FULL list of 5 in messages of 2: Full v1, then Differential v2 and v3; all stored', async () => {
    const cp = await booted16Station();
    cp.respond('SendLocalList', { status: 'Accepted' });
    const tokens = ['SPLIT-1', 'SPLIT-2', 'SPLIT-3', 'SPLIT-4', 'SPLIT-5'];
    const answer = await client.sendLocalList({
      stationId: cp.id,
      updateType: UpdateType.UPDATE_TYPE_FULL,
      entries: tokens.map((t) => accepted(t)),
      maxEntriesPerMessage: 2,
    });
    expect(answer).toEqual({
      status: LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED,
      sentVersion: 3,
      version: 3,
      fullUpdateRequired: false,
      reasonCode: '',
      messagesAccepted: 3,
    });
    expect(
      cp
        .requests('SendLocalList')
        .map((r) => [r.listVersion, r.updateType, r.localAuthorizationList?.map((e) => e.idTag)]),
    ).toEqual([
      [1, 'Full', ['SPLIT-1', 'SPLIT-2']],
      [2, 'Differential', ['SPLIT-3', 'SPLIT-4']],
      [3, 'Differential', ['SPLIT-5']],
    ]);
    const stored = await client.getLocalList({ stationId: cp.id });
    expect(stored.version).toBe(3);
    expect(stored.entries.map((e) => e.idToken)).toEqual(tokens);
    await cp.close();
  });

  it('2.0.1: a FULL list cut short by a Failed second message keeps what was accepted and asks for a full update', async () => {
    const cs = await booted201Station();
    let answered = 0;
    cs.respond('SendLocalList', () => ({ status: ++answered === 2 ? 'Failed' : 'Accepted' }));
    const answer = await client.sendLocalList({
      stationId: cs.id,
      updateType: UpdateType.UPDATE_TYPE_FULL,
      entries: ['CUT-1', 'CUT-2', 'CUT-3'].map((t) => accepted(t, 'ISO14443')),
      maxEntriesPerMessage: 1,
    });
    expect(answer).toEqual({
      status: LocalListStatus.LOCAL_LIST_STATUS_FAILED,
      sentVersion: 2,
      version: 1,
      fullUpdateRequired: true,
      reasonCode: '',
      messagesAccepted: 1,
    });
    // The third message is never sent.
    expect(cs.requests('SendLocalList').map((r) => [r.versionNumber, r.updateType])).toEqual([
      [1, 'Full'],
      [2, 'Differential'],
    ]);
    const stored = await client.getLocalList({ stationId: cs.id });
    expect(stored.version).toBe(1);
    expect(stored.entries.map((e) => e.idToken)).toEqual(['CUT-1']);
    await cs.close();
  });

  it('refuses a bad max_entries_per_message and too many entries before anything is sent', async () => {
    const cp = await booted16Station();
    const send = (maxEntriesPerMessage: number, count: number) =>
      rejection(
        client.sendLocalList({
          stationId: cp.id,
          updateType: UpdateType.UPDATE_TYPE_FULL,
          entries: Array.from({ length: count }, (_, i) => accepted(`MANY-${i}`)),
          maxEntriesPerMessage,
        }),
      );
    for (const [perMessage, count, field] of [
      [-1, 1, 'max_entries_per_message'],
      [1001, 1, 'max_entries_per_message'],
      [1000, 10_001, 'entries'],
    ] as const) {
      const refused = await send(perMessage, count);
      expect(refused.code).toBe(Status.INVALID_ARGUMENT);
      expect(refused.violations.map((v) => v.field)).toEqual([field]);
    }
    expect(cp.requests('SendLocalList')).toEqual([]);
    await cp.close();
  });
});
