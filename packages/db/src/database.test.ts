import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from './database.js';
import {
  checkStationPassword,
  findStation,
  upsertStation,
  autoRegisterStation,
} from './stations/stations.js';
import { findIdToken, upsertIdToken } from './id-tokens/id-tokens.js';
import { hashPassword, verifyPassword } from './stations/password.js';

describe('password hashing', () => {
  it('verifies the right password only', async () => {
    const hash = await hashPassword('s3cret-passw0rd');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('s3cret-passw0rd', hash)).toBe(true);
    expect(await verifyPassword('wrong', hash)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
    expect(await hashPassword('same')).not.toBe(await hashPassword('same')); // salted
  });
});

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

describe.each([['postgres'], ['pglite-memory']] as const)('database on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });

  it('migrates idempotently', async () => {
    const again = await migrateToLatest(handle.db);
    expect(again.results).toEqual([]);
  });

  it('registers stations idempotently and checks passwords', async () => {
    await upsertStation(handle.db, {
      id: 'CP.1',
      password: 'pw-0123456789abcdef',
      securityProfile: 1,
      bootPolicy: 'Pending',
    });
    await upsertStation(handle.db, { id: 'CP.1', securityProfile: 2 }); // keeps password and policy
    const s = await findStation(handle.db, 'CP.1');
    expect(s).toMatchObject({
      id: 'CP.1',
      security_profile: 2,
      boot_policy: 'Pending',
      auto_registered: false,
    });
    expect(await checkStationPassword(handle.db, 'CP.1', 'pw-0123456789abcdef')).toMatchObject({ ok: true });
    expect(await checkStationPassword(handle.db, 'CP.1', 'nope')).toEqual({
      ok: false,
      reason: 'bad-password',
    });
    expect(await checkStationPassword(handle.db, 'CP.2', 'x')).toEqual({
      ok: false,
      reason: 'unknown-station',
    });
    await autoRegisterStation(handle.db, 'CP.1', 0); // exists: untouched
    expect((await findStation(handle.db, 'CP.1'))?.auto_registered).toBe(false);
    await autoRegisterStation(handle.db, 'CP.3', 0);
    expect(await findStation(handle.db, 'CP.3')).toMatchObject({
      auto_registered: true,
      security_profile: 0,
    });
  });

  it('stores id tokens with expiry and group', async () => {
    const expires = new Date('2030-01-01T00:00:00Z');
    await upsertIdToken(handle.db, {
      idToken: 'TAG1',
      status: 'Accepted',
      expiresAt: expires,
      groupId: 'G1',
    });
    await upsertIdToken(handle.db, { idToken: 'TAG1', status: 'Blocked', expiresAt: expires, groupId: 'G1' });
    const t = await findIdToken(handle.db, 'TAG1');
    expect(t).toMatchObject({ status: 'Blocked', group_id: 'G1' });
    expect(t?.expires_at?.toISOString()).toBe(expires.toISOString());
  });
});

describe('bigint columns', () => {
  it('come back as strings on PGlite, as on pg', async () => {
    const handle = await openDatabase({ kind: 'pglite-memory' });
    try {
      await migrateToLatest(handle.db);
      await upsertStation(handle.db, { id: 'S', securityProfile: 0 });
      const row = await handle.db
        .insertInto('transactions')
        .values({
          station_id: 'S',
          ocpp_version: 'ocpp2.0.1',
          transaction_id: 't1',
          evse_id: null,
          connector_id: null,
          id_token: null,
          id_token_type: null,
          state: 'active',
          started_at: null,
          ended_at: null,
          meter_start: null,
          meter_stop: null,
          stop_reason: null,
          charging_state: null,
          last_seq_no: null,
          remote_start_id: null,
          reservation_id: null,
          start_key: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect(typeof row.id).toBe('string');
    } finally {
      await handle.close();
    }
  });
});

describe('password normalisation', () => {
  it('compares hexadecimal keys case-insensitively, other passwords exactly', async () => {
    const hex = await hashPassword('0123456789abcdef0123456789abcdef01234567');
    expect(await verifyPassword('0123456789ABCDEF0123456789ABCDEF01234567', hex)).toBe(true);
    const text = await hashPassword('Secret-Password-16');
    expect(await verifyPassword('secret-password-16', text)).toBe(false);
  });
});
