import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import {
  claimQueuedCommand,
  enqueueCommand,
  expireQueuedCommands,
  failInterruptedDeliveries,
  findQueuedCommand,
  finishQueuedCommand,
  hasPendingQueuedCommands,
  listStationQueuedCommands,
  nextQueuedCommand,
  requeueCommand,
  type NewQueuedCommand,
} from './queued-commands.js';
import { upsertStation } from '../stations/stations.js';

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each([['postgres'], ['pglite-memory']] as const)('queued commands on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });

  function command(stationId: string, extra: Partial<NewQueuedCommand> = {}): NewQueuedCommand {
    return {
      stationId,
      action: 'ClearCache',
      payload: {},
      ocppVersion: 'ocpp2.0.1',
      ttlMs: 60_000,
      limit: 2,
      ...extra,
    };
  }

  async function queued(stationId: string, extra: Partial<NewQueuedCommand> = {}): Promise<string> {
    const result = await enqueueCommand(handle.db, command(stationId, extra));
    if (!result.queued) throw new Error(`not queued: ${result.reason}`);
    return result.row.id;
  }

  it('queues up to the limit of unexpired commands per station, for known stations only', async () => {
    await upsertStation(handle.db, { id: 'Q-LIMIT', securityProfile: 0 });
    await upsertStation(handle.db, { id: 'Q-OTHER', securityProfile: 0 });
    expect(await enqueueCommand(handle.db, command('Q-UNKNOWN'))).toEqual({
      queued: false,
      reason: 'unknown-station',
    });
    const first = await enqueueCommand(handle.db, command('Q-LIMIT', { timeoutMs: 900 }));
    expect(first).toMatchObject({
      queued: true,
      row: {
        station_id: 'Q-LIMIT',
        action: 'ClearCache',
        payload: {},
        ocpp_version: 'ocpp2.0.1',
        timeout_ms: 900,
        status: 'queued',
        outcome: null,
      },
    });
    expect((await enqueueCommand(handle.db, command('Q-LIMIT'))).queued).toBe(true);
    expect(await enqueueCommand(handle.db, command('Q-LIMIT'))).toEqual({
      queued: false,
      reason: 'queue-full',
    });
    // Another station has its own bound.
    expect((await enqueueCommand(handle.db, command('Q-OTHER'))).queued).toBe(true);
  });

  it('does not count expired commands against the limit', async () => {
    await upsertStation(handle.db, { id: 'Q-EXP-LIMIT', securityProfile: 0 });
    await queued('Q-EXP-LIMIT', { ttlMs: 1 });
    await queued('Q-EXP-LIMIT', { ttlMs: 1 });
    await sleep(10);
    expect((await enqueueCommand(handle.db, command('Q-EXP-LIMIT'))).queued).toBe(true);
  });

  it('claims a command atomically, once, and only from queued', async () => {
    await upsertStation(handle.db, { id: 'Q-CLAIM', securityProfile: 0 });
    const a = await queued('Q-CLAIM', { limit: 10 });
    const b = await queued('Q-CLAIM', { limit: 10 });
    expect((await nextQueuedCommand(handle.db, 'Q-CLAIM'))?.id).toBe(a);
    const claims = await Promise.all([claimQueuedCommand(handle.db, a), claimQueuedCommand(handle.db, a)]);
    expect(claims.map((c) => c?.status)).toEqual(
      claims[0] ? ['delivering', undefined] : [undefined, 'delivering'],
    );
    expect((await nextQueuedCommand(handle.db, 'Q-CLAIM'))?.id).toBe(b);
    // Finished once: a second finish, a requeue and a claim of a finished command change nothing.
    expect(
      await finishQueuedCommand(handle.db, a, 'done', { status: 'result', payload: { status: 'Accepted' } }),
    ).toBe(true);
    expect(await finishQueuedCommand(handle.db, a, 'failed', { status: 'timeout' })).toBe(false);
    expect(await requeueCommand(handle.db, a)).toBe(false);
    expect(await claimQueuedCommand(handle.db, a)).toBeUndefined();
    expect(await findQueuedCommand(handle.db, a)).toMatchObject({
      status: 'done',
      outcome: { status: 'result', payload: { status: 'Accepted' } },
    });
    // Requeue puts a claimed command back at its place in the order.
    expect((await claimQueuedCommand(handle.db, b))?.id).toBe(b);
    expect(await nextQueuedCommand(handle.db, 'Q-CLAIM')).toBeUndefined();
    expect(await requeueCommand(handle.db, b)).toBe(true);
    expect((await nextQueuedCommand(handle.db, 'Q-CLAIM'))?.id).toBe(b);
    expect((await listStationQueuedCommands(handle.db, 'Q-CLAIM')).map((r) => [r.id, r.status])).toEqual([
      [a, 'done'],
      [b, 'queued'],
    ]);
    expect(await listStationQueuedCommands(handle.db, 'Q-NOTHING')).toEqual([]);
  });

  it('expires due commands (never claimable) and fails interrupted deliveries', async () => {
    await upsertStation(handle.db, { id: 'Q-EXPIRE', securityProfile: 0 });
    const due = await queued('Q-EXPIRE', { ttlMs: 1, limit: 10 });
    const live = await queued('Q-EXPIRE', { limit: 10 });
    const delivering = await queued('Q-EXPIRE', { limit: 10 });
    await claimQueuedCommand(handle.db, delivering);
    await sleep(10);
    expect(await claimQueuedCommand(handle.db, due)).toBeUndefined();
    expect((await nextQueuedCommand(handle.db, 'Q-EXPIRE'))?.id).toBe(live);
    expect((await expireQueuedCommands(handle.db, 'Q-EXPIRE')).map((r) => r.id)).toEqual([due]);
    expect(await expireQueuedCommands(handle.db, 'Q-EXPIRE')).toEqual([]);
    expect(await hasPendingQueuedCommands(handle.db, 'Q-EXPIRE')).toBe(true);
    const failed = await failInterruptedDeliveries(handle.db, 'Q-EXPIRE', { status: 'timeout' });
    expect(failed.map((r) => [r.id, r.status, r.outcome])).toEqual([
      [delivering, 'failed', { status: 'timeout' }],
    ]);
    expect((await findQueuedCommand(handle.db, due))?.status).toBe('expired');
    expect((await findQueuedCommand(handle.db, live))?.status).toBe('queued');
    expect(await hasPendingQueuedCommands(handle.db, 'Q-EXPIRE')).toBe(true);
    await claimQueuedCommand(handle.db, live);
    await finishQueuedCommand(handle.db, live, 'failed', { status: 'offline' });
    expect(await hasPendingQueuedCommands(handle.db, 'Q-EXPIRE')).toBe(false);
    expect(await hasPendingQueuedCommands(handle.db, 'Q-NOTHING')).toBe(false);
  });

  it('marks a due command expired when it is read, and finds nothing for unknown or malformed ids', async () => {
    await upsertStation(handle.db, { id: 'Q-READ', securityProfile: 0 });
    const id = await queued('Q-READ', { ttlMs: 1 });
    await sleep(10);
    expect(await findQueuedCommand(handle.db, id)).toMatchObject({ id, status: 'expired', outcome: null });
    for (const bad of ['0', '-1', 'abc', '1.5', '01', '9223372036854775808', '99999999999999999999', ''])
      expect(await findQueuedCommand(handle.db, bad)).toBeUndefined();
    expect(await findQueuedCommand(handle.db, '9223372036854775807')).toBeUndefined();
  });
});

// Concurrent transactions need a pool of connections (PGlite has one).
describe('queued commands on postgres, concurrently', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openDatabase({ kind: 'postgres', url: pgDb.url });
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });
  const command: NewQueuedCommand = {
    stationId: 'Q-RACE',
    action: 'ClearCache',
    payload: {},
    ocppVersion: 'ocpp2.0.1',
    ttlMs: 60_000,
    limit: 2,
  };

  it('serialises concurrent enqueues of a station, so the limit holds', async () => {
    await upsertStation(handle.db, { id: 'Q-RACE', securityProfile: 0 });
    expect((await enqueueCommand(handle.db, command)).queued).toBe(true);
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const didInsert = new Promise<void>((r) => (inserted = r));
    // A second enqueue starts while the first one's transaction is still open.
    const first = handle.db.transaction().execute(async (trx) => {
      const r = await enqueueCommand(trx, command);
      inserted();
      await hold;
      return r;
    });
    await didInsert;
    const second = enqueueCommand(handle.db, command);
    await sleep(100);
    release();
    expect((await first).queued).toBe(true);
    expect(await second).toEqual({ queued: false, reason: 'queue-full' });
  });
});
