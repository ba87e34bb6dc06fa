/**
 * Set-up shared by the TransactionService tests: the service on a real gRPC server over an in-memory PGlite
 * database and a MemoryBus, and request builders. The `let` bindings are live: each test file that calls
 * {@link useTransactionApi} gets its own (vitest runs every file in its own module graph). Only this package's
 * tests import it.
 */
import { MemoryBus, StationApi } from '@csms/bus';
import { migrateToLatest, openDatabase, upsertStation, type DatabaseHandle } from '@csms/db';
import {
  connectApi,
  startApiServer,
  transactionV1,
  type ApiClient,
  type ApiConnection,
  type ApiServer,
} from '@csms/grpc';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll } from 'vitest';
import { createTransactionService } from '../transaction-service.js';

export const { TransactionState: T } = transactionV1;

export let handle: DatabaseHandle;
export let bus: MemoryBus;
export let server: ApiServer;
export let api: ApiConnection;
export let client: ApiClient<typeof transactionV1.TransactionServiceDefinition>;

export const fields = (r: { violations: readonly { field: string }[] }) =>
  r.violations.map((v) => v.field).sort();

export const register = (timestamp: string, wh: number, context = 'Sample.Periodic') => ({
  timestamp,
  sampledValue: [{ value: String(wh), context, measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
});

export const start16 = (
  stationId: string,
  connectorId: number,
  idTag: string,
  timestamp: string,
  meterStart = 100,
) =>
  client.recordStartTransaction16({ stationId, fence: undefined, connectorId, idTag, timestamp, meterStart });

export const event201 = (
  stationId: string,
  transactionId: string,
  seqNo: number,
  extra: Record<string, unknown>,
) =>
  client.recordTransactionEvent201({
    stationId,
    fence: undefined,
    event: {
      eventType: 'Updated',
      timestamp: '2030-01-02T10:00:00.000Z',
      triggerReason: 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId },
      ...extra,
    },
  });

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useTransactionApi(): void {
  beforeAll(async () => {
    handle = await openDatabase({ kind: 'pglite-memory' });
    await migrateToLatest(handle.db);
    for (const id of ['TX-A', 'TX-B', 'TX-C', 'FENCED-1'])
      await upsertStation(handle.db, { id, securityProfile: 0, bootPolicy: null });
    const logger = createLogger({
      service: 'transaction-test',
      level: (process.env.CSMS_TEST_LOG_LEVEL ?? 'silent') as 'silent',
    });
    bus = new MemoryBus();
    server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [
      createTransactionService({ db: handle.db, bus, stations: new StationApi(bus), logger }),
    ]);
    api = connectApi({ address: `127.0.0.1:${server.port}` });
    client = api.client(transactionV1.TransactionServiceDefinition);
  });
  afterAll(async () => {
    api.close();
    await server.stop();
    await bus.close();
    await handle.close();
  });
}
