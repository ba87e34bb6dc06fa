import { StationApi, Subjects, subjectMatches } from '@csms/bus';
import { Status } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { createFirmwareService } from './firmware-service.js';
import { TRACKED_EVENTS } from './status-tracker.js';
import {
  CampaignKind,
  CampaignState,
  LogType,
  StationStatus,
  bus,
  client,
  firmware,
  handle,
  logger,
  maxInFlight,
  received,
  rejection,
  service,
  violations,
  resetReceived,
  useFirmwareApi,
} from './testing/firmware-api.js';

useFirmwareApi();

describe('FirmwareService campaigns', () => {
  it('sends to every known station with at most max_concurrency in flight; unknown ones fail', async () => {
    resetReceived();
    const ids = [
      ...Array.from({ length: 30 }, (_, i) => `cs-${String(i).padStart(2, '0')}`),
      'ghost',
      'cs-never-booted',
    ];
    const { campaign } = await client.startFirmwareUpdate({
      stationIds: [...ids, 'cs-00'],
      firmware: firmware({
        retries: 2,
        retryIntervalSeconds: 60,
        installTime: new Date('2099-01-01T00:00:00Z'),
      }),
      maxConcurrency: 4,
    });
    expect(campaign).toMatchObject({
      stationCount: 32,
      maxConcurrency: 4,
      kind: CampaignKind.CAMPAIGN_KIND_FIRMWARE_UPDATE,
    });
    await service.settled();
    expect(received).toHaveLength(30);
    expect(maxInFlight).toBe(4);
    const first = received.find((r) => r.stationId === 'cs-00')!.command;
    expect(first.action).toBe('UpdateFirmware');
    expect(first.payload).toEqual({
      requestId: expect.any(Number) as number,
      retries: 2,
      retryInterval: 60,
      firmware: {
        location: 'https://firmware.example.com/v2.bin',
        retrieveDateTime: expect.any(String) as string,
        installDateTime: '2099-01-01T00:00:00.000Z',
      },
    });
    const { campaign: read } = await client.getCampaign({ id: campaign!.id });
    expect(read!.statusCounts).toEqual([
      { status: StationStatus.STATION_STATUS_ACCEPTED, count: 30 },
      { status: StationStatus.STATION_STATUS_FAILED, count: 2 },
    ]);
    expect(read!.doneCount).toBe(2);
    expect(read!.state).toBe(CampaignState.CAMPAIGN_STATE_RUNNING);
    const failed = await client.listCampaignStations({
      campaignId: campaign!.id,
      pageSize: 0,
      pageToken: '',
      statuses: [StationStatus.STATION_STATUS_FAILED],
    });
    expect(failed.stations.map((s) => [s.stationId, s.reason])).toEqual([
      ['ghost', 'unknown station'],
      ['cs-never-booted', 'unknown OCPP version (the station never connected)'],
    ]);
  });

  it('pages through campaign stations and campaigns with opaque tokens', async () => {
    const { campaigns } = await client.listCampaigns({ pageSize: 0, pageToken: '', kind: 0, state: 0 });
    const id = campaigns[0]!.id;
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await client.listCampaignStations({
        campaignId: id,
        pageSize: 7,
        pageToken,
        statuses: [],
      });
      expect(page.stations.length).toBeLessThanOrEqual(7);
      seen.push(...page.stations.map((s) => s.stationId));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(seen).toHaveLength(32);
    expect(seen[0]).toBe('cs-00');
    expect(new Set(seen).size).toBe(32);

    const started = await client.startLogUpload({
      stationIds: ['cs-v16'],
      log: {
        logType: LogType.LOG_TYPE_DIAGNOSTICS,
        remoteLocation: 'ftp://logs.example.com/',
        oldestTime: undefined,
        latestTime: undefined,
      },
      maxConcurrency: 0,
    });
    const first = await client.listCampaigns({ pageSize: 1, pageToken: '', kind: 0, state: 0 });
    expect(first.campaigns.map((c) => c.id)).toEqual([started.campaign!.id]);
    const second = await client.listCampaigns({
      pageSize: 1,
      pageToken: first.nextPageToken,
      kind: 0,
      state: 0,
    });
    expect(second.campaigns.map((c) => c.id)).toEqual([id]);
    const firmwareOnly = await client.listCampaigns({
      pageSize: 10,
      pageToken: '',
      kind: CampaignKind.CAMPAIGN_KIND_LOG_UPLOAD,
      state: 0,
    });
    expect(firmwareOnly.campaigns.map((c) => c.id)).toEqual([started.campaign!.id]);
  });

  it('rejects bad page sizes and malformed page tokens', async () => {
    let error = await rejection(client.listCampaigns({ pageSize: 1001, pageToken: '', kind: 0, state: 0 }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(violations(error).map((v) => v.field)).toEqual(['page_size']);
    error = await rejection(client.listCampaigns({ pageSize: 0, pageToken: 'garbage!', kind: 0, state: 0 }));
    expect(violations(error).map((v) => v.field)).toEqual(['page_token']);
    error = await rejection(
      client.listCampaigns({
        pageSize: 0,
        pageToken: Buffer.from('abc').toString('base64url'),
        kind: 0,
        state: 0,
      }),
    );
    expect(violations(error).map((v) => v.field)).toEqual(['page_token']);
  });

  it('resumes a campaign whose sender died: pending stations are sent, stale sent ones fail', async () => {
    const { db } = handle;
    const campaign = await db
      .insertInto('campaigns')
      .values({
        kind: 'log_upload',
        state: 'running',
        parameters: JSON.stringify({ logType: 'security', remoteLocation: 'https://logs.example.com/' }),
        max_concurrency: 2,
        station_count: 3,
        runner: 'dead-process',
        lease_until: new Date(Date.now() - 1000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('campaign_stations')
      .values([
        { campaign_id: campaign.id, station_id: 'cs-01', status: 'pending' },
        { campaign_id: campaign.id, station_id: 'cs-02', status: 'pending' },
        {
          campaign_id: campaign.id,
          station_id: 'cs-03',
          status: 'sent',
          sent_at: new Date(Date.now() - 3_600_000),
        },
      ])
      .execute();
    received.length = 0;
    const replica = createFirmwareService({
      db,
      bus,
      stations: new StationApi(bus),
      logger,
      runner: { resumeIntervalMs: 0 },
    });
    await replica.ready;
    await replica.settled();
    await replica.close();
    expect(received.map((r) => [r.stationId, r.command.action, r.command.payload.logType])).toEqual([
      ['cs-01', 'GetLog', 'SecurityLog'],
      ['cs-02', 'GetLog', 'SecurityLog'],
    ]);
    const rows = await db
      .selectFrom('campaign_stations')
      .select(['station_id', 'status', 'reason'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { station_id: 'cs-01', status: 'accepted', reason: null },
      { station_id: 'cs-02', status: 'accepted', reason: null },
      { station_id: 'cs-03', status: 'failed', reason: expect.stringContaining('interrupted') as string },
    ]);
  });

  it('fails stations silent for longer than the status timeout, naming their last status, and completes the campaign', async () => {
    const { db } = handle;
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
    const insert = async (rows: { station: string; updatedAt: Date; notification?: string }[]) => {
      const campaign = await db
        .insertInto('campaigns')
        .values({
          kind: 'firmware_update',
          state: 'running',
          parameters: JSON.stringify({ location: 'https://firmware.example.com/v2.bin' }),
          max_concurrency: 2,
          station_count: rows.length,
          runner: 'dead-process',
          lease_until: new Date(Date.now() - 1000),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('campaign_stations')
        .values(
          rows.map((r) => ({
            campaign_id: campaign.id,
            station_id: r.station,
            status: 'accepted' as const,
            sent_at: r.updatedAt,
            updated_at: r.updatedAt,
            ...(r.notification !== undefined
              ? { notification_status: r.notification, notification_at: r.updatedAt }
              : {}),
          })),
        )
        .execute();
      return campaign.id;
    };
    const mixed = await insert([
      { station: 'cs-04', updatedAt: hoursAgo(25), notification: 'Downloading' },
      { station: 'cs-05', updatedAt: hoursAgo(1), notification: 'Installing' },
    ]);
    const allSilent = await insert([{ station: 'cs-06', updatedAt: hoursAgo(30) }]);

    const replica = createFirmwareService({
      db,
      bus,
      stations: new StationApi(bus),
      logger,
      runner: { resumeIntervalMs: 0 },
    });
    await replica.ready;
    await replica.settled();
    await replica.close();
    const rows = await db
      .selectFrom('campaign_stations')
      .select(['campaign_id', 'station_id', 'status', 'reason'])
      .where('campaign_id', 'in', [mixed, allSilent])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      {
        campaign_id: mixed,
        station_id: 'cs-04',
        status: 'failed',
        reason: 'no final status notification within 24 h; last status: Downloading',
      },
      { campaign_id: mixed, station_id: 'cs-05', status: 'accepted', reason: null },
      {
        campaign_id: allSilent,
        station_id: 'cs-06',
        status: 'failed',
        reason: 'no final status notification within 24 h; last status: none',
      },
    ]);
    const states = await db
      .selectFrom('campaigns')
      .select(['id', 'state'])
      .where('id', 'in', [mixed, allSilent])
      .orderBy('id')
      .execute();
    expect(Object.fromEntries(states.map((c) => [c.id, c.state]))).toEqual({
      [mixed]: 'running',
      [allSilent]: 'completed',
    });
  });

  it('subscribes to the subjects the worker publishes status events on', () => {
    for (const type of TRACKED_EVENTS)
      expect(subjectMatches(`csms.evt.station.${type}.*`, Subjects.event('any.station id', type))).toBe(true);
  });
});
