/**
 * csms.auth.v1.AuthService against a whole embedded CSMS: real gRPC server and client, real OCPP 1.6 and 2.0.1
 * stations (ocpp-rpc) through the edge and their actors. Checks the exact payloads the stations receive.
 */
import { createAuthService } from '@csms/auth';
import {
  authV1,
  connectApi,
  startApiServer,
  Status,
  type ApiClient,
  type ApiConnection,
  type ApiServer,
} from '@csms/grpc';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201 } from '../support/octt-states.js';
import { basicAuth, rawUpgrade } from '../support/raw-station.js';
import { connect16, connect201, uniqueId, type Station16, type Station201 } from '../support/scenario.js';
import { rejection } from '../support/grpc-rejection.js';

const { AuthorizationStatus: S, LocalListStatus, UpdateType } = authV1;

const PASSWORD16 = '00112233445566778899aabbccddeeff';
const PASSWORD201 = 'OCTT201-basic-password-01';
const PW_STATIONS_16 = ['AUTH-PW16-A', 'AUTH-PW16-B', 'AUTH-PW16-C'] as const;
const PW_STATIONS_201 = ['AUTH-PW201-A', 'AUTH-PW201-B'] as const;

let csms: TestCsms;
let server: ApiServer;
let api: ApiConnection;
let client: ApiClient<typeof authV1.AuthServiceDefinition>;

beforeAll(async () => {
  const seed = [
    'stations:',
    ...PW_STATIONS_16.map((id) => `  - { id: ${id}, password: "${PASSWORD16}", securityProfile: 1 }`),
    ...PW_STATIONS_201.map((id) => `  - { id: ${id}, password: "${PASSWORD201}", securityProfile: 1 }`),
    '',
  ].join('\n');
  csms = await startTestCsms({ seed });
  const logger = createLogger({ service: 'auth-api-test', level: 'silent' });
  server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [
    createAuthService({ db: csms.database.db, stations: csms.stations, logger }),
  ]);
  api = connectApi({ address: `127.0.0.1:${server.port}` });
  client = api.client(authV1.AuthServiceDefinition);
});
afterAll(async () => {
  api.close();
  await server.stop();
  await csms.close();
});

const upgrade = (id: string, protocol: string, password: string) =>
  rawUpgrade(csms.port, `/ocpp/${id}`, {
    'Sec-WebSocket-Protocol': protocol,
    Authorization: basicAuth(id, password),
  });

async function booted16Station(id = uniqueId('AUTH16'), password?: string): Promise<Station16> {
  const cp = await connect16(csms, { id, ...(password !== undefined ? { password } : {}) });
  expect((await booted16(cp)).status).toBe('Accepted');
  return cp;
}

async function booted201Station(id = uniqueId('AUTH201'), password?: string): Promise<Station201> {
  const cs = await connect201(csms, { id, ...(password !== undefined ? { password } : {}) });
  expect((await booted201(cs)).status).toBe('Accepted');
  return cs;
}

describe('RotateStationPassword (A01)', () => {
  it('1.6: sends a generated AuthorizationKey; once Accepted only the new password opens a connection', async () => {
    const id = PW_STATIONS_16[0];
    const cp = await booted16Station(id, PASSWORD16);
    cp.respond('ChangeConfiguration', { status: 'Accepted' });
    const answer = await client.rotateStationPassword({ stationId: id });
    expect(answer).toMatchObject({ stationStatus: 'Accepted', changed: true });
    // 16 bytes as 32 hexadecimal digits (1.6 Security Whitepaper A00.FR.205).
    expect(answer.generatedPassword).toMatch(/^[0-9a-f]{32}$/);
    expect(cp.requests('ChangeConfiguration')).toEqual([
      { key: 'AuthorizationKey', value: answer.generatedPassword },
    ]);
    await cp.close();
    // A01.FR.03: the old credentials are no longer accepted.
    expect((await upgrade(id, 'ocpp1.6', PASSWORD16)).status).toBe(401);
    expect((await upgrade(id, 'ocpp1.6', answer.generatedPassword)).status).toBe(101);
    await (await booted16Station(id, answer.generatedPassword)).close();
  });

  it('1.6: a Rejected change keeps the old password (A01.FR.04)', async () => {
    const id = PW_STATIONS_16[1];
    const cp = await booted16Station(id, PASSWORD16);
    cp.respond('ChangeConfiguration', { status: 'Rejected' });
    const wanted = 'ffeeddccbbaa99887766554433221100';
    const answer = await client.rotateStationPassword({ stationId: id, password: wanted });
    expect(answer).toEqual({ stationStatus: 'Rejected', changed: false, generatedPassword: '' });
    expect(cp.requests('ChangeConfiguration')).toEqual([{ key: 'AuthorizationKey', value: wanted }]);
    await cp.close();
    expect((await upgrade(id, 'ocpp1.6', wanted)).status).toBe(401);
    expect((await upgrade(id, 'ocpp1.6', PASSWORD16)).status).toBe(101);
  });

  it('1.6: refuses a password that is not 32-40 hexadecimal digits without calling the station', async () => {
    const id = PW_STATIONS_16[2];
    const cp = await booted16Station(id, PASSWORD16);
    const bad = await rejection(
      client.rotateStationPassword({ stationId: id, password: 'not-hex-but-long-enough' }),
    );
    expect(bad).toMatchObject({ code: Status.INVALID_ARGUMENT });
    expect(bad.violations.map((v) => v.field)).toEqual(['password']);
    expect(cp.requests('ChangeConfiguration')).toEqual([]);
    await cp.close();
  });

  it('2.0.1: sends SecurityCtrlr.BasicAuthPassword with SetVariables; Accepted switches the password', async () => {
    const id = PW_STATIONS_201[0];
    const cs = await booted201Station(id, PASSWORD201);
    cs.respond('SetVariables', (request) => ({
      setVariableResult: request.setVariableData.map((d) => ({
        attributeStatus: 'Accepted' as const,
        component: d.component,
        variable: d.variable,
      })),
    }));
    const answer = await client.rotateStationPassword({ stationId: id });
    expect(answer).toMatchObject({ stationStatus: 'Accepted', changed: true });
    // A00.FR.205: a passwordString of 16-40 characters.
    expect(answer.generatedPassword).toMatch(/^[A-Za-z0-9*\-_=:+|@.]{32}$/);
    expect(cs.requests('SetVariables')).toEqual([
      {
        setVariableData: [
          {
            component: { name: 'SecurityCtrlr' },
            variable: { name: 'BasicAuthPassword' },
            attributeValue: answer.generatedPassword,
          },
        ],
      },
    ]);
    await cs.close();
    expect((await upgrade(id, 'ocpp2.0.1', PASSWORD201)).status).toBe(401);
    expect((await upgrade(id, 'ocpp2.0.1', answer.generatedPassword)).status).toBe(101);
  });

  it('2.0.1: a Rejected attribute keeps the old password', async () => {
    const id = PW_STATIONS_201[1];
    const cs = await booted201Station(id, PASSWORD201);
    cs.respond('SetVariables', (request) => ({
      setVariableResult: request.setVariableData.map((d) => ({
        attributeStatus: 'Rejected' as const,
        component: d.component,
        variable: d.variable,
      })),
    }));
    const answer = await client.rotateStationPassword({ stationId: id, password: 'New:Password-201.ok' });
    expect(answer).toEqual({ stationStatus: 'Rejected', changed: false, generatedPassword: '' });
    await cs.close();
    expect((await upgrade(id, 'ocpp2.0.1', 'New:Password-201.ok')).status).toBe(401);
    expect((await upgrade(id, 'ocpp2.0.1', PASSWORD201)).status).toBe(101);
  });
});

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
