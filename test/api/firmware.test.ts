/**
 * csms.firmware.v1.FirmwareService against a whole embedded CSMS: real gRPC, real OCPP stations (ocpp-rpc in
 * strict mode, so every command the campaign sends is schema-checked by the station) of both versions. The
 * stations answer UpdateFirmware / SignedUpdateFirmware / GetLog / GetDiagnostics and then send their status
 * notifications; the campaign's per-station rows and counts must follow. The OCTT-named cases replay the
 * tool's steps (1.6 TestCaseDocument §3.15-3.16 and §3.21, 2.0.1 Part 6 L01 / N01) with the campaign API as
 * the CSMS operator.
 */
import {
  connectApi,
  firmwareV1,
  Status,
  type ApiConnection,
  type ApiServer,
  startApiServer,
} from '@csms/grpc';
import { createFirmwareService, type FirmwareApiService } from '@csms/firmware';
import type { V16, V201 } from '@csms/ocpp';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted16, booted201, notifyConnector, statusNotification16 } from '../support/octt-states.js';
import { connect16, connect201, eventually, type Station16, type Station201 } from '../support/scenario.js';

const { StationStatus: S, CampaignState, LogType } = firmwareV1;
const FIRMWARE_URL = 'https://firmware.example.com/csms/fw-2.0.bin';
const LOG_URL = 'ftp://logs.example.com/upload/';
const CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2Vyd\n-----END CERTIFICATE-----';
const SIGNATURE = 'c2lnbmF0dXJlLW9mLXRoZS1maXJtd2FyZQ==';

let csms: TestCsms;
let service: FirmwareApiService;
let server: ApiServer;
let api: ApiConnection;
let client: firmwareV1.FirmwareServiceClient;

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

async function station16(): Promise<Station16> {
  const cp = await connect16(csms);
  expect((await booted16(cp)).status).toBe('Accepted');
  return cp;
}

async function station201(): Promise<Station201> {
  const cs = await connect201(csms);
  expect((await booted201(cs)).status).toBe('Accepted');
  return cs;
}

function firmware(extra: Partial<firmwareV1.FirmwareUpdate> = {}): firmwareV1.FirmwareUpdate {
  return {
    location: FIRMWARE_URL,
    retrieveTime: undefined,
    installTime: undefined,
    signingCertificate: '',
    signature: '',
    ...extra,
  };
}

const signed = () => firmware({ signingCertificate: CERTIFICATE, signature: SIGNATURE });

async function startFirmware(ids: string[], update = firmware(), maxConcurrency = 0): Promise<string> {
  const { campaign } = await client.startFirmwareUpdate({
    stationIds: ids,
    firmware: update,
    maxConcurrency,
  });
  return campaign!.id;
}

async function startLog(ids: string[], logType: firmwareV1.LogType): Promise<string> {
  const { campaign } = await client.startLogUpload({
    stationIds: ids,
    log: { logType, remoteLocation: LOG_URL, oldestTime: undefined, latestTime: undefined },
    maxConcurrency: 0,
  });
  return campaign!.id;
}

async function stationsOf(campaignId: string): Promise<Map<string, firmwareV1.CampaignStation>> {
  const { stations } = await client.listCampaignStations({
    campaignId,
    pageSize: 0,
    pageToken: '',
    statuses: [],
  });
  return new Map(stations.map((s) => [s.stationId, s]));
}

async function rowOf(campaignId: string, stationId: string): Promise<firmwareV1.CampaignStation> {
  return (await stationsOf(campaignId)).get(stationId)!;
}

/** Waits until the station's row has the status (undefined = any) and latest notification given. */
function reaches(
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

async function counts(campaignId: string) {
  await service.settled();
  const { campaign } = await client.getCampaign({ id: campaignId });
  return campaign!;
}

describe('FirmwareService campaign over 1.6 and 2.0.1 stations', () => {
  it('sends per version, reports offline and unknown stations, counts progress and completes', async () => {
    const cp = await station16();
    const cs = await station201();
    const gone = await station201();
    await gone.close();
    await eventually(
      async () => (await csms.stations.call(gone.id, 'Reset', { type: 'Immediate' })).status === 'offline',
    );
    cp.respond('UpdateFirmware', {});
    cs.respond('UpdateFirmware', { status: 'Accepted' });
    const id = await startFirmware(
      [cp.id, cs.id, gone.id, 'NEVER-SEEN'],
      firmware({ retries: 3, retryIntervalSeconds: 30 }),
    );
    await service.settled();

    expect(cp.requests('UpdateFirmware')).toEqual([
      { location: FIRMWARE_URL, retrieveDate: expect.any(String) as string, retries: 3, retryInterval: 30 },
    ]);
    const [request201] = cs.requests('UpdateFirmware');
    expect(request201).toEqual({
      requestId: expect.any(Number) as number,
      retries: 3,
      retryInterval: 30,
      firmware: { location: FIRMWARE_URL, retrieveDateTime: expect.any(String) as string },
    });
    let rows = await stationsOf(id);
    expect([...rows.values()].map((r) => [r.stationId, r.status, r.reason, r.action])).toEqual([
      [cp.id, S.STATION_STATUS_ACCEPTED, '', 'UpdateFirmware'],
      [cs.id, S.STATION_STATUS_ACCEPTED, '', 'UpdateFirmware'],
      [gone.id, S.STATION_STATUS_OFFLINE, 'the station is not connected', 'UpdateFirmware'],
      ['NEVER-SEEN', S.STATION_STATUS_FAILED, 'unknown station', ''],
    ]);
    expect(rows.get(cs.id)!.requestId).toBe(request201!.requestId);
    let campaign = await counts(id);
    expect(campaign.statusCounts).toEqual([
      { status: S.STATION_STATUS_ACCEPTED, count: 2 },
      { status: S.STATION_STATUS_OFFLINE, count: 1 },
      { status: S.STATION_STATUS_FAILED, count: 1 },
    ]);
    expect(campaign).toMatchObject({
      doneCount: 2,
      stationCount: 4,
      state: CampaignState.CAMPAIGN_STATE_RUNNING,
    });

    await cp.call('FirmwareStatusNotification', { status: 'Downloading' });
    await cs.call('FirmwareStatusNotification', { status: 'Downloading', requestId: request201!.requestId });
    await reaches(id, cs.id, S.STATION_STATUS_ACCEPTED, 'Downloading');
    rows = await stationsOf(id);
    expect(rows.get(cp.id)).toMatchObject({
      notificationStatus: 'Downloading',
      notificationTime: expect.any(Date) as Date,
    });
    // Another request id on the 2.0.1 station is not this campaign's.
    await cs.call('FirmwareStatusNotification', {
      status: 'DownloadFailed',
      requestId: request201!.requestId + 100000,
    });
    await cp.call('FirmwareStatusNotification', { status: 'Installed' });
    await reaches(id, cp.id, S.STATION_STATUS_SUCCEEDED, 'Installed');
    expect((await rowOf(id, cs.id)).status).toBe(S.STATION_STATUS_ACCEPTED);
    campaign = await counts(id);
    expect(campaign.state).toBe(CampaignState.CAMPAIGN_STATE_RUNNING);

    await cs.call('FirmwareStatusNotification', {
      status: 'InstallationFailed',
      requestId: request201!.requestId,
    });
    await reaches(id, cs.id, S.STATION_STATUS_FAILED, 'InstallationFailed');
    campaign = await eventually(async () => {
      const c = await counts(id);
      return c.state === CampaignState.CAMPAIGN_STATE_COMPLETED ? c : undefined;
    });
    expect(campaign.statusCounts).toEqual([
      { status: S.STATION_STATUS_OFFLINE, count: 1 },
      { status: S.STATION_STATUS_FAILED, count: 2 },
      { status: S.STATION_STATUS_SUCCEEDED, count: 1 },
    ]);
    expect(campaign.doneCount).toBe(4);
    expect(campaign.completeTime).toBeInstanceOf(Date);
    const failed = await client.listCampaignStations({
      campaignId: id,
      pageSize: 0,
      pageToken: '',
      statuses: [S.STATION_STATUS_FAILED],
    });
    expect(failed.stations.map((s) => [s.stationId, s.reason])).toEqual([
      [cs.id, 'InstallationFailed'],
      ['NEVER-SEEN', 'unknown station'],
    ]);
  });

  it('cancels: stations not reached yet are not sent to; those reached keep reporting', async () => {
    const cp = await station16();
    const others = [await station16(), await station16()];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The first station holds its answer, so with max_concurrency 1 the others wait in the queue.
    cp.respond('UpdateFirmware', async () => {
      await gate;
      return {};
    });
    for (const o of others) o.respond('UpdateFirmware', {});
    const id = await startFirmware([cp.id, ...others.map((o) => o.id)], firmware(), 1);
    await eventually(() => cp.requests('UpdateFirmware').length === 1);
    const { campaign } = await client.cancelCampaign({ id });
    expect(campaign!.state).toBe(CampaignState.CAMPAIGN_STATE_CANCELED);
    release();
    await service.settled();
    for (const o of others) expect(o.requests('UpdateFirmware')).toEqual([]);
    const rows = await stationsOf(id);
    expect([...rows.values()].map((r) => r.status)).toEqual([
      S.STATION_STATUS_ACCEPTED,
      S.STATION_STATUS_CANCELED,
      S.STATION_STATUS_CANCELED,
    ]);
    await cp.call('FirmwareStatusNotification', { status: 'Installed' });
    await reaches(id, cp.id, S.STATION_STATUS_SUCCEEDED, 'Installed');
    const after = await counts(id);
    expect(after.state).toBe(CampaignState.CAMPAIGN_STATE_CANCELED);
    expect(after.doneCount).toBe(3);
    // Canceling again is a no-op.
    expect((await client.cancelCampaign({ id })).campaign!.state).toBe(CampaignState.CAMPAIGN_STATE_CANCELED);
  });

  it('records a station refusal, a CALLERROR and a diagnostics answer without file name', async () => {
    const refusing = await station201();
    refusing.respond('UpdateFirmware', { status: 'InvalidCertificate' });
    const unimplemented = await station16(); // answers SignedUpdateFirmware with CALLERROR NotImplemented
    const id = await startFirmware([refusing.id, unimplemented.id], signed());
    await service.settled();
    const rows = await stationsOf(id);
    expect(rows.get(refusing.id)).toMatchObject({
      status: S.STATION_STATUS_REJECTED,
      reason: 'InvalidCertificate',
    });
    expect(rows.get(unimplemented.id)).toMatchObject({
      status: S.STATION_STATUS_FAILED,
      reason: expect.stringContaining('CALLERROR NotImplemented') as string,
      action: 'SignedUpdateFirmware',
    });
    expect((await counts(id)).state).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);

    const empty = await station16();
    empty.respond('GetDiagnostics', {});
    const logs = await startLog([empty.id], LogType.LOG_TYPE_DIAGNOSTICS);
    await service.settled();
    expect(await rowOf(logs, empty.id)).toMatchObject({
      status: S.STATION_STATUS_FAILED,
      reason: expect.stringContaining('no diagnostics available') as string,
    });
  });

  it('answers INVALID_ARGUMENT with field violations for a bad request', async () => {
    const error = await client
      .startFirmwareUpdate({
        stationIds: [],
        firmware: firmware({ location: 'firmware.bin' }),
        maxConcurrency: 0,
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code: Status },
      );
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
  });
});

/** 1.6 UpdateFirmware (unsigned) through a one-station campaign; the station then reports `statuses`. */
async function update16(statuses: V16.FirmwareStatusNotificationRequest['status'][], reboot: boolean) {
  const cp = await station16();
  cp.respond('UpdateFirmware', {});
  const id = await startFirmware([cp.id]);
  await service.settled();
  expect(cp.requests('UpdateFirmware')).toEqual([
    { location: FIRMWARE_URL, retrieveDate: expect.any(String) as string },
  ]);
  for (const status of statuses) {
    if (status === 'Installing') await statusNotification16(cp, 0, 'Unavailable');
    expect(await cp.call('FirmwareStatusNotification', { status })).toEqual({});
    await reaches(id, cp.id, undefined, status);
    if (status === 'Installing' && reboot) {
      expect((await booted16(cp)).status).toBe('Accepted');
    }
  }
  return { id, cp };
}

describe('TC_044_1_CSMS: Firmware Update - Download and Install', () => {
  it('sends UpdateFirmware.req with the location and follows the station to Installed', async () => {
    const { id, cp } = await update16(['Downloading', 'Downloaded', 'Installing', 'Installed'], true);
    await reaches(id, cp.id, S.STATION_STATUS_SUCCEEDED, 'Installed');
    expect((await counts(id)).state).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);
  });
});

describe('TC_044_2_CSMS: Firmware Update - Download Failed', () => {
  it('ends the station as failed on DownloadFailed', async () => {
    const { id, cp } = await update16(['Downloading', 'DownloadFailed'], false);
    expect(await reaches(id, cp.id, S.STATION_STATUS_FAILED, 'DownloadFailed')).toMatchObject({
      reason: 'DownloadFailed',
    });
  });
});

describe('TC_044_3_CSMS: Firmware Update - Installation Failed', () => {
  it('ends the station as failed on InstallationFailed after the reboot', async () => {
    const { id, cp } = await update16(
      ['Downloading', 'Downloaded', 'Installing', 'InstallationFailed'],
      true,
    );
    await reaches(id, cp.id, S.STATION_STATUS_FAILED, 'InstallationFailed');
  });
});

/** 1.6 GetDiagnostics through a log upload campaign, then the DiagnosticsStatusNotifications. */
async function diagnostics16(last: V16.DiagnosticsStatusNotificationRequest['status']) {
  const cp = await station16();
  cp.respond('GetDiagnostics', { fileName: 'diagnostics.zip' });
  const id = await startLog([cp.id], LogType.LOG_TYPE_DIAGNOSTICS);
  await service.settled();
  expect(cp.requests('GetDiagnostics')).toEqual([{ location: LOG_URL }]);
  expect(await rowOf(id, cp.id)).toMatchObject({
    status: S.STATION_STATUS_ACCEPTED,
    filename: 'diagnostics.zip',
  });
  expect(await cp.call('DiagnosticsStatusNotification', { status: 'Uploading' })).toEqual({});
  await reaches(id, cp.id, S.STATION_STATUS_ACCEPTED, 'Uploading');
  expect(await cp.call('DiagnosticsStatusNotification', { status: last })).toEqual({});
  return { id, cp };
}

describe('TC_045_1_CSMS: Get Diagnostics', () => {
  it('sends GetDiagnostics.req with the location and completes on Uploaded', async () => {
    const { id, cp } = await diagnostics16('Uploaded');
    await reaches(id, cp.id, S.STATION_STATUS_SUCCEEDED, 'Uploaded');
    expect((await counts(id)).state).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);
  });
});

describe('TC_045_2_CSMS: Get Diagnostics - Upload Failed', () => {
  it('ends the station as failed on UploadFailed', async () => {
    const { id, cp } = await diagnostics16('UploadFailed');
    await reaches(id, cp.id, S.STATION_STATUS_FAILED, 'UploadFailed');
  });
});

/** 1.6 SignedUpdateFirmware (security whitepaper L01) through a campaign with a signature. */
async function signed16(statuses: V201.FirmwareStatusEnumType[]) {
  const cp = await station16();
  cp.respond('SignedUpdateFirmware', { status: 'Accepted' });
  const id = await startFirmware([cp.id], signed());
  await service.settled();
  const [request] = cp.requests('SignedUpdateFirmware');
  expect(request).toEqual({
    requestId: expect.any(Number) as number,
    firmware: {
      location: FIRMWARE_URL,
      retrieveDateTime: expect.any(String) as string,
      signingCertificate: CERTIFICATE,
      signature: SIGNATURE,
    },
  });
  expect(cp.requests('UpdateFirmware')).toEqual([]);
  for (const status of statuses) {
    if (status === 'Installed') {
      expect((await booted16(cp)).status).toBe('Accepted');
      await cp.call('SecurityEventNotification', {
        type: 'FirmwareUpdated',
        timestamp: new Date().toISOString(),
      });
    }
    expect(
      await cp.call('SignedFirmwareStatusNotification', { status, requestId: request!.requestId }),
    ).toEqual({});
    await reaches(id, cp.id, undefined, status);
  }
  return { id, cp };
}

describe('TC_080_CSMS: Secure Firmware Update', () => {
  it('sends SignedUpdateFirmware.req with certificate and signature and follows it to Installed', async () => {
    const { id, cp } = await signed16([
      'Downloading',
      'Downloaded',
      'SignatureVerified',
      'Installing',
      'InstallRebooting',
      'Installed',
    ]);
    await reaches(id, cp.id, S.STATION_STATUS_SUCCEEDED, 'Installed');
  });
});

describe('TC_081_CSMS: Secure Firmware Update - Invalid Signature', () => {
  it('ends the station as failed on InvalidSignature', async () => {
    const { id, cp } = await signed16(['Downloading', 'Downloaded', 'InvalidSignature']);
    await reaches(id, cp.id, S.STATION_STATUS_FAILED, 'InvalidSignature');
  });
});

/** 2.0.1 UpdateFirmware with signing certificate (L01) through a campaign; then the notifications. */
async function update201(statuses: V201.FirmwareStatusEnumType[]) {
  const cs = await station201();
  cs.respond('UpdateFirmware', { status: 'Accepted' });
  const id = await startFirmware([cs.id], signed());
  await service.settled();
  const [request] = cs.requests('UpdateFirmware');
  expect(request).toEqual({
    requestId: expect.any(Number) as number,
    firmware: {
      location: FIRMWARE_URL,
      retrieveDateTime: expect.any(String) as string,
      signingCertificate: CERTIFICATE,
      signature: SIGNATURE,
    },
  });
  for (const status of statuses) {
    if (status === 'Installed' || status === 'InstallationFailed') {
      expect((await booted201(cs, [], 'FirmwareUpdate')).status).toBe('Accepted');
      await notifyConnector(cs, 1, 1, 'Available');
    }
    expect(await cs.call('FirmwareStatusNotification', { status, requestId: request!.requestId })).toEqual(
      {},
    );
    await reaches(id, cs.id, undefined, status);
    if (status === 'InvalidSignature')
      await cs.call('SecurityEventNotification', {
        type: 'InvalidFirmwareSignature',
        timestamp: new Date().toISOString(),
      });
  }
  return { id, cs };
}

describe('TC_L_01_CSMS: Secure Firmware Update - Installation successful', () => {
  it('sends UpdateFirmwareRequest with signingCertificate and signature and follows it to Installed', async () => {
    const { id, cs } = await update201([
      'Downloading',
      'Downloaded',
      'SignatureVerified',
      'Installing',
      'InstallRebooting',
      'Installed',
    ]);
    await reaches(id, cs.id, S.STATION_STATUS_SUCCEEDED, 'Installed');
    expect((await counts(id)).state).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);
  });
});

describe('TC_L_06_CSMS: Secure Firmware Update - InvalidSignature', () => {
  it('ends the station as failed on InvalidSignature', async () => {
    const { id, cs } = await update201(['Downloading', 'Downloaded', 'InvalidSignature']);
    await reaches(id, cs.id, S.STATION_STATUS_FAILED, 'InvalidSignature');
  });
});

describe('TC_L_07_CSMS: Secure Firmware Update - DownloadFailed', () => {
  it('ends the station as failed on DownloadFailed', async () => {
    const { id, cs } = await update201(['Downloading', 'DownloadFailed']);
    await reaches(id, cs.id, S.STATION_STATUS_FAILED, 'DownloadFailed');
  });
});

describe('TC_L_08_CSMS: Secure Firmware Update - InstallVerificationFailed', () => {
  it('ends the station as failed on InstallVerificationFailed', async () => {
    const { id, cs } = await update201([
      'Downloading',
      'Downloaded',
      'SignatureVerified',
      'Installing',
      'InstallVerificationFailed',
    ]);
    await reaches(id, cs.id, S.STATION_STATUS_FAILED, 'InstallVerificationFailed');
  });
});

describe('TC_L_09_CSMS: Secure Firmware Update - InstallationFailed', () => {
  it('ends the station as failed on InstallationFailed after the reboot', async () => {
    const { id, cs } = await update201([
      'Downloading',
      'Downloaded',
      'SignatureVerified',
      'Installing',
      'InstallRebooting',
      'InstallationFailed',
    ]);
    await reaches(id, cs.id, S.STATION_STATUS_FAILED, 'InstallationFailed');
  });
});

/** GetLog through a log upload campaign (2.0.1 N01, 1.6 whitepaper N01), then Uploading and `last`. */
async function getLog(
  cs: Station16 | Station201,
  logType: firmwareV1.LogType,
  last: 'Uploaded' | 'UploadFailure',
) {
  (cs as Station201).respond('GetLog', { status: 'Accepted', filename: 'log.zip' });
  const id = await startLog([cs.id], logType);
  await service.settled();
  const [request] = (cs as Station201).requests('GetLog');
  expect(request).toEqual({
    logType: logType === LogType.LOG_TYPE_SECURITY ? 'SecurityLog' : 'DiagnosticsLog',
    requestId: expect.any(Number) as number,
    log: { remoteLocation: LOG_URL },
  });
  expect(await rowOf(id, cs.id)).toMatchObject({ status: S.STATION_STATUS_ACCEPTED, filename: 'log.zip' });
  await (cs as Station201).call('LogStatusNotification', {
    status: 'Uploading',
    requestId: request!.requestId,
  });
  await reaches(id, cs.id, S.STATION_STATUS_ACCEPTED, 'Uploading');
  await (cs as Station201).call('LogStatusNotification', { status: last, requestId: request!.requestId });
  await reaches(id, cs.id, last === 'Uploaded' ? S.STATION_STATUS_SUCCEEDED : S.STATION_STATUS_FAILED, last);
  expect((await counts(id)).state).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);
}

describe('TC_N_25_CSMS: Retrieve Log Information - Diagnostics Log - Success', () => {
  it('sends GetLogRequest DiagnosticsLog and follows Uploading and Uploaded', async () => {
    await getLog(await station201(), LogType.LOG_TYPE_DIAGNOSTICS, 'Uploaded');
  });
});

describe('TC_N_35_CSMS: Retrieve Log Information - Security Log - Success', () => {
  it('sends GetLogRequest SecurityLog and follows Uploading and Uploaded', async () => {
    await getLog(await station201(), LogType.LOG_TYPE_SECURITY, 'Uploaded');
  });
});

describe('TC_079_CSMS: Get Security Log', () => {
  it('sends GetLog.req SecurityLog to a 1.6 station and follows its LogStatusNotifications', async () => {
    await getLog(await station16(), LogType.LOG_TYPE_SECURITY, 'Uploaded');
  });
});

describe('FirmwareService log upload failure on 2.0.1', () => {
  it('ends the station as failed on UploadFailure', async () => {
    await getLog(await station201(), LogType.LOG_TYPE_DIAGNOSTICS, 'UploadFailure');
  });
});
