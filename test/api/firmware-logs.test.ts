/**
 * csms.firmware.v1.FirmwareService against a whole embedded CSMS: real gRPC, real OCPP stations (ocpp-rpc in
 * strict mode, so every command the campaign sends is schema-checked by the station) of both versions. The
 * stations answer UpdateFirmware / SignedUpdateFirmware / GetLog / GetDiagnostics and then send their status
 * notifications; the campaign's per-station rows and counts must follow. The OCTT-named cases replay the
 * tool's steps (1.6 TestCaseDocument §3.15-3.16 and §3.21, 2.0.1 Part 6 L01 / N01) with the campaign API as
 * the CSMS operator.
 */
import type { firmwareV1 } from '@csms/grpc';
import type { V16 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { type Station16, type Station201 } from '../support/scenario.js';
import {
  CampaignState,
  LOG_URL,
  LogType,
  S,
  counts,
  reaches,
  rowOf,
  service,
  startLog,
  station16,
  station201,
  useFirmwareApi,
} from '../support/firmware-api.js';

useFirmwareApi();

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

describe('FirmwareService log upload: a second GetLog answered AcceptedCanceled (2.0.1 N01.FR.12, N01.FR.20; TC_N_36 steps)', () => {
  it('ends the first upload canceled, naming the second GetLog, and follows the second to Uploaded', async () => {
    const cs = await station201();
    cs.respond('GetLog', { status: 'Accepted', filename: 'first.log' });
    const first = await startLog([cs.id], LogType.LOG_TYPE_DIAGNOSTICS);
    await service.settled();
    const firstId = cs.requests('GetLog')[0]!.requestId;
    expect(await cs.call('LogStatusNotification', { status: 'Uploading', requestId: firstId })).toEqual({});
    await reaches(first, cs.id, S.STATION_STATUS_ACCEPTED, 'Uploading');

    cs.respond('GetLog', { status: 'AcceptedCanceled', filename: 'second.log' });
    const second = await startLog([cs.id], LogType.LOG_TYPE_DIAGNOSTICS);
    await service.settled();
    const secondId = cs.requests('GetLog')[1]!.requestId;
    expect(await rowOf(second, cs.id)).toMatchObject({
      status: S.STATION_STATUS_ACCEPTED,
      reason: 'AcceptedCanceled',
      requestId: secondId,
    });
    const reason = `AcceptedCanceled: the station canceled it for GetLog requestId ${secondId} (campaign ${second})`;
    expect(await rowOf(first, cs.id)).toMatchObject({ status: S.STATION_STATUS_CANCELED, reason });
    expect((await counts(first)).state).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);
    // N01.FR.20: the station reports the canceled upload with its requestId; the row stays canceled.
    expect(
      await cs.call('LogStatusNotification', { status: 'AcceptedCanceled', requestId: firstId }),
    ).toEqual({});
    expect(await reaches(first, cs.id, S.STATION_STATUS_CANCELED, 'AcceptedCanceled')).toMatchObject({
      reason,
    });

    expect(await cs.call('LogStatusNotification', { status: 'Uploading', requestId: secondId })).toEqual({});
    expect(await cs.call('LogStatusNotification', { status: 'Uploaded', requestId: secondId })).toEqual({});
    await reaches(second, cs.id, S.STATION_STATUS_SUCCEEDED, 'Uploaded');
    expect((await counts(second)).state).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);
  });
});
