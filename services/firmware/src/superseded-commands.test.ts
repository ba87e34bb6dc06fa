/**
 * A station that takes a new firmware update or log upload by canceling the one in progress (AcceptedCanceled:
 * 2.0.1 L01.FR.24 / N01.FR.12, 1.6 whitepaper L01.FR.26 / N01.FR.11): the earlier rows end CANCELED with a reason
 * naming the new request, and their campaigns complete when nothing else is pending, whichever of the answer and
 * the station's notifications the CSMS records first.
 */
import { Subjects, type StationCommand } from '@csms/bus';
import { describe, expect, it } from 'vitest';
import {
  CampaignState,
  LogType,
  StationStatus as S,
  answers,
  bus,
  client,
  firmware,
  handle,
  service,
  useFirmwareApi,
} from './testing/firmware-api.js';

useFirmwareApi();

async function startUpdate(stationIds: string[]): Promise<string> {
  const { campaign } = await client.startFirmwareUpdate({
    stationIds,
    firmware: firmware(),
    maxConcurrency: 0,
  });
  await service.settled();
  return campaign!.id;
}

async function startLogUpload(stationIds: string[]): Promise<string> {
  const log = { logType: LogType.LOG_TYPE_SECURITY, remoteLocation: 'https://logs.example.com/' };
  const { campaign } = await client.startLogUpload({ stationIds, log, maxConcurrency: 0 });
  await service.settled();
  return campaign!.id;
}

async function rowsOf(campaignId: string) {
  const { stations } = await client.listCampaignStations({
    campaignId,
    pageSize: 0,
    pageToken: '',
    statuses: [],
  });
  return new Map(stations.map((s) => [s.stationId, s]));
}

async function rowOf(campaignId: string, stationId: string) {
  return (await rowsOf(campaignId)).get(stationId)!;
}

async function stateOf(campaignId: string) {
  return (await client.getCampaign({ id: campaignId })).campaign!.state;
}

/** A status notification event as the worker publishes it after commit (services/worker station-actor.ts). */
async function notify(
  type: 'firmware-status' | 'log-status',
  stationId: string,
  data: Record<string, unknown>,
) {
  await bus.publish(Subjects.event(stationId, type), {
    ...data,
    stationId,
    type,
    at: new Date().toISOString(),
  });
}

/** Waits until the row of the station's request matches (the tracker applied a notification). */
async function untilRow(
  stationId: string,
  requestId: number,
  matches: (row: { status: string; notification_status: string | null }) => boolean,
) {
  for (let i = 0; i < 1_000; i++) {
    const row = await handle.db
      .selectFrom('campaign_stations')
      .select(['status', 'notification_status'])
      .where('station_id', '=', stationId)
      .where('request_id', '=', requestId)
      .executeTakeFirst();
    if (row && matches(row)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the row of ${stationId} request ${requestId} never matched`);
}

const acceptedCanceled = (): Promise<Record<string, unknown>> =>
  Promise.resolve({ status: 'AcceptedCanceled' });
const requestIdOf = (command: StationCommand) => command.payload.requestId as number;

describe('AcceptedCanceled ends the commands the station canceled', () => {
  it("cancels the station's earlier firmware update in another campaign, and completes that campaign last", async () => {
    const first = await startUpdate(['cs-01', 'cs-02']);
    const logs = await startLogUpload(['cs-01']);
    answers.set('cs-01', acceptedCanceled);
    const second = await startUpdate(['cs-01']);
    const newer = await rowOf(second, 'cs-01');
    // L01.FR.24: the new update is on, the one in progress was canceled.
    expect(newer).toMatchObject({ status: S.STATION_STATUS_ACCEPTED, reason: 'AcceptedCanceled' });
    expect(await rowOf(first, 'cs-01')).toMatchObject({
      status: S.STATION_STATUS_CANCELED,
      reason: `AcceptedCanceled: the station canceled it for UpdateFirmware requestId ${newer.requestId} (campaign ${second})`,
    });
    // Another station of the first campaign still updates; the station's log upload is another kind.
    expect((await rowOf(first, 'cs-02')).status).toBe(S.STATION_STATUS_ACCEPTED);
    expect(await stateOf(first)).toBe(CampaignState.CAMPAIGN_STATE_RUNNING);
    expect((await rowOf(logs, 'cs-01')).status).toBe(S.STATION_STATUS_ACCEPTED);

    answers.set('cs-02', acceptedCanceled);
    await startUpdate(['cs-02']);
    expect((await rowOf(first, 'cs-02')).status).toBe(S.STATION_STATUS_CANCELED);
    expect(await stateOf(first)).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);
    expect(await stateOf(second)).toBe(CampaignState.CAMPAIGN_STATE_RUNNING);
  });

  it('keeps AcceptedCanceled when the first notification of the new update is recorded before the answer', async () => {
    const first = await startUpdate(['cs-03']);
    answers.set('cs-03', async (command) => {
      // The station reports Downloading for the new request before the CSMS records its answer.
      await notify('firmware-status', 'cs-03', { status: 'Downloading', requestId: requestIdOf(command) });
      await untilRow('cs-03', requestIdOf(command), (row) => row.notification_status === 'Downloading');
      return { status: 'AcceptedCanceled' };
    });
    const second = await startUpdate(['cs-03']);
    expect(await rowOf(second, 'cs-03')).toMatchObject({
      status: S.STATION_STATUS_ACCEPTED,
      reason: 'AcceptedCanceled',
      notificationStatus: 'Downloading',
    });
    expect((await rowOf(first, 'cs-03')).status).toBe(S.STATION_STATUS_CANCELED);
    expect(await stateOf(first)).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);
  });

  it('ends a log upload on its LogStatusNotification AcceptedCanceled, also before the new GetLog is answered (N01.FR.20)', async () => {
    const first = await startLogUpload(['cs-04']);
    const canceled = await rowOf(first, 'cs-04');
    answers.set('cs-04', async () => {
      // TC_N_36 (errata 2025-04): LogStatusNotification AcceptedCanceled for the first requestId may come first.
      await notify('log-status', 'cs-04', { status: 'AcceptedCanceled', requestId: canceled.requestId });
      await untilRow('cs-04', canceled.requestId, (row) => row.status === 'canceled');
      return { status: 'AcceptedCanceled', filename: 'security.log' };
    });
    const second = await startLogUpload(['cs-04']);
    const newer = await rowOf(second, 'cs-04');
    expect(newer).toMatchObject({
      status: S.STATION_STATUS_ACCEPTED,
      reason: 'AcceptedCanceled',
      action: 'GetLog',
    });
    expect(await rowOf(first, 'cs-04')).toMatchObject({
      status: S.STATION_STATUS_CANCELED,
      reason: `AcceptedCanceled: the station canceled it for GetLog requestId ${newer.requestId} (campaign ${second})`,
      notificationStatus: 'AcceptedCanceled',
    });
    expect(await stateOf(first)).toBe(CampaignState.CAMPAIGN_STATE_COMPLETED);

    // Without a requestId the notification cannot name the canceled upload: the new one is left alone.
    await notify('log-status', 'cs-04', { status: 'AcceptedCanceled', requestId: null });
    await service.settled();
    expect(await rowOf(second, 'cs-04')).toMatchObject({
      status: S.STATION_STATUS_ACCEPTED,
      notificationStatus: '',
    });
  });
});
