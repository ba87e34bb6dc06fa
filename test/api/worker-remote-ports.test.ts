/**
 * The distributed wiring of the station actors: a partitioned Worker whose ports are the gRPC clients of
 * remote-ports.ts, against a real AuthService + TransactionService server over the same PostgreSQL
 * database (the actor's transaction and the service's are two connections, as in production). Stations'
 * 1.6 and 2.0.1 transactions end up recorded with the worker's lease epoch, and a stale epoch is refused.
 */
import { createAuthService } from '@csms/auth';
import {
  MemoryBus,
  RemoteHandlerError,
  StationApi,
  Subjects,
  partitionOf,
  type CallOutcome,
  type InboundCall,
} from '@csms/bus';
import { migrateToLatest, openDatabase, upsertIdToken, upsertStation, type DatabaseHandle } from '@csms/db';
import { startApiServer, type ApiServer, type ApiService } from '@csms/grpc';
import { createValidator, type OcppVersion } from '@csms/ocpp';
import { createLogger } from '@csms/telemetry';
import { createTransactionService } from '@csms/transaction';
import { FencedError, remotePorts, Worker, type RemotePorts } from '@csms/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const logger = createLogger({ service: 'remote-ports-test', level: 'silent' });
const EPOCH = '41';

let testDb: TestDatabase;
let handle: DatabaseHandle;
let bus: MemoryBus;
let server: ApiServer;
let remote: RemotePorts;
let worker: Worker;
const fencedPartitions: number[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  handle = await openDatabase({ kind: 'postgres', url: testDb.url });
  await migrateToLatest(handle.db);
  bus = new MemoryBus();
  const stations = new StationApi(bus, { queueWaitMs: 100, timeoutMs: 200 });
  server = await startApiServer(
    { host: '127.0.0.1', port: 0, auth: { kind: 'token', token: 't0ken' }, logger },
    [
      createAuthService({ db: handle.db, stations, logger }),
      counted(createTransactionService({ db: handle.db, bus, stations, logger })),
    ],
  );
  const address = `127.0.0.1:${server.port}`;
  remote = remotePorts({
    authAddress: address,
    transactionAddress: address,
    token: 't0ken',
    deadlineMs: 5_000,
  });
  worker = new Worker({
    bus,
    db: handle.db,
    validator: createValidator(),
    log: logger,
    partitioned: { workerId: 'worker-remote', onFenced: (p) => fencedPartitions.push(p) },
    ports: remote.factory,
  });
  await worker.start();
});
afterAll(async () => {
  await worker.stop();
  remote.close();
  await server.stop();
  await bus.close();
  await handle.close();
  await testDb.drop();
});

/** Calls per RPC method of the transaction service (proves the worker went through gRPC). */
const served = new Map<string, number>();
function counted(service: ApiService): ApiService {
  const implementation = Object.fromEntries(
    Object.entries(service.implementation as Record<string, (...args: unknown[]) => unknown>).map(
      ([name, fn]) => [
        name,
        (...args: unknown[]) => {
          served.set(name, (served.get(name) ?? 0) + 1);
          return fn(...args);
        },
      ],
    ),
  );
  return { ...service, implementation };
}

let messageCounter = 0;
function call(stationId: string, version: OcppVersion, action: string, payload: Record<string, unknown>) {
  const inbound: InboundCall = {
    stationId,
    version,
    connectionId: `conn-${stationId}`,
    edgeId: 'edge-test',
    messageId: `m${++messageCounter}`,
    action,
    payload,
    receivedAt: new Date().toISOString(),
  };
  return bus.request<CallOutcome>(Subjects.inboundCall(stationId), inbound, { timeoutMs: 10_000 });
}

async function ok(stationId: string, version: OcppVersion, action: string, payload: Record<string, unknown>) {
  const outcome = await call(stationId, version, action, payload);
  if (outcome.type !== 'result') throw new Error(`${action}: ${outcome.code} ${outcome.description}`);
  return outcome.payload;
}

async function station(id: string, version: OcppVersion): Promise<void> {
  await upsertStation(handle.db, { id, securityProfile: 0, bootPolicy: null });
  expect(await worker.acquirePartition(partitionOf(id), EPOCH)).toBe(true);
  const boot =
    version === 'ocpp1.6'
      ? { chargePointVendor: 'V', chargePointModel: 'M' }
      : { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } };
  expect(await ok(id, version, 'BootNotification', boot)).toMatchObject({ status: 'Accepted' });
}

const rowsOf = (stationId: string) =>
  handle.db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', stationId)
    .orderBy('id')
    .execute();

describe('a worker with remote ports', () => {
  it('records a 1.6 transaction through the transaction service and authorizes through the auth service', async () => {
    const id = 'REMOTE-16';
    await station(id, 'ocpp1.6');
    await upsertIdToken(handle.db, { idToken: 'REMOTE-TAG', status: 'Accepted', groupId: 'GRP' });
    expect(await ok(id, 'ocpp1.6', 'Authorize', { idTag: 'UNKNOWN-TAG' })).toEqual({
      idTagInfo: { status: 'Invalid' },
    });
    const start = (await ok(id, 'ocpp1.6', 'StartTransaction', {
      connectorId: 1,
      idTag: 'REMOTE-TAG',
      meterStart: 10,
      timestamp: '2030-05-01T10:00:00.000Z',
    })) as { transactionId: number; idTagInfo: unknown };
    expect(start.idTagInfo).toEqual({ status: 'Accepted', parentIdTag: 'GRP' });
    await ok(id, 'ocpp1.6', 'MeterValues', {
      connectorId: 1,
      transactionId: start.transactionId,
      meterValue: [{ timestamp: '2030-05-01T10:10:00.000Z', sampledValue: [{ value: '20' }] }],
    });
    // A retried StartTransaction (lost CALLRESULT) gets the same transactionId.
    const retry = (await ok(id, 'ocpp1.6', 'StartTransaction', {
      connectorId: 1,
      idTag: 'REMOTE-TAG',
      meterStart: 10,
      timestamp: '2030-05-01T10:00:00.000Z',
    })) as { transactionId: number };
    expect(retry.transactionId).toBe(start.transactionId);
    expect(
      await ok(id, 'ocpp1.6', 'StopTransaction', {
        transactionId: start.transactionId,
        meterStop: 30,
        timestamp: '2030-05-01T11:00:00.000Z',
        idTag: 'REMOTE-TAG',
      }),
    ).toEqual({ idTagInfo: { status: 'Accepted', parentIdTag: 'GRP' } });

    expect(Object.fromEntries(served)).toMatchObject({
      recordStartTransaction16: 2,
      recordMeterValues: 1,
      recordStopTransaction16: 1,
    });
    const rows = await rowsOf(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      transaction_id: String(start.transactionId),
      state: 'ended',
      meter_start: 10,
      meter_stop: 30,
      stop_reason: 'Local',
      id_token: 'REMOTE-TAG',
    });
    expect(String(rows[0]!.owner_epoch)).toBe(EPOCH);
    const values = await handle.db
      .selectFrom('meter_values')
      .select(['transaction_ref', 'owner_epoch'])
      .where('station_id', '=', id)
      .execute();
    expect(values.map((v) => [String(v.transaction_ref), String(v.owner_epoch)])).toEqual([
      [String(rows[0]!.id), EPOCH],
    ]);
  });

  it('records a 2.0.1 transaction through the transaction service', async () => {
    const id = 'REMOTE-201';
    await station(id, 'ocpp2.0.1');
    await upsertIdToken(handle.db, { idToken: 'REMOTE-201-TAG', status: 'Accepted' });
    const event = (seqNo: number, eventType: string, extra: Record<string, unknown> = {}) =>
      ok(id, 'ocpp2.0.1', 'TransactionEvent', {
        eventType,
        timestamp: `2030-05-02T10:0${seqNo}:00.000Z`,
        triggerReason: eventType === 'Ended' ? 'StopAuthorized' : 'Authorized',
        seqNo,
        transactionInfo: { transactionId: 'r-201' },
        ...extra,
      });
    expect(
      await event(0, 'Started', {
        idToken: { idToken: 'REMOTE-201-TAG', type: 'ISO14443' },
        evse: { id: 1, connectorId: 1 },
        meterValue: [
          {
            timestamp: '2030-05-02T10:00:00.000Z',
            sampledValue: [{ value: 100, context: 'Transaction.Begin' }],
          },
        ],
      }),
    ).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(
      await event(1, 'Ended', { transactionInfo: { transactionId: 'r-201', stoppedReason: 'Local' } }),
    ).toEqual({});
    expect(served.get('recordTransactionEvent201')).toBe(2);
    const rows = await rowsOf(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      transaction_id: 'r-201',
      state: 'ended',
      meter_start: 100,
      last_seq_no: 1,
    });
    expect(String(rows[0]!.owner_epoch)).toBe(EPOCH);
    const events = await handle.db
      .selectFrom('transaction_events')
      .select('owner_epoch')
      .where('station_id', '=', id)
      .execute();
    expect(events.map((e) => String(e.owner_epoch))).toEqual([EPOCH, EPOCH]);
  });

  it('refuses record calls with a stale epoch: FENCED becomes FencedError and nothing is written', async () => {
    const id = 'REMOTE-FENCED';
    await upsertStation(handle.db, { id, securityProfile: 0, bootPolicy: null });
    const partition = partitionOf(id);
    const { transactions } = remote.factory({
      db: handle.db,
      stationId: id,
      fence: { partition, epoch: '1' },
    });
    const start = {
      stationId: id,
      connectorId: 1,
      idTag: 'X',
      timestamp: '2030-05-03T10:00:00.000Z',
      meterStart: 0,
      reservationId: null,
    };
    await expect(transactions.recordStartTransaction16(start)).rejects.toBeInstanceOf(FencedError);
    await expect(
      transactions.recordMeterValues({
        stationId: id,
        evseId: 1,
        connectorId: 1,
        source: 'MeterValues',
        meterValues: [{ timestamp: '2030-05-03T10:00:00.000Z', sampledValue: [{ value: '1' }] }],
      }),
    ).rejects.toBeInstanceOf(FencedError);
    // A worker that no longer holds the partition (no epoch) is refused without a call.
    const released = remote.factory({ db: handle.db, stationId: id, fence: { partition, epoch: undefined } });
    await expect(released.transactions.recordStartTransaction16(start)).rejects.toBeInstanceOf(FencedError);
    expect(await rowsOf(id)).toEqual([]);
    const values = await handle.db
      .selectFrom('meter_values')
      .select('id')
      .where('station_id', '=', id)
      .execute();
    expect(values).toEqual([]);
  });

  it('gives no answer once a newer owner holds the partition, and writes nothing', async () => {
    const id = 'REMOTE-16';
    const partition = partitionOf(id);
    // A newer owner raised the fence (this worker's lease lapsed while it was paused).
    await handle.db
      .updateTable('partition_fences')
      .set({ epoch: String(Number(EPOCH) + 1), owner: 'worker-next' })
      .where('partition', '=', partition)
      .execute();
    const before = await rowsOf(id);
    await expect(
      call(id, 'ocpp1.6', 'StartTransaction', {
        connectorId: 2,
        idTag: 'REMOTE-TAG',
        meterStart: 0,
        timestamp: '2030-05-04T10:00:00.000Z',
      }),
    ).rejects.toBeInstanceOf(RemoteHandlerError);
    expect(fencedPartitions).toContain(partition);
    expect(await rowsOf(id)).toEqual(before);
  });

  it('answers InternalError when the transaction service is unreachable (the station retries)', async () => {
    const id = 'REMOTE-UNREACHABLE';
    await upsertStation(handle.db, { id, securityProfile: 0, bootPolicy: null });
    const otherBus = new MemoryBus();
    const nowhere = remotePorts({
      authAddress: '127.0.0.1:1',
      transactionAddress: '127.0.0.1:1',
      deadlineMs: 500,
    });
    const lonely = new Worker({
      bus: otherBus,
      db: handle.db,
      validator: createValidator(),
      log: logger,
      ports: nowhere.factory,
    });
    await lonely.start();
    try {
      const send = (action: string, payload: Record<string, unknown>) =>
        otherBus.request<CallOutcome>(
          Subjects.inboundCall(id),
          {
            stationId: id,
            version: 'ocpp1.6',
            connectionId: 'c',
            edgeId: 'e',
            messageId: `u${++messageCounter}`,
            action,
            payload,
            receivedAt: new Date().toISOString(),
          } satisfies InboundCall,
          { timeoutMs: 10_000 },
        );
      expect((await send('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).type).toBe(
        'result',
      );
      const outcome = await send('StartTransaction', {
        connectorId: 1,
        idTag: 'REMOTE-TAG',
        meterStart: 0,
        timestamp: '2030-05-05T10:00:00.000Z',
      });
      expect(outcome).toMatchObject({ type: 'error', code: 'InternalError' });
      expect(await rowsOf(id)).toEqual([]);
    } finally {
      await lonely.stop();
      nowhere.close();
      await otherBus.close();
    }
  });
});
