/**
 * csms.firmware.v1.FirmwareService against a whole embedded CSMS: real gRPC, real OCPP stations (ocpp-rpc in
 * strict mode, so every command the campaign sends is schema-checked by the station) of both versions. The
 * stations answer UpdateFirmware / SignedUpdateFirmware / GetLog / GetDiagnostics and then send their status
 * notifications; the campaign's per-station rows and counts must follow. The OCTT-named cases replay the
 * tool's steps (1.6 TestCaseDocument §3.15-3.16 and §3.21, 2.0.1 Part 6 L01 / N01) with the campaign API as
 * the CSMS operator.
 */
import { Status } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/scenario.js';
import {
  CampaignState,
  FIRMWARE_URL,
  LogType,
  S,
  client,
  counts,
  csms,
  firmware,
  reaches,
  rowOf,
  service,
  signed,
  startFirmware,
  startLog,
  station16,
  station201,
  stationsOf,
  useFirmwareApi,
} from '../support/firmware-api.js';

useFirmwareApi();

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
