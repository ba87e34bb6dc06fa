/**
 * OCPP 2.0.1 Part 6 §3.4 (C Authorization), CSMS test cases: AuthorizeRequest and the idTokenInfo of
 * TransactionEventResponse for valid, unknown, invalid, blocked and expired tokens, group ids, master pass,
 * and ClearCache.
 */
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted201, Tx201 } from '../support/octt-states.js';
import { addIdToken, connect201, type Station201 } from '../support/scenario.js';

const iso = (idToken: string): V201.IdTokenType => ({ idToken, type: 'ISO14443' });

const VALID = iso('C-VALID-1');
const UNKNOWN = iso('C-NEVER-SEEN');
const INVALID = iso('C-INVALID');
const BLOCKED = iso('C-BLOCKED');
const EXPIRED = iso('C-EXPIRED');
const EXPIRED_BY_DATE = iso('C-EXPIRED-DATE');
const GROUP = 'C-GROUP-1';
const MASTER_GROUP = 'MASTERPASS';
const MASTER = iso('C-MASTER');
const CACHE_EXPIRY = '2030-01-01T00:00:00.000Z';

const SEED = `
idTokens:
  - { idToken: "${VALID.idToken}", type: ISO14443, status: Accepted, expiresAt: "${CACHE_EXPIRY}" }
  - { idToken: "${INVALID.idToken}", type: ISO14443, status: Invalid }
  - { idToken: "${BLOCKED.idToken}", type: ISO14443, status: Blocked }
  - { idToken: "${EXPIRED.idToken}", type: ISO14443, status: Expired }
  - { idToken: "${EXPIRED_BY_DATE.idToken}", type: ISO14443, status: Accepted, expiresAt: "2020-01-01T00:00:00Z" }
  - { idToken: "${MASTER.idToken}", type: ISO14443, status: Accepted, groupId: "${MASTER_GROUP}" }
`;

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms({ seed: SEED });
});
afterAll(() => csms.close());

async function bootedStation(): Promise<Station201> {
  const cs = await connect201(csms);
  expect((await booted201(cs)).status).toBe('Accepted');
  return cs;
}

async function authorize(idToken: V201.IdTokenType): Promise<V201.IdTokenInfoType> {
  const cs = await bootedStation();
  return (await cs.call('Authorize', { idToken })).idTokenInfo;
}

describe('TC_C_02_CSMS: Local start transaction - Authorization Invalid/Unknown', () => {
  it('answers Unknown for an idToken the CSMS does not know', async () => {
    expect(await authorize(UNKNOWN)).toEqual({ status: 'Unknown' });
  });

  it('answers Invalid for an idToken stored as Invalid', async () => {
    expect(await authorize(INVALID)).toEqual({ status: 'Invalid' });
  });

  it('answers Unknown when the stored token has another type (C01.FR.25: idToken and type must match)', async () => {
    expect(await authorize({ idToken: VALID.idToken, type: 'eMAID' })).toEqual({ status: 'Unknown' });
  });
});

describe('TC_C_06_CSMS: Local start transaction - AuthorizationBlocked', () => {
  it('answers Blocked for a blocked idToken', async () => {
    expect(await authorize(BLOCKED)).toEqual({ status: 'Blocked' });
  });
});

describe('TC_C_07_CSMS: Local start transaction - Authorization Expired', () => {
  it('answers Expired for an idToken stored as Expired', async () => {
    expect(await authorize(EXPIRED)).toEqual({ status: 'Expired' });
  });

  it('answers Expired for an Accepted idToken whose expiry date has passed', async () => {
    const info = await authorize(EXPIRED_BY_DATE);
    expect(info.status).toBe('Expired');
  });
});

describe('TC_C_08_CSMS: Authorization through authorization cache - Accepted', () => {
  it('answers the cached idToken in TransactionEventResponse with Accepted', async () => {
    const cs = await bootedStation();
    const tx = new Tx201(cs, { idToken: VALID });
    expect(await tx.evConnectedPreSession()).toEqual({});
    const answer = await tx.event('Authorized', { idToken: VALID });
    expect(tx.sent.at(-1)?.eventType).toBe('Updated');
    // C10.FR.13 / C12: the cache may keep the token until its expiry.
    expect(answer).toEqual({ idTokenInfo: { status: 'Accepted', cacheExpiryDateTime: CACHE_EXPIRY } });
  });
});

describe('TC_C_20_CSMS: Authorization through authorization cache - Invalid', () => {
  it('answers an unknown cached idToken in TransactionEventResponse with Unknown', async () => {
    const cs = await bootedStation();
    const tx = new Tx201(cs, { idToken: UNKNOWN });
    await tx.evConnectedPreSession();
    expect(await tx.event('Authorized', { idToken: UNKNOWN })).toEqual({
      idTokenInfo: { status: 'Unknown' },
    });
  });

  it('answers an invalid cached idToken in TransactionEventResponse with Invalid', async () => {
    const cs = await bootedStation();
    const tx = new Tx201(cs, { idToken: INVALID });
    await tx.evConnectedPreSession();
    expect(await tx.event('Authorized', { idToken: INVALID })).toEqual({
      idTokenInfo: { status: 'Invalid' },
    });
  });
});

describe('TC_C_37_CSMS: Clear Authorization Data in Authorization Cache - Accepted', () => {
  it('sends ClearCacheRequest; the station answers Accepted', async () => {
    const cs = await bootedStation();
    cs.respond('ClearCache', { status: 'Accepted' });
    const outcome = await csms.stations.v201(cs.id, 'ClearCache', {});
    expect(cs.requests('ClearCache')).toEqual([{}]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });
  });
});

describe('TC_C_38_CSMS: Clear Authorization Data in Authorization Cache - Rejected', () => {
  it('sends ClearCacheRequest; the station answers Rejected', async () => {
    const cs = await bootedStation();
    cs.respond('ClearCache', { status: 'Rejected' });
    const outcome = await csms.stations.v201(cs.id, 'ClearCache', {});
    expect(cs.requests('ClearCache')).toEqual([{}]);
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Rejected' } });
  });
});

const groupInfo = { status: 'Accepted', groupIdToken: { idToken: GROUP, type: 'Central' } };

/** Memory State: two valid idTokens with the same GroupId. */
async function groupTokens(): Promise<[V201.IdTokenType, V201.IdTokenType]> {
  const a = await addIdToken(csms, 'C-GRP-A', { type: 'ISO14443', groupId: GROUP });
  const b = await addIdToken(csms, 'C-GRP-B', { type: 'ISO14443', groupId: GROUP });
  return [iso(a), iso(b)];
}

describe('TC_C_39_CSMS: Authorization by GroupId - Success', () => {
  it('answers Accepted with the groupIdToken for both tokens of the group, also when the second one stops', async () => {
    const [GROUP_A, GROUP_B] = await groupTokens();
    const cs = await bootedStation();
    const tx = new Tx201(cs, { idToken: GROUP_A });
    await tx.evConnectedPreSession();
    // Step 1-2
    expect(await cs.call('Authorize', { idToken: GROUP_B })).toEqual({ idTokenInfo: groupInfo });
    // Step 3-4
    expect(await tx.event('Authorized', { idToken: GROUP_A })).toEqual({ idTokenInfo: groupInfo });
    tx.isAuthorized = true;
    // Step 5
    expect(await tx.energyTransferStarted()).toEqual({});
    // Step 6-7: the other member of the group, presented to stop.
    expect(await cs.call('Authorize', { idToken: GROUP_B })).toEqual({ idTokenInfo: groupInfo });
    // Step 8-9
    expect(await tx.stopAuthorized(GROUP_B)).toEqual({ idTokenInfo: groupInfo });
    // Step 10-11
    expect(await tx.evConnectedPostSession()).toEqual({});
    expect(await tx.evDisconnected()).toEqual({});

    const row = await csms.database.db
      .selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', cs.id)
      .executeTakeFirstOrThrow();
    // The transaction stays the one authorized by A; B only stopped it.
    expect(row).toMatchObject({
      transaction_id: tx.transactionId,
      id_token: GROUP_A.idToken,
      state: 'ended',
      stop_reason: 'EVDisconnected',
    });
  });
});

describe('TC_C_40_CSMS: Authorization by Groupid - Success with Local Authorization List', () => {
  it('answers Accepted with the groupIdToken for the starting and the stopping member of the group', async () => {
    const [GROUP_A, GROUP_B] = await groupTokens();
    const cs = await bootedStation();
    const tx = new Tx201(cs, { idToken: GROUP_A });
    await tx.evConnectedPreSession();
    // Step 1-2: authorized from the station's local list, no AuthorizeRequest.
    expect(await tx.event('Authorized', { idToken: GROUP_A })).toEqual({ idTokenInfo: groupInfo });
    tx.isAuthorized = true;
    await tx.energyTransferStarted();
    // Step 5-6
    expect(await tx.stopAuthorized(GROUP_B)).toEqual({ idTokenInfo: groupInfo });
    await tx.evConnectedPostSession();
    await tx.evDisconnected();
  });
});

describe('TC_C_43_CSMS: Authorization by GroupId - Invalid status with Local Authorization List', () => {
  it('answers Accepted with the groupIdToken to the TransactionEvents and the AuthorizeRequest', async () => {
    const [GROUP_A, GROUP_B] = await groupTokens();
    const cs = await bootedStation();
    const tx = new Tx201(cs, { idToken: GROUP_A });
    await tx.evConnectedPreSession();
    expect(await tx.event('Authorized', { idToken: GROUP_A })).toEqual({ idTokenInfo: groupInfo });
    tx.isAuthorized = true;
    await tx.energyTransferStarted();
    expect(await cs.call('Authorize', { idToken: GROUP_B })).toEqual({ idTokenInfo: groupInfo });
    expect(await tx.stopAuthorized(GROUP_B)).toEqual({ idTokenInfo: groupInfo });
    await tx.evConnectedPostSession();
    await tx.evDisconnected();
  });
});

const masterInfo = { status: 'Accepted', groupIdToken: { idToken: MASTER_GROUP, type: 'Central' } };

/** Two transactions in EnergyTransferStarted: EVSE 1 with a valid idToken, EVSE 2 with another one. */
async function twoTransactions(): Promise<{ cs: Station201; tx1: Tx201; tx2: Tx201 }> {
  const cs = await connect201(csms);
  await booted201(cs, [
    [1, 1],
    [2, 1],
  ]);
  const tx1 = new Tx201(cs, {
    evseId: 1,
    idToken: iso(await addIdToken(csms, 'C-MP-1', { type: 'ISO14443' })),
  });
  const tx2 = new Tx201(cs, {
    evseId: 2,
    idToken: iso(await addIdToken(csms, 'C-MP-2', { type: 'ISO14443' })),
  });
  expect((await tx1.authorized()).event).toEqual({ idTokenInfo: { status: 'Accepted' } });
  expect((await tx2.authorized()).event).toEqual({ idTokenInfo: { status: 'Accepted' } });
  await tx1.energyTransferStarted();
  await tx2.energyTransferStarted();
  return { cs, tx1, tx2 };
}

async function endedTransactions(cs: Station201) {
  return csms.database.db
    .selectFrom('transactions')
    .select(['evse_id', 'state', 'stop_reason'])
    .where('station_id', '=', cs.id)
    .orderBy('evse_id')
    .execute();
}

describe('TC_C_47_CSMS: Stop Transaction with a Master Pass - With UI - All transactions', () => {
  it('authorizes the master pass with its group and accepts it ending both transactions', async () => {
    const { cs, tx1, tx2 } = await twoTransactions();
    expect(await cs.call('Authorize', { idToken: MASTER })).toEqual({ idTokenInfo: masterInfo });
    for (const tx of [tx1, tx2]) {
      const answer = await tx.event('StopAuthorized', {
        eventType: 'Ended',
        idToken: MASTER,
        info: { stoppedReason: 'MasterPass' },
      });
      expect(answer).toEqual({ idTokenInfo: masterInfo });
    }
    expect(await endedTransactions(cs)).toEqual([
      { evse_id: 1, state: 'ended', stop_reason: 'MasterPass' },
      { evse_id: 2, state: 'ended', stop_reason: 'MasterPass' },
    ]);
  });
});

describe('TC_C_48_CSMS: Stop Transaction with a Master Pass - With UI - With UI - Specific transactions', () => {
  it('authorizes the master pass with its group and accepts it ending one transaction', async () => {
    const { cs, tx1 } = await twoTransactions();
    expect(await cs.call('Authorize', { idToken: MASTER })).toEqual({ idTokenInfo: masterInfo });
    const answer = await tx1.event('StopAuthorized', {
      eventType: 'Ended',
      idToken: MASTER,
      info: { stoppedReason: 'MasterPass' },
    });
    expect(answer).toEqual({ idTokenInfo: masterInfo });
    expect(await endedTransactions(cs)).toEqual([
      { evse_id: 1, state: 'ended', stop_reason: 'MasterPass' },
      { evse_id: 2, state: 'active', stop_reason: null },
    ]);
  });
});

describe('TC_C_49_CSMS: Stop Transaction with a Master Pass - Without UI', () => {
  it('authorizes the master pass and answers both Ended events', async () => {
    const { cs, tx1, tx2 } = await twoTransactions();
    expect(await cs.call('Authorize', { idToken: MASTER })).toEqual({ idTokenInfo: masterInfo });
    for (const tx of [tx1, tx2]) {
      const answer = await tx.event('StopAuthorized', {
        eventType: 'Ended',
        idToken: tx1.idToken,
        info: { stoppedReason: 'MasterPass' },
      });
      expect(answer).toEqual({ idTokenInfo: { status: 'Accepted' } });
    }
    expect(await endedTransactions(cs)).toEqual([
      { evse_id: 1, state: 'ended', stop_reason: 'MasterPass' },
      { evse_id: 2, state: 'ended', stop_reason: 'MasterPass' },
    ]);
  });
});
