/**
 * Tariffs with the distributed wiring of the station actors (CSMS_WORKER_DOMAINS=grpc): a partitioned Worker whose
 * transaction recording goes over gRPC to a real TransactionService (another connection to the same PostgreSQL
 * database, as in production) while the worker reads the recorded transaction and the tariff, stores the final cost
 * and queues the running cost in its own fenced transaction. The Ended event's answer carries totalCost, an Updated
 * event with meter values leaves a CostUpdated in the station's command queue, and the cost is stored once.
 */
import { createAuthService } from '@csms/auth';
import { MemoryBus, StationApi, Subjects, partitionOf, type CallOutcome, type InboundCall } from '@csms/bus';
import {
  createTariff,
  findTransactionCost,
  findTransactionRow,
  listStationQueuedCommands,
  migrateToLatest,
  openDatabase,
  upsertIdToken,
  upsertStation,
  type DatabaseHandle,
} from '@csms/db';
import { startApiServer, type ApiServer } from '@csms/grpc';
import { createValidator } from '@csms/ocpp';
import { createLogger } from '@csms/telemetry';
import { createTransactionService } from '@csms/transaction';
import { remotePorts, Worker, type RemotePorts } from '@csms/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const logger = createLogger({ service: 'tariffs-remote-test', level: 'silent' });
const EPOCH = '7';
const STATION = 'TARIFF-REMOTE';

let testDb: TestDatabase;
let handle: DatabaseHandle;
let bus: MemoryBus;
let server: ApiServer;
let remote: RemotePorts;
let worker: Worker;

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
      createTransactionService({ db: handle.db, bus, stations, logger }),
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
    partitioned: { workerId: 'worker-tariffs', onFenced: () => undefined },
    ports: remote.factory,
  });
  await worker.start();
  await upsertStation(handle.db, { id: STATION, securityProfile: 0, bootPolicy: null });
  expect(await worker.acquirePartition(partitionOf(STATION), EPOCH)).toBe(true);
});
afterAll(async () => {
  await worker.stop();
  remote.close();
  await server.stop();
  await bus.close();
  await handle.close();
  await testDb.drop();
});

let messageCounter = 0;
async function ok(action: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  const inbound: InboundCall = {
    stationId: STATION,
    version: 'ocpp2.0.1',
    connectionId: `conn-${STATION}`,
    edgeId: 'edge-test',
    messageId: `m${++messageCounter}`,
    action,
    payload,
    receivedAt: new Date().toISOString(),
  };
  const outcome = await bus.request<CallOutcome>(Subjects.inboundCall(STATION), inbound, {
    timeoutMs: 10_000,
  });
  if (outcome.type !== 'result') throw new Error(`${action}: ${outcome.code} ${outcome.description}`);
  return outcome.payload;
}

const reading = (wh: number, timestamp: string) => ({
  timestamp,
  sampledValue: [{ value: wh, context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register' }],
});

describe('tariffs with a worker whose ports are remote', () => {
  it('answers totalCost, queues CostUpdated and stores the final cost', async () => {
    expect(
      await ok('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } }),
    ).toMatchObject({ status: 'Accepted' });
    await upsertIdToken(handle.db, { idToken: 'REMOTE-FLEET', status: 'Accepted', groupId: 'FLEET-R' });
    await createTariff(handle.db, {
      id: 'remote-fleet',
      currency: 'EUR',
      pricePerKwh: 0.2,
      pricePerHour: 0,
      flatFee: 1,
      taxRatePercent: 0,
      displayText: 'fleet',
      displayTexts: {},
      stationId: null,
      evseId: null,
      idTokenGroup: 'FLEET-R',
    });
    const event = (
      seqNo: number,
      eventType: string,
      timestamp: string,
      extra: Record<string, unknown> = {},
    ) =>
      ok('TransactionEvent', {
        eventType,
        timestamp,
        triggerReason: eventType === 'Ended' ? 'EVCommunicationLost' : 'MeterValuePeriodic',
        seqNo,
        transactionInfo: { transactionId: 'remote-tx' },
        ...extra,
      });
    expect(
      await event(0, 'Started', '2030-06-01T10:00:00.000Z', {
        triggerReason: 'Authorized',
        idToken: { idToken: 'REMOTE-FLEET', type: 'ISO14443' },
        evse: { id: 1, connectorId: 1 },
        meterValue: [reading(2000, '2030-06-01T10:00:00.000Z')],
      }),
    ).toMatchObject({ idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FLEET-R' } } });
    // The Updated event does not carry the token: its group is looked up. 1.00 + 5 kWh × 0.20 = 2.00.
    expect(
      await event(1, 'Updated', '2030-06-01T10:20:00.000Z', {
        meterValue: [reading(7000, '2030-06-01T10:20:00.000Z')],
      }),
    ).toEqual({});
    const queued = await listStationQueuedCommands(handle.db, STATION);
    expect(queued.filter((q) => q.action === 'CostUpdated').map((q) => q.payload)).toEqual([
      { totalCost: 2, transactionId: 'remote-tx' },
    ]);
    // 1.00 + 10 kWh × 0.20 = 3.00.
    expect(
      await event(2, 'Ended', '2030-06-01T10:40:00.000Z', {
        meterValue: [reading(12_000, '2030-06-01T10:40:00.000Z')],
      }),
    ).toEqual({
      totalCost: 3,
    });
    const row = await findTransactionRow(handle.db, { stationId: STATION, transactionId: 'remote-tx' });
    expect(String(row?.owner_epoch)).toBe(EPOCH);
    const cost = await findTransactionCost(handle.db, row!.id);
    expect(cost).toMatchObject({ tariff_id: 'remote-fleet', energy_wh: 10_000, duration_s: 2400 });
    expect(Number(cost?.total)).toBe(3);
  });
});
