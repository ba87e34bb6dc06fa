import { MemoryBus, StationApi } from '@csms/bus';
import { migrateToLatest, openDatabase, upsertStation, type DatabaseHandle } from '@csms/db';
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
import { createAuthService } from './auth-service.js';
import { generatePassword, passwordProblem } from './station-password.js';
import { rejection } from '../../../test/support/grpc-rejection.js';

const { AuthorizationStatus: S, Concurrency, UpdateType } = authV1;

let handle: DatabaseHandle;
let server: ApiServer;
let api: ApiConnection;
let client: ApiClient<typeof authV1.AuthServiceDefinition>;

beforeAll(async () => {
  handle = await openDatabase({ kind: 'pglite-memory' });
  await migrateToLatest(handle.db);
  const logger = createLogger({ service: 'auth-test', level: 'silent' });
  const bus = new MemoryBus();
  const stations = new StationApi(bus, { queueWaitMs: 100, timeoutMs: 200 });
  server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [
    createAuthService({ db: handle.db, stations, logger }),
  ]);
  api = connectApi({ address: `127.0.0.1:${server.port}` });
  client = api.client(authV1.AuthServiceDefinition);
});
afterAll(async () => {
  api.close();
  await server.stop();
  await handle.close();
});

const fields = (r: { violations: readonly { field: string }[] }) => r.violations.map((v) => v.field).sort();

describe('id tokens', () => {
  it('creates, reads, updates (by field presence) and deletes a token', async () => {
    const expireTime = new Date('2031-05-01T10:00:00.000Z');
    const created = await client.createIdToken({
      idToken: 'CRUD-1',
      type: 'ISO14443',
      status: S.AUTHORIZATION_STATUS_ACCEPTED,
      expireTime,
      groupId: 'GROUP-A',
    });
    expect(created.token).toMatchObject({
      idToken: 'CRUD-1',
      type: 'ISO14443',
      status: S.AUTHORIZATION_STATUS_ACCEPTED,
      expireTime,
      groupId: 'GROUP-A',
    });
    expect(created.token?.createTime).toBeInstanceOf(Date);
    expect((await client.getIdToken({ idToken: 'CRUD-1' })).token).toEqual(created.token);

    // Only the status changes; the other fields stay.
    const blocked = await client.updateIdToken({ idToken: 'CRUD-1', status: S.AUTHORIZATION_STATUS_BLOCKED });
    expect(blocked.token).toMatchObject({
      status: S.AUTHORIZATION_STATUS_BLOCKED,
      type: 'ISO14443',
      expireTime,
      groupId: 'GROUP-A',
    });
    // Clearing: type "" = any, group "" = none, clear_expire_time.
    const cleared = await client.updateIdToken({
      idToken: 'CRUD-1',
      type: '',
      groupId: '',
      clearExpireTime: true,
    });
    expect(cleared.token).toMatchObject({
      status: S.AUTHORIZATION_STATUS_BLOCKED,
      type: '',
      groupId: '',
      expireTime: undefined,
    });

    await client.deleteIdToken({ idToken: 'CRUD-1' });
    expect(await rejection(client.getIdToken({ idToken: 'CRUD-1' }))).toMatchObject({
      code: Status.NOT_FOUND,
      reason: 'NOT_FOUND',
      metadata: { resourceType: 'id token' },
    });
    expect((await rejection(client.deleteIdToken({ idToken: 'CRUD-1' }))).code).toBe(Status.NOT_FOUND);
    expect(
      (await rejection(client.updateIdToken({ idToken: 'CRUD-1', status: S.AUTHORIZATION_STATUS_ACCEPTED })))
        .code,
    ).toBe(Status.NOT_FOUND);
  });

  it('defaults the status to Accepted and refuses a duplicate with ALREADY_EXISTS', async () => {
    const created = await client.createIdToken({ idToken: 'DUP-1' });
    expect(created.token?.status).toBe(S.AUTHORIZATION_STATUS_ACCEPTED);
    expect(await rejection(client.createIdToken({ idToken: 'DUP-1' }))).toMatchObject({
      code: Status.ALREADY_EXISTS,
      reason: 'ALREADY_EXISTS',
    });
  });

  it('stores tokens of up to 36 characters (2.0.1) and refuses longer ones', async () => {
    const long = 'L'.repeat(36);
    expect((await client.createIdToken({ idToken: long })).token?.idToken).toBe(long);
    const tooLong = await rejection(client.createIdToken({ idToken: 'L'.repeat(37) }));
    expect(tooLong.code).toBe(Status.INVALID_ARGUMENT);
    expect(fields(tooLong)).toEqual(['id_token']);
  });

  it('answers invalid fields with INVALID_ARGUMENT listing every violation', async () => {
    const bad = await rejection(
      client.createIdToken({
        idToken: '',
        type: 'Badge',
        status: S.AUTHORIZATION_STATUS_CONCURRENT_TX,
        expireTime: new Date('1960-01-01T00:00:00Z'),
        groupId: 'G'.repeat(40),
      }),
    );
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect(fields(bad)).toEqual(['expire_time', 'group_id', 'id_token', 'status', 'type']);
    const unknownEnum = await rejection(
      client.createIdToken({ idToken: 'E-1', status: 42 as authV1.AuthorizationStatus }),
    );
    expect(fields(unknownEnum)).toEqual(['status']);
    const both = await rejection(
      client.updateIdToken({ idToken: 'DUP-1', expireTime: new Date(), clearExpireTime: true }),
    );
    expect(fields(both)).toEqual(['clear_expire_time']);
    const unknownStatus = await rejection(
      client.updateIdToken({ idToken: 'DUP-1', status: S.AUTHORIZATION_STATUS_UNKNOWN }),
    );
    expect(fields(unknownStatus)).toEqual(['status']);
    expect(fields(await rejection(client.getIdToken({ idToken: '' })))).toEqual(['id_token']);
  });

  it('lists a page at a time, filtered by status, group and prefix', async () => {
    for (let i = 0; i < 5; i++)
      await client.createIdToken({
        idToken: `PAGE-${i}`,
        groupId: i % 2 === 0 ? 'EVEN' : 'ODD',
        status: i === 4 ? S.AUTHORIZATION_STATUS_BLOCKED : S.AUTHORIZATION_STATUS_ACCEPTED,
      });
    await client.createIdToken({ idToken: 'PAGE_X' }); // '_' is not a wildcard in the prefix
    const ids = (r: authV1.ListIdTokensResponse) => r.tokens.map((t) => t.idToken);
    const first = await client.listIdTokens({ idTokenPrefix: 'PAGE-', pageSize: 2 });
    expect(ids(first)).toEqual(['PAGE-0', 'PAGE-1']);
    const second = await client.listIdTokens({
      idTokenPrefix: 'PAGE-',
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect(ids(second)).toEqual(['PAGE-2', 'PAGE-3']);
    const third = await client.listIdTokens({
      idTokenPrefix: 'PAGE-',
      pageSize: 2,
      pageToken: second.nextPageToken,
    });
    expect(ids(third)).toEqual(['PAGE-4']);
    expect(third.nextPageToken).toBe('');
    expect(ids(await client.listIdTokens({ idTokenPrefix: 'PAGE_' }))).toEqual(['PAGE_X']);
    expect(ids(await client.listIdTokens({ groupId: 'EVEN' }))).toEqual(['PAGE-0', 'PAGE-2', 'PAGE-4']);
    expect(
      ids(await client.listIdTokens({ groupId: 'EVEN', status: S.AUTHORIZATION_STATUS_ACCEPTED })),
    ).toEqual(['PAGE-0', 'PAGE-2']);
    expect(fields(await rejection(client.listIdTokens({ pageSize: 1001 })))).toEqual(['page_size']);
    expect(fields(await rejection(client.listIdTokens({ pageSize: -1 })))).toEqual(['page_size']);
    expect(fields(await rejection(client.listIdTokens({ pageToken: 'bm90LWEtdG9rZW4' })))).toEqual([
      'page_token',
    ]);
    expect(fields(await rejection(client.listIdTokens({ pageToken: '%%%' })))).toEqual(['page_token']);
  });
});

describe('Authorize', () => {
  beforeAll(async () => {
    await upsertStation(handle.db, { id: 'AUTH-CS1', securityProfile: 0 });
    await upsertStation(handle.db, { id: 'AUTH-CS2', securityProfile: 0 });
    await client.createIdToken({
      idToken: 'AZ-OK',
      groupId: 'AZ-GROUP',
      expireTime: new Date('2040-01-01T00:00:00Z'),
    });
    await client.createIdToken({ idToken: 'AZ-BLOCKED', status: S.AUTHORIZATION_STATUS_BLOCKED });
    await client.createIdToken({ idToken: 'AZ-OLD', expireTime: new Date('2020-01-01T00:00:00Z') });
    await client.createIdToken({ idToken: 'AZ-RFID', type: 'ISO14443' });
    await client.createIdToken({ idToken: 'AZ-BUSY' });
    await handle.db
      .insertInto('transactions')
      .values({
        station_id: 'AUTH-CS1',
        ocpp_version: 'ocpp2.0.1',
        transaction_id: 'TX-BUSY',
        evse_id: 1,
        connector_id: 1,
        id_token: 'AZ-BUSY',
        id_token_type: 'Central',
        state: 'active',
        started_at: new Date(),
        ended_at: null,
        meter_start: 0,
        meter_stop: null,
        stop_reason: null,
        charging_state: null,
        last_seq_no: null,
        remote_start_id: null,
        reservation_id: null,
        start_key: null,
      })
      .execute();
  });

  const authorize = (r: Partial<authV1.AuthorizeRequest>) =>
    client.authorize({ stationId: 'AUTH-CS1', ...r });

  it('accepts a stored token with its expiry and group id', async () => {
    expect(await authorize({ idToken: 'AZ-OK' })).toEqual({
      status: S.AUTHORIZATION_STATUS_ACCEPTED,
      expireTime: new Date('2040-01-01T00:00:00Z'),
      groupId: 'AZ-GROUP',
    });
  });

  it('answers Unknown for an unknown token and for a stored token of another type', async () => {
    expect((await authorize({ idToken: 'AZ-NOBODY' })).status).toBe(S.AUTHORIZATION_STATUS_UNKNOWN);
    expect((await authorize({ idToken: 'AZ-RFID', type: 'KeyCode' })).status).toBe(
      S.AUTHORIZATION_STATUS_UNKNOWN,
    );
    expect((await authorize({ idToken: 'AZ-RFID', type: 'ISO14443' })).status).toBe(
      S.AUTHORIZATION_STATUS_ACCEPTED,
    );
  });

  it('answers Blocked, and Expired once the expiry has passed (at the given time)', async () => {
    expect((await authorize({ idToken: 'AZ-BLOCKED' })).status).toBe(S.AUTHORIZATION_STATUS_BLOCKED);
    expect((await authorize({ idToken: 'AZ-OLD' })).status).toBe(S.AUTHORIZATION_STATUS_EXPIRED);
    expect((await authorize({ idToken: 'AZ-OLD', time: new Date('2019-06-01T00:00:00Z') })).status).toBe(
      S.AUTHORIZATION_STATUS_ACCEPTED,
    );
    expect((await authorize({ idToken: 'AZ-OK', time: new Date('2041-01-01T00:00:00Z') })).status).toBe(
      S.AUTHORIZATION_STATUS_EXPIRED,
    );
  });

  it('answers ConcurrentTx according to the concurrency rule and the excluded transaction', async () => {
    // At the station of its own transaction (to stop it) it is accepted; elsewhere it is concurrent.
    expect((await authorize({ idToken: 'AZ-BUSY' })).status).toBe(S.AUTHORIZATION_STATUS_ACCEPTED);
    expect((await authorize({ idToken: 'AZ-BUSY', stationId: 'AUTH-CS2' })).status).toBe(
      S.AUTHORIZATION_STATUS_CONCURRENT_TX,
    );
    expect((await authorize({ idToken: 'AZ-BUSY', concurrency: Concurrency.CONCURRENCY_ANY })).status).toBe(
      S.AUTHORIZATION_STATUS_CONCURRENT_TX,
    );
    expect(
      (
        await authorize({
          idToken: 'AZ-BUSY',
          concurrency: Concurrency.CONCURRENCY_ANY,
          excludeTransactionId: 'TX-BUSY',
        })
      ).status,
    ).toBe(S.AUTHORIZATION_STATUS_ACCEPTED);
  });

  it('refuses malformed requests with field violations', async () => {
    const bad = await rejection(
      client.authorize({
        idToken: 'X'.repeat(37),
        type: 'Fingerprint',
        stationId: '',
        concurrency: 9 as authV1.Concurrency,
        excludeTransactionId: '',
        time: undefined,
      }),
    );
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect(fields(bad)).toEqual(['concurrency', 'exclude_transaction_id', 'id_token', 'station_id', 'type']);
  });
});

describe('station credentials without a connected station', () => {
  it('sets the security profile, refusing Basic-auth profiles for a station without password', async () => {
    await upsertStation(handle.db, { id: 'SP-1', securityProfile: 0 });
    const refused = await rejection(
      client.setStationSecurityProfile({ stationId: 'SP-1', securityProfile: 1 }),
    );
    expect(refused).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: 'PASSWORD_REQUIRED' });
    await upsertStation(handle.db, { id: 'SP-1', securityProfile: 0, password: 'sixteen-chars-pw-1' });
    expect(await client.setStationSecurityProfile({ stationId: 'SP-1', securityProfile: 2 })).toEqual({
      securityProfile: 2,
      previousSecurityProfile: 0,
    });
    const row = await handle.db
      .selectFrom('stations')
      .select('security_profile')
      .where('id', '=', 'SP-1')
      .executeTakeFirstOrThrow();
    expect(row.security_profile).toBe(2);
    expect(
      fields(await rejection(client.setStationSecurityProfile({ stationId: 'SP-1', securityProfile: 4 }))),
    ).toEqual(['security_profile']);
    expect(
      (await rejection(client.setStationSecurityProfile({ stationId: 'SP-NONE', securityProfile: 0 }))).code,
    ).toBe(Status.NOT_FOUND);
  });

  it('answers FAILED_PRECONDITION OCPP_VERSION_UNKNOWN for a station that never booted, NOT_FOUND for an unknown one', async () => {
    await upsertStation(handle.db, { id: 'NEVER-1', securityProfile: 0 });
    expect(await rejection(client.rotateStationPassword({ stationId: 'NEVER-1' }))).toMatchObject({
      code: Status.FAILED_PRECONDITION,
      reason: 'OCPP_VERSION_UNKNOWN',
    });
    expect(
      await rejection(
        client.sendLocalList({ stationId: 'NEVER-1', updateType: UpdateType.UPDATE_TYPE_FULL, entries: [] }),
      ),
    ).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: 'OCPP_VERSION_UNKNOWN' });
    expect((await rejection(client.getLocalListVersion({ stationId: 'NOPE' }))).code).toBe(Status.NOT_FOUND);
    expect(await client.getLocalList({ stationId: 'NEVER-1' })).toEqual({
      version: 0,
      entries: [],
      updateTime: undefined,
    });
    expect(
      fields(await rejection(client.sendLocalList({ stationId: 'NEVER-1', updateType: 0, entries: [] }))),
    ).toEqual(['update_type']);
  });
});

describe('generated passwords', () => {
  it('are 32 hexadecimal digits for 1.6 and 32 passwordString characters for 2.0.1, each different', () => {
    const v16 = generatePassword('ocpp1.6');
    expect(v16).toMatch(/^[0-9a-f]{32}$/);
    const v201 = generatePassword('ocpp2.0.1');
    expect(v201).toMatch(/^[A-Za-z0-9*\-_=:+|@.]{32}$/);
    expect(passwordProblem('ocpp1.6', v16)).toBeUndefined();
    expect(passwordProblem('ocpp2.0.1', v201)).toBeUndefined();
    expect(new Set(Array.from({ length: 50 }, () => generatePassword('ocpp2.0.1'))).size).toBe(50);
    expect(passwordProblem('ocpp1.6', 'not-hex-not-hex-not-hex-not-hex!')).toBeDefined();
    expect(passwordProblem('ocpp2.0.1', 'short')).toBeDefined();
    expect(passwordProblem('ocpp2.0.1', 'with space in the password')).toBeDefined();
  });
});
