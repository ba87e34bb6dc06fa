/**
 * Set-up shared by the FirmwareService tests: the service on a real gRPC server over an in-memory PGlite database
 * and a MemoryBus, with a stand-in for the stations' actors that answers every command Accepted and records
 * it. The `let` bindings are live: each test file that calls {@link useFirmwareApi} gets its own (vitest runs
 * every file in its own module graph). Only this package's tests import it.
 */
import { MemoryBus, StationApi, Subjects, stationOfSubject, type StationCommand } from '@csms/bus';
import { migrateToLatest, openDatabase, upsertStation, type DatabaseHandle } from '@csms/db';
import {
  connectApi,
  firmwareV1,
  RichClientError,
  startApiServer,
  type ApiConnection,
  type ApiServer,
} from '@csms/grpc';
import { createLogger } from '@csms/telemetry';
import { BadRequest } from 'nice-grpc-error-details';
import { afterAll, beforeAll, expect } from 'vitest';
import { createFirmwareService, type FirmwareApiService } from '../firmware-service.js';

export const { StationStatus, CampaignState, CampaignKind, LogType } = firmwareV1;
export const logger = createLogger({ service: 'firmware-test', level: 'silent' });

export let handle: DatabaseHandle;
export let bus: MemoryBus;
export let service: FirmwareApiService;
export let server: ApiServer;
export let connection: ApiConnection;
export let client: firmwareV1.FirmwareServiceClient;

/** Commands the stations' actors received, and how many were in flight at most at once. */
export const received: { stationId: string; command: StationCommand }[] = [];
/** Answers other than Accepted, by station id: the CALLRESULT payload (the function may act before answering). */
export const answers = new Map<string, (command: StationCommand) => Promise<Record<string, unknown>>>();
export let inFlight = 0;
export let maxInFlight = 0;

export async function rejection(promise: Promise<unknown>): Promise<RichClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RichClientError);
  return error as RichClientError;
}

export function violations(error: RichClientError): { field: string; description: string }[] {
  const badRequest = error.extra.find((d): d is BadRequest => d.$type === BadRequest.$type);
  return (badRequest?.fieldViolations ?? []).map((v) => ({ field: v.field, description: v.description }));
}

export const firmware = (extra: Partial<firmwareV1.FirmwareUpdate> = {}): firmwareV1.FirmwareUpdate => ({
  location: 'https://firmware.example.com/v2.bin',
  retrieveTime: undefined,
  installTime: undefined,
  signingCertificate: '',
  signature: '',
  ...extra,
});

/** Forgets the commands received so far and the in-flight maximum. */
export function resetReceived(): void {
  received.length = 0;
  maxInFlight = 0;
}

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useFirmwareApi(): void {
  beforeAll(async () => {
    handle = await openDatabase({ kind: 'pglite-memory' });
    await migrateToLatest(handle.db);
    for (let i = 0; i < 30; i++)
      await upsertStation(handle.db, { id: `cs-${String(i).padStart(2, '0')}`, securityProfile: 0 });
    await handle.db.updateTable('stations').set({ ocpp_version: 'ocpp2.0.1' }).execute();
    await upsertStation(handle.db, { id: 'cs-v16', securityProfile: 0 });
    await handle.db
      .updateTable('stations')
      .set({ ocpp_version: 'ocpp1.6' })
      .where('id', '=', 'cs-v16')
      .execute();
    await upsertStation(handle.db, { id: 'cs-never-booted', securityProfile: 0 });
    bus = new MemoryBus();
    // Stand-in for the stations' actors on the real bus: answers every command Accepted after a moment.
    await bus.subscribe<StationCommand>(Subjects.commands('*'), async (message) => {
      received.push({ stationId: stationOfSubject(message.subject), command: message.data });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      const answer = answers.get(stationOfSubject(message.subject));
      const payload = answer
        ? await answer(message.data)
        : message.data.action === 'UpdateFirmware' && message.data.payload.requestId === undefined
          ? {}
          : { status: 'Accepted' };
      inFlight--;
      return { status: 'result', payload };
    });
    service = createFirmwareService({
      db: handle.db,
      bus,
      stations: new StationApi(bus),
      logger,
      runner: { resumeIntervalMs: 0 },
    });
    await service.ready;
    server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [service]);
    connection = connectApi({ address: `127.0.0.1:${server.port}` });
    client = connection.client(firmwareV1.FirmwareServiceDefinition);
  });

  afterAll(async () => {
    connection.close();
    await server.stop();
    await service.close();
    await bus.close();
    await handle.close();
  });
}
