import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../database.js';
import { upsertStation } from '../stations/stations.js';
import { recordMeterValues } from '../transactions/meter-values.js';
import { recordStartTransaction16 } from '../transactions/records-v16.js';
import { authorizeIdToken, type AuthorizeOptions } from './authorization.js';
import { upsertIdToken } from './id-tokens.js';

/** The ConcurrentTx rule as a policy (issue #15): a limit per token (and group), silent transactions ignored. */
describe('ConcurrentTx policy', () => {
  let handle: DatabaseHandle;
  let connector = 0;
  beforeAll(async () => {
    handle = await openDatabase({ kind: 'pglite-memory' });
    await migrateToLatest(handle.db);
    for (const id of ['P-1', 'P-2', 'P-3'])
      await upsertStation(handle.db, { id, securityProfile: 0, bootPolicy: null });
  });
  afterAll(() => handle.close());

  const start = async (stationId: string, idTag: string) => {
    connector += 1;
    return recordStartTransaction16(handle.db, {
      stationId,
      connectorId: connector,
      idTag,
      timestamp: new Date().toISOString(),
      meterStart: 0,
      reservationId: null,
    });
  };
  const options = (policy?: AuthorizeOptions['policy']): AuthorizeOptions => ({
    stationId: 'P-3',
    now: new Date(),
    concurrency: 'any',
    ...(policy ? { policy } : {}),
  });
  const status = async (idToken: string, policy?: AuthorizeOptions['policy']) =>
    (await authorizeIdToken(handle.db, idToken, options(policy))).status;

  it('allows up to maxConcurrentPerToken active transactions (default 1)', async () => {
    await upsertIdToken(handle.db, { idToken: 'LIMIT', status: 'Accepted' });
    await start('P-1', 'LIMIT');
    expect(await status('LIMIT')).toBe('ConcurrentTx');
    expect(await status('LIMIT', { maxConcurrentPerToken: 2 })).toBe('Accepted');
    await start('P-2', 'LIMIT');
    expect(await status('LIMIT', { maxConcurrentPerToken: 2 })).toBe('ConcurrentTx');
    expect(await status('LIMIT', { maxConcurrentPerToken: 3 })).toBe('Accepted');
  });

  it('ignores an active transaction silent for longer than ignoreSilentAfterMs', async () => {
    await upsertIdToken(handle.db, { idToken: 'SILENT', status: 'Accepted' });
    const tx = await start('P-1', 'SILENT');
    const silentRule = { maxConcurrentPerToken: 1, ignoreSilentAfterMs: 60_000 };
    expect(await status('SILENT', silentRule)).toBe('ConcurrentTx');
    await handle.db
      .updateTable('transactions')
      .set({ updated_at: new Date(Date.now() - 120_000) })
      .where('station_id', '=', 'P-1')
      .where('transaction_id', '=', String(tx.transactionId))
      .execute();
    expect(await status('SILENT', silentRule)).toBe('Accepted');
    expect(await status('SILENT')).toBe('ConcurrentTx');
    // A meter value received now is a sign of life again.
    await recordMeterValues(handle.db, {
      stationId: 'P-1',
      v16TransactionId: tx.transactionId,
      evseId: 1,
      connectorId: 1,
      source: 'MeterValues',
      meterValues: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '10' }] }],
    });
    expect(await status('SILENT', silentRule)).toBe('ConcurrentTx');
  });

  it('limits a group only when maxConcurrentPerGroup is set', async () => {
    await upsertIdToken(handle.db, { idToken: 'G-A', status: 'Accepted', groupId: 'FLEET' });
    await upsertIdToken(handle.db, { idToken: 'G-B', status: 'Accepted', groupId: 'FLEET' });
    await start('P-2', 'G-A');
    expect(await status('G-B')).toBe('Accepted');
    expect(await status('G-B', { maxConcurrentPerToken: 1, maxConcurrentPerGroup: 1 })).toBe('ConcurrentTx');
    expect(await status('G-B', { maxConcurrentPerToken: 1, maxConcurrentPerGroup: 2 })).toBe('Accepted');
  });
});
