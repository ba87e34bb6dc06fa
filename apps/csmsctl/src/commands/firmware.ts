import type { Command } from 'commander';
import { firmwareV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { collect, parseIntOption, parseOptionalDate } from '../parse.js';
import { pages, printPage, withPageOptions, type PageOptions } from './paging.js';
import { EnumChoice, readTextArg } from './proto-json.js';

const { FirmwareServiceDefinition, CampaignKind, CampaignState, LogType, StationStatus } = firmwareV1;

type Ctx = () => CliContext;

const KIND = new EnumChoice<firmwareV1.CampaignKind>('--kind', CampaignKind, 'CAMPAIGN_KIND_');
const STATE = new EnumChoice<firmwareV1.CampaignState>('--state', CampaignState, 'CAMPAIGN_STATE_');
const LOG_TYPE = new EnumChoice<firmwareV1.LogType>('--type', LogType, 'LOG_TYPE_');
const STATUS = new EnumChoice<firmwareV1.StationStatus>('--status', StationStatus, 'STATION_STATUS_');

/** "Accepted 2, Failed 1" */
const progress = (c: firmwareV1.Campaign) =>
  c.statusCounts.map((s) => `${STATUS.name(s.status)} ${s.count}`).join(', ');

function campaignFields(c: firmwareV1.Campaign): [string, unknown][] {
  const fw = c.firmwareUpdate;
  const log = c.logUpload;
  return [
    ['id', c.id],
    ['kind', KIND.name(c.kind)],
    ['state', STATE.name(c.state)],
    ['stations', c.stationCount],
    ['done', c.doneCount],
    // One row per status: the campaign's progress.
    ...c.statusCounts.map((s): [string, unknown] => [`  ${STATUS.name(s.status)}`, s.count]),
    ['max concurrency', c.maxConcurrency],
    ...(fw
      ? ([
          ['location', fw.location],
          ['retrieve time', fw.retrieveTime],
          ['install time', fw.installTime],
          ['retries', fw.retries],
          ['retry interval (s)', fw.retryIntervalSeconds],
          ['signed', fw.signature !== ''],
        ] as [string, unknown][])
      : []),
    ...(log
      ? ([
          ['log type', LOG_TYPE.name(log.logType)],
          ['remote location', log.remoteLocation],
          ['oldest', log.oldestTime],
          ['latest', log.latestTime],
          ['retries', log.retries],
          ['retry interval (s)', log.retryIntervalSeconds],
        ] as [string, unknown][])
      : []),
    ['created', c.createTime],
    ['updated', c.updateTime],
    ['completed', c.completeTime],
  ];
}

/** A campaign as a record (or JSON). */
function printCampaign(c: CliContext, campaign: firmwareV1.Campaign | undefined): void {
  c.out.record(
    campaign ? firmwareV1.Campaign.toJSON(campaign) : {},
    campaign ? campaignFields(campaign) : [],
  );
}

const campaignOptions = (cmd: Command) =>
  cmd
    .option('--station <id>', 'a station of the campaign (repeatable, at least one)', collect)
    .option('--retries <n>', 'download/upload retries', parseIntOption('--retries', 0, 1_000_000))
    .option(
      '--retry-interval <s>',
      'seconds between retries',
      parseIntOption('--retry-interval', 0, 2_147_483_647),
    )
    .option(
      '--max-concurrency <n>',
      'commands in flight at once (default 20)',
      parseIntOption('--max-concurrency', 1, 1000),
    );

interface CampaignOptions {
  readonly station?: string[];
  readonly retries?: number;
  readonly retryInterval?: number;
  readonly maxConcurrency?: number;
}

function stationsOf(o: CampaignOptions): string[] {
  if (!o.station?.length) throw new UsageError('give at least one --station');
  return o.station;
}

/** `firmware update|logs|campaigns ...`: csms.firmware.v1. */
export function registerFirmwareCommands(program: Command, ctx: Ctx): void {
  const firmware = program
    .command('firmware')
    .description('firmware updates and log uploads over sets of stations (FirmwareService campaigns)');
  addUpdate(firmware, ctx);
  addLogs(firmware, ctx);
  const campaigns = firmware
    .command('campaigns')
    .description('firmware and log campaigns and their progress');
  addCampaignList(campaigns, ctx);
  campaigns
    .command('get <id>')
    .description('show a campaign with its progress (stations per status)')
    .action(async (id: string) => {
      const c = ctx();
      const { campaign } = await c.client(FirmwareServiceDefinition).getCampaign({ id }, c.call());
      printCampaign(c, campaign);
    });
  addCampaignStations(campaigns, ctx);
  campaigns
    .command('cancel <id>')
    .description('stop sending to the stations not reached yet (the others keep reporting progress)')
    .action(async (id: string) => {
      const c = ctx();
      const { campaign } = await c.client(FirmwareServiceDefinition).cancelCampaign({ id }, c.call());
      printCampaign(c, campaign);
    });
}

function addUpdate(firmware: Command, ctx: Ctx): void {
  campaignOptions(
    firmware
      .command('update <location>')
      .description('start a firmware update campaign (the stations download from <location>)')
      .option('--retrieve-time <time>', 'when to download (ISO 8601; default now)')
      .option('--install-time <time>', 'when to install (ISO 8601; 2.0.1 and signed 1.6 updates)')
      .option(
        '--signature <base64>',
        'signature of the firmware (1.6 stations then get SignedUpdateFirmware)',
      )
      .option('--signing-cert <pem>', 'PEM certificate the firmware was signed with (inline or @file)'),
  ).action(
    async (
      location: string,
      o: CampaignOptions & {
        retrieveTime?: string;
        installTime?: string;
        signature?: string;
        signingCert?: string;
      },
    ) => {
      const stationIds = stationsOf(o);
      if ((o.signature === undefined) !== (o.signingCert === undefined))
        throw new UsageError('give --signature and --signing-cert together, or neither');
      const c = ctx();
      const signingCertificate =
        o.signingCert !== undefined ? await readTextArg('--signing-cert', o.signingCert, c.io) : '';
      const { campaign } = await c.client(FirmwareServiceDefinition).startFirmwareUpdate(
        {
          stationIds,
          firmware: {
            location,
            retrieveTime: parseOptionalDate('--retrieve-time', o.retrieveTime),
            installTime: parseOptionalDate('--install-time', o.installTime),
            retries: o.retries,
            retryIntervalSeconds: o.retryInterval,
            signingCertificate,
            signature: o.signature ?? '',
          },
          maxConcurrency: o.maxConcurrency ?? 0,
        },
        c.call(),
      );
      printCampaign(c, campaign);
    },
  );
}

function addLogs(firmware: Command, ctx: Ctx): void {
  campaignOptions(
    firmware
      .command('logs <remote-location>')
      .description('start a log upload campaign (the stations upload to <remote-location>)')
      .option('--type <type>', `${LOG_TYPE.choices.join(' or ')} (default Diagnostics)`, LOG_TYPE.parse)
      .option('--since <time>', 'only entries from this time on (ISO 8601)')
      .option('--until <time>', 'only entries up to this time (ISO 8601)'),
  ).action(
    async (
      remoteLocation: string,
      o: CampaignOptions & { type?: firmwareV1.LogType; since?: string; until?: string },
    ) => {
      const stationIds = stationsOf(o);
      const c = ctx();
      const { campaign } = await c.client(FirmwareServiceDefinition).startLogUpload(
        {
          stationIds,
          log: {
            logType: o.type ?? LogType.LOG_TYPE_DIAGNOSTICS,
            remoteLocation,
            oldestTime: parseOptionalDate('--since', o.since),
            latestTime: parseOptionalDate('--until', o.until),
            retries: o.retries,
            retryIntervalSeconds: o.retryInterval,
          },
          maxConcurrency: o.maxConcurrency ?? 0,
        },
        c.call(),
      );
      printCampaign(c, campaign);
    },
  );
}

function addCampaignList(campaigns: Command, ctx: Ctx): void {
  withPageOptions(
    campaigns
      .command('list')
      .description('list campaigns, newest first')
      .option('--kind <kind>', KIND.choices.join(' or '), KIND.parse)
      .option('--state <state>', STATE.choices.join(', '), STATE.parse),
  ).action(async (o: PageOptions & { kind?: firmwareV1.CampaignKind; state?: firmwareV1.CampaignState }) => {
    const c = ctx();
    const client = c.client(FirmwareServiceDefinition);
    const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
      const page = await client.listCampaigns(
        {
          pageSize: o.pageSize,
          pageToken,
          kind: o.kind ?? CampaignKind.CAMPAIGN_KIND_UNSPECIFIED,
          state: o.state ?? CampaignState.CAMPAIGN_STATE_UNSPECIFIED,
        },
        c.call(),
      );
      return { items: page.campaigns, nextPageToken: page.nextPageToken };
    });
    printPage(
      c,
      firmwareV1.ListCampaignsResponse.toJSON({ campaigns: items, nextPageToken }),
      ['id', 'kind', 'state', 'stations', 'done', 'progress', 'created'],
      items.map((k) => [
        k.id,
        KIND.name(k.kind),
        STATE.name(k.state),
        k.stationCount,
        k.doneCount,
        progress(k),
        k.createTime,
      ]),
      nextPageToken,
    );
  });
}

function addCampaignStations(campaigns: Command, ctx: Ctx): void {
  withPageOptions(
    campaigns
      .command('stations <id>')
      .description('the stations of a campaign and where each one is')
      .option(
        '--status <status>',
        `only stations in this status (repeatable): ${STATUS.choices.join(', ')}`,
        STATUS.collect,
      ),
  ).action(async (id: string, o: PageOptions & { status?: firmwareV1.StationStatus[] }) => {
    const c = ctx();
    const client = c.client(FirmwareServiceDefinition);
    const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
      const page = await client.listCampaignStations(
        { campaignId: id, pageSize: o.pageSize, pageToken, statuses: o.status ?? [] },
        c.call(),
      );
      return { items: page.stations, nextPageToken: page.nextPageToken };
    });
    printPage(
      c,
      firmwareV1.ListCampaignStationsResponse.toJSON({ stations: items, nextPageToken }),
      ['station', 'status', 'reason', 'action', 'request id', 'notification', 'notified', 'sent'],
      items.map((s) => [
        s.stationId,
        STATUS.name(s.status),
        s.reason,
        s.action,
        s.requestId || '',
        s.notificationStatus,
        s.notificationTime,
        s.sendTime,
      ]),
      nextPageToken,
    );
  });
}
