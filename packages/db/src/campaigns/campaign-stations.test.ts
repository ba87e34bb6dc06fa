/**
 * Campaign station rows on PostgreSQL and PGlite: the station canceling its commands in progress for a newer one
 * (AcceptedCanceled, 2.0.1 L01.FR.24 / N01.FR.12), the answer overtaken by the first notification, and the silence
 * timeout counted from the scheduled retrieve / install time (L01.FR.13 / L01.FR.16).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type DatabaseHandle } from '../database.js';
import {
  failSilentStations,
  findNotifiedCampaignStation,
  recordCampaignNotification,
  recordVerdict,
} from './campaign-stations.js';
import { completeIfDone } from './campaigns.js';
import type { CampaignKind, CampaignStationStatus } from './schema.js';
import { cancelSupersededCommands, findNextCommand } from './superseded-commands.js';

let pgDb: TestDatabase;
beforeAll(async () => {
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb.drop();
});

const FIRMWARE = ['UpdateFirmware', 'SignedUpdateFirmware'];
const hoursFromNow = (h: number) => new Date(Date.now() + h * 3_600_000);

describe.each([['postgres'], ['pglite-memory']] as const)('campaign stations on %s', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    const config: DatabaseConfig = kind === 'postgres' ? { kind, url: pgDb.url } : { kind };
    handle = await openDatabase(config);
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
  });

  async function campaign(parameters: object = {}, campaignKind: CampaignKind = 'firmware_update') {
    const row = await handle.db
      .insertInto('campaigns')
      .values({
        kind: campaignKind,
        state: 'running',
        parameters: JSON.stringify({ location: 'https://firmware.example.com/fw.bin', ...parameters }),
        max_concurrency: 1,
        station_count: 1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  interface RowSpec {
    readonly campaignId: string;
    readonly stationId: string;
    readonly status: CampaignStationStatus;
    readonly action?: string;
    readonly sentAt?: Date;
    readonly updatedAt?: Date;
    readonly reason?: string;
    readonly notification?: string;
    readonly requestId?: number;
  }

  async function row(spec: RowSpec): Promise<string> {
    const inserted = await handle.db
      .insertInto('campaign_stations')
      .values({
        campaign_id: spec.campaignId,
        station_id: spec.stationId,
        status: spec.status,
        action: spec.action ?? 'UpdateFirmware',
        ocpp_version: 'ocpp2.0.1',
        request_id: spec.requestId ?? null,
        reason: spec.reason ?? null,
        sent_at: spec.sentAt ?? new Date(),
        ...(spec.updatedAt ? { updated_at: spec.updatedAt } : {}),
        ...(spec.notification
          ? { notification_status: spec.notification, notification_at: spec.updatedAt ?? new Date() }
          : {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return inserted.id;
  }

  async function statusOf(id: string) {
    return handle.db
      .selectFrom('campaign_stations')
      .select(['status', 'reason', 'notification_status'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  it("cancels the station's earlier commands of the kind still in progress, in any campaign, and nothing else", async () => {
    const [c1, c2, c3, c4, c5, c6] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => campaign()));
    const station = `SUP-${kind}`;
    const accepted = await row({
      campaignId: c1!,
      stationId: station,
      status: 'accepted',
      sentAt: hoursFromNow(-3),
    });
    const other = await row({
      campaignId: c1!,
      stationId: `${station}-B`,
      status: 'accepted',
      sentAt: hoursFromNow(-3),
    });
    const sent = await row({
      campaignId: c2!,
      stationId: station,
      status: 'sent',
      action: 'SignedUpdateFirmware',
      sentAt: hoursFromNow(-2),
    });
    const log = await row({
      campaignId: c3!,
      stationId: station,
      status: 'accepted',
      action: 'GetLog',
      sentAt: hoursFromNow(-2),
    });
    const reported = await row({
      campaignId: c4!,
      stationId: station,
      status: 'failed',
      reason: 'DownloadFailed',
      sentAt: hoursFromNow(-4),
    });
    const newer = await row({
      campaignId: c5!,
      stationId: station,
      status: 'accepted',
      reason: 'AcceptedCanceled',
      sentAt: hoursFromNow(-1),
    });
    const later = await row({
      campaignId: c6!,
      stationId: station,
      status: 'sent',
      sentAt: hoursFromNow(-0.5),
    });

    const reason = 'AcceptedCanceled: the station canceled it for UpdateFirmware requestId 9 (campaign 5)';
    const touched = await cancelSupersededCommands(handle.db, { rowId: newer, actions: FIRMWARE, reason });
    expect(touched.sort()).toEqual([c1, c2].sort());
    expect(await statusOf(accepted)).toMatchObject({ status: 'canceled', reason });
    expect(await statusOf(sent)).toMatchObject({ status: 'canceled', reason });
    // Another station, another kind, a row the station already ended, the new row itself, a row sent after it.
    expect(await statusOf(other)).toMatchObject({ status: 'accepted', reason: null });
    expect(await statusOf(log)).toMatchObject({ status: 'accepted', reason: null });
    expect(await statusOf(reported)).toMatchObject({ status: 'failed', reason: 'DownloadFailed' });
    expect(await statusOf(newer)).toMatchObject({ status: 'accepted', reason: 'AcceptedCanceled' });
    expect(await statusOf(later)).toMatchObject({ status: 'sent', reason: null });
    // Campaign 1 still waits for the other station; campaign 2 has nothing left.
    expect(await completeIfDone(handle.db, c1!)).toBe(false);
    expect(await completeIfDone(handle.db, c2!)).toBe(true);
    // Applying it again (e.g. after the log notification did) changes nothing.
    expect(await cancelSupersededCommands(handle.db, { rowId: newer, actions: FIRMWARE, reason })).toEqual(
      [],
    );
    expect(await cancelSupersededCommands(handle.db, { rowId: newer, actions: [], reason })).toEqual([]);
  });

  it('finds the command sent to the station right after a row, of the same kind', async () => {
    const [c1, c2, c3, c4] = await Promise.all([1, 2, 3, 4].map(() => campaign()));
    const station = `NEXT-${kind}`;
    const first = await row({
      campaignId: c1!,
      stationId: station,
      status: 'accepted',
      action: 'GetLog',
      requestId: 1,
      sentAt: hoursFromNow(-3),
    });
    await row({
      campaignId: c2!,
      stationId: `${station}-B`,
      status: 'sent',
      action: 'GetLog',
      requestId: 2,
      sentAt: hoursFromNow(-2.5),
    });
    await row({
      campaignId: c2!,
      stationId: station,
      status: 'sent',
      action: 'UpdateFirmware',
      requestId: 3,
      sentAt: hoursFromNow(-2.5),
    });
    const second = await row({
      campaignId: c3!,
      stationId: station,
      status: 'sent',
      action: 'GetLog',
      requestId: 4,
      sentAt: hoursFromNow(-2),
    });
    await row({
      campaignId: c4!,
      stationId: station,
      status: 'accepted',
      action: 'GetLog',
      requestId: 5,
      sentAt: hoursFromNow(-1),
    });
    expect(await findNextCommand(handle.db, first, ['GetLog'])).toEqual({
      id: second,
      campaign_id: c3,
      action: 'GetLog',
      request_id: 4,
    });
    expect(await findNextCommand(handle.db, first, FIRMWARE)).toMatchObject({ request_id: 3 });
    expect(await findNextCommand(handle.db, second, ['GetLog'])).toMatchObject({ request_id: 5 });
    expect(await findNextCommand(handle.db, first, [])).toBeUndefined();
    const last = await findNotifiedCampaignStation(handle.db, {
      stationId: station,
      actions: ['GetLog'],
      requestId: 5,
    });
    expect(await findNextCommand(handle.db, last!.id, ['GetLog'])).toBeUndefined();
  });

  it('keeps the reason of an accepting answer that the first notification of its command overtook', async () => {
    const c = await campaign();
    const station = `VERDICT-${kind}`;
    const notified = (id: string, notificationStatus: string, status: CampaignStationStatus) =>
      recordCampaignNotification(handle.db, id, {
        notificationStatus,
        at: new Date(),
        status,
        reason: status === 'failed' ? notificationStatus : null,
      });
    const overtaken = await row({ campaignId: c, stationId: `${station}-1`, status: 'sent' });
    expect(await notified(overtaken, 'Downloading', 'accepted')).toBe(true);
    await recordVerdict(handle.db, overtaken, {
      status: 'accepted',
      reason: 'AcceptedCanceled',
      filename: null,
    });
    expect(await statusOf(overtaken)).toEqual({
      status: 'accepted',
      reason: 'AcceptedCanceled',
      notification_status: 'Downloading',
    });
    // A failure the station reported first keeps its own reason; a plain Accepted sets none.
    const failed = await row({ campaignId: c, stationId: `${station}-2`, status: 'sent' });
    await notified(failed, 'DownloadFailed', 'failed');
    await recordVerdict(handle.db, failed, {
      status: 'accepted',
      reason: 'AcceptedCanceled',
      filename: null,
    });
    expect(await statusOf(failed)).toMatchObject({ status: 'failed', reason: 'DownloadFailed' });
    const plain = await row({ campaignId: c, stationId: `${station}-3`, status: 'sent' });
    await notified(plain, 'Downloading', 'accepted');
    await recordVerdict(handle.db, plain, { status: 'accepted', reason: null, filename: null });
    expect(await statusOf(plain)).toMatchObject({ status: 'accepted', reason: null });
  });

  it('counts silence from the scheduled retrieve / install time when it is later than the last status', async () => {
    const day = 24 * 3_600_000;
    const station = `SILENT-${kind}`;
    const spec = async (parameters: object, updatedHoursAgo: number, notification: string, logs = false) =>
      row({
        campaignId: await campaign(parameters, logs ? 'log_upload' : 'firmware_update'),
        stationId: station,
        status: 'accepted',
        sentAt: hoursFromNow(-updatedHoursAgo),
        updatedAt: hoursFromNow(-updatedHoursAgo),
        notification,
      });
    const iso = (h: number) => hoursFromNow(h).toISOString();
    const downloadScheduled = await spec({ retrieveTime: iso(2) }, 30, 'DownloadScheduled');
    const installScheduled = await spec(
      { retrieveTime: iso(-30), installTime: iso(1) },
      30,
      'InstallScheduled',
    );
    const installedRecently = await spec(
      { retrieveTime: iso(-30), installTime: iso(-23) },
      30,
      'InstallScheduled',
    );
    const silent = await spec({ retrieveTime: iso(-26) }, 26, 'Downloading');
    const silentLog = await spec({ logType: 'security', oldestTime: iso(-100) }, 25, 'Uploading', true);

    const touched = await failSilentStations(handle.db, day);
    const campaignOf = async (id: string) =>
      (
        await handle.db
          .selectFrom('campaign_stations')
          .select('campaign_id')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).campaign_id;
    expect(touched.sort()).toEqual([await campaignOf(silent), await campaignOf(silentLog)].sort());
    for (const id of [downloadScheduled, installScheduled, installedRecently])
      expect((await statusOf(id)).status).toBe('accepted');
    expect(await statusOf(silent)).toMatchObject({
      status: 'failed',
      reason: 'no final status notification within 24 h; last status: Downloading',
    });
    expect((await statusOf(silentLog)).status).toBe('failed');
  });
});
