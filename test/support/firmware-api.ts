/**
 * Set-up shared by the FirmwareService API tests (`test/api/firmware-*.test.ts`): a whole embedded CSMS with the
 * service on a real gRPC server, 1.6 / 2.0.1 stations, and campaign helpers. The `let` bindings are live: each
 * test file that calls {@link useFirmwareApi} gets its own (vitest runs every file in its own module graph).
 */
import { connectApi, firmwareV1, type ApiConnection, type ApiServer, startApiServer } from '@csms/grpc';
import { createFirmwareService, type FirmwareApiService } from '@csms/firmware';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestCsms, type TestCsms } from './csms.js';
import { booted16, booted201 } from './octt-states.js';
import { connect16, connect201, eventually, type Station16, type Station201 } from './scenario.js';

export const { StationStatus: S, CampaignState, LogType } = firmwareV1;
export const FIRMWARE_URL = 'https://firmware.example.com/csms/fw-2.0.bin';
export const LOG_URL = 'ftp://logs.example.com/upload/';
export const CERTIFICATE =
  '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2Vyd\n-----END CERTIFICATE-----';
export const SIGNATURE = 'c2lnbmF0dXJlLW9mLXRoZS1maXJtd2FyZQ==';

export let csms: TestCsms;
export let service: FirmwareApiService;
export let server: ApiServer;
export let api: ApiConnection;
export let client: firmwareV1.FirmwareServiceClient;

export async function station16(): Promise<Station16> {
  const cp = await connect16(csms);
  expect((await booted16(cp)).status).toBe('Accepted');
  return cp;
}

export async function station201(): Promise<Station201> {
  const cs = await connect201(csms);
  expect((await booted201(cs)).status).toBe('Accepted');
  return cs;
}

export function firmware(extra: Partial<firmwareV1.FirmwareUpdate> = {}): firmwareV1.FirmwareUpdate {
  return {
    location: FIRMWARE_URL,
    retrieveTime: undefined,
    installTime: undefined,
    signingCertificate: '',
    signature: '',
    ...extra,
  };
}

export const signed = () => firmware({ signingCertificate: CERTIFICATE, signature: SIGNATURE });

export async function startFirmware(ids: string[], update = firmware(), maxConcurrency = 0): Promise<string> {
  const { campaign } = await client.startFirmwareUpdate({
    stationIds: ids,
    firmware: update,
    maxConcurrency,
  });
  return campaign!.id;
}

export async function startLog(ids: string[], logType: firmwareV1.LogType): Promise<string> {
  const { campaign } = await client.startLogUpload({
    stationIds: ids,
    log: { logType, remoteLocation: LOG_URL, oldestTime: undefined, latestTime: undefined },
    maxConcurrency: 0,
  });
  return campaign!.id;
}

export async function stationsOf(campaignId: string): Promise<Map<string, firmwareV1.CampaignStation>> {
  const { stations } = await client.listCampaignStations({
    campaignId,
    pageSize: 0,
    pageToken: '',
    statuses: [],
  });
  return new Map(stations.map((s) => [s.stationId, s]));
}

export async function rowOf(campaignId: string, stationId: string): Promise<firmwareV1.CampaignStation> {
  return (await stationsOf(campaignId)).get(stationId)!;
}

/** Waits until the station's row has the status (undefined = any) and latest notification given. */
export function reaches(
  campaignId: string,
  stationId: string,
  status: firmwareV1.StationStatus | undefined,
  notification?: string,
) {
  return eventually(async () => {
    const row = await rowOf(campaignId, stationId);
    return (status === undefined || row.status === status) &&
      (notification === undefined || row.notificationStatus === notification)
      ? row
      : undefined;
  });
}

export async function counts(campaignId: string) {
  await service.settled();
  const { campaign } = await client.getCampaign({ id: campaignId });
  return campaign!;
}

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useFirmwareApi(): void {
  beforeAll(async () => {
    // PostgreSQL here (the service's own tests run on PGlite): the claim (FOR UPDATE SKIP LOCKED), the
    // requestId sequence and the lease intervals run on both.
    csms = await startTestCsms({ database: 'postgres' });
    const logger = createLogger({ service: 'firmware-api-test', level: 'silent' });
    service = createFirmwareService({ db: csms.database.db, bus: csms.bus, stations: csms.stations, logger });
    await service.ready;
    server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [service]);
    api = connectApi({ address: `127.0.0.1:${server.port}` });
    client = api.client(firmwareV1.FirmwareServiceDefinition);
  });

  afterAll(async () => {
    api.close();
    await server.stop();
    await service.close();
    await csms.close();
  });
}
