import { isRowId } from './page.js';
import type { Bus, StationApi } from '@csms/bus';
import type {
  CampaignKind,
  CampaignRow,
  CampaignState,
  CampaignStationStatus,
  Database,
  Kysely,
} from '@csms/db';
import {
  ApiErrors,
  apiService,
  firmwareV1,
  type ApiService,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
  ROW_ID_KEY,
} from '@csms/grpc';
import type { Logger } from '@csms/telemetry';
import type { CampaignPlan } from './campaign-parameters.js';
import { stationStatusOf, toCampaign, toCampaignStation } from './campaign-mapping.js';
import { CampaignRunner, type RunnerOptions } from './campaign-runner.js';
import {
  cancelCampaign,
  findCampaign,
  insertCampaign,
  listCampaigns,
  listCampaignStations,
  statusCounts,
} from './campaign-store.js';
import { StatusTracker } from './status-tracker.js';
import { validateFirmwareStart, validateLogStart } from './validation.js';

export interface FirmwareServiceDeps {
  readonly db: Kysely<Database>;
  readonly stations: StationApi;
  readonly bus: Bus;
  readonly logger: Logger;
  /** Campaign sending and resume settings (defaults suit production). */
  readonly runner?: RunnerOptions;
  /** The clock (tests). */
  readonly now?: () => Date;
}

/** The firmware gRPC service, plus handles to its background work. */
export interface FirmwareApiService extends ApiService {
  /**
   * Resolves once the status tracker is subscribed and orphaned campaigns were resumed; rejects if
   * that failed (the error is logged too).
   */
  readonly ready: Promise<void>;
  /** Resolves when this process has no campaign left to send and every received status is applied. */
  settled(): Promise<void>;
  /** Stops sending (unsent stations stay pending for a resume) and unsubscribes the tracker. */
  close(): Promise<void>;
}

/**
 * Creates `csms.firmware.v1.FirmwareService`: starts the status tracker (bus subscriptions to the
 * stations' firmware / diagnostics / log status events) and resumes campaigns whose sender died, then
 * serves the API. Everything it needs is in `deps`.
 */
export function createFirmwareService(deps: FirmwareServiceDeps): FirmwareApiService {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'firmware-campaigns' });
  const tracker = new StatusTracker({ db, bus: deps.bus, logger: log });
  const runner = new CampaignRunner({ db, stations: deps.stations, logger: log }, deps.runner);
  const ready = (async () => {
    await tracker.start();
    await runner.start();
  })();
  ready.catch((error: unknown) => log.error({ err: error }, 'firmware service could not start'));

  async function withCounts(row: CampaignRow): Promise<firmwareV1.Campaign> {
    const counts = await statusCounts(db, [row.id]);
    return toCampaign(row, counts.get(row.id) ?? new Map());
  }

  async function start(plan: CampaignPlan, stationIds: readonly string[], maxConcurrency: number) {
    const row = await insertCampaign(db, plan, stationIds, maxConcurrency);
    log.info({ campaignId: row.id, kind: plan.kind, stations: stationIds.length }, 'campaign started');
    if (row.state === 'running') runner.drive(row.id);
    return withCounts(row);
  }

  async function existing(id: string, field = 'id'): Promise<CampaignRow> {
    if (id === '')
      throw ApiErrors.invalidArgument(`${field} is required`, [{ field, description: 'is required' }]);
    const row = isRowId(id) ? await findCampaign(db, id) : undefined;
    if (!row) throw ApiErrors.notFound('campaign', id);
    return row;
  }

  const implementation: firmwareV1.FirmwareServiceImplementation = {
    async startFirmwareUpdate(request) {
      const valid = validateFirmwareStart(request, now());
      const plan: CampaignPlan = { kind: 'firmware_update', parameters: valid.parameters };
      return { campaign: await start(plan, valid.stationIds, valid.maxConcurrency) };
    },

    async startLogUpload(request) {
      const valid = validateLogStart(request);
      const plan: CampaignPlan = { kind: 'log_upload', parameters: valid.parameters };
      return { campaign: await start(plan, valid.stationIds, valid.maxConcurrency) };
    },

    async getCampaign(request) {
      return { campaign: await withCounts(await existing(request.id)) };
    },

    async listCampaigns(request) {
      const limit = pageSizeOf(request.pageSize);
      const before = decodePageToken(request.pageToken, ROW_ID_KEY);
      const kind = campaignKindOf(request.kind);
      const state = campaignStateOf(request.state);
      const rows = await listCampaigns(db, {
        ...(before !== undefined ? { before } : {}),
        limit: limit + 1,
        ...(kind ? { kind } : {}),
        ...(state ? { state } : {}),
      });
      const page = rows.slice(0, limit);
      const counts = await statusCounts(
        db,
        page.map((r) => r.id),
      );
      return {
        campaigns: page.map((r) => toCampaign(r, counts.get(r.id) ?? new Map())),
        nextPageToken: rows.length > limit ? encodePageToken(page.at(-1)!.id) : '',
      };
    },

    async listCampaignStations(request) {
      const limit = pageSizeOf(request.pageSize);
      const after = decodePageToken(request.pageToken, ROW_ID_KEY);
      const statuses: CampaignStationStatus[] = request.statuses.map((status, index) => {
        const s = stationStatusOf(status);
        if (!s)
          throw ApiErrors.invalidArgument(`statuses[${index}] is not a station status`, [
            { field: `statuses[${index}]`, description: 'must be a StationStatus other than UNSPECIFIED' },
          ]);
        return s;
      });
      const campaign = await existing(request.campaignId, 'campaign_id');
      const rows = await listCampaignStations(db, campaign.id, {
        ...(after !== undefined ? { after } : {}),
        limit: limit + 1,
        statuses,
      });
      const page = rows.slice(0, limit);
      return {
        stations: page.map(toCampaignStation),
        nextPageToken: rows.length > limit ? encodePageToken(page.at(-1)!.id) : '',
      };
    },

    async cancelCampaign(request) {
      const campaign = await existing(request.id);
      const canceled = (await cancelCampaign(db, campaign.id)) ?? campaign;
      if (campaign.state === 'running') log.info({ campaignId: campaign.id }, 'campaign canceled');
      return { campaign: await withCounts(canceled) };
    },
  };

  return {
    ...apiService('csms.firmware.v1.FirmwareService', firmwareV1.FirmwareServiceDefinition, implementation),
    ready,
    async settled() {
      await ready;
      await runner.settled();
      await tracker.idle();
    },
    async close() {
      await ready.catch(() => undefined);
      await runner.close();
      await tracker.stop();
    },
  };
}

function campaignKindOf(kind: firmwareV1.CampaignKind): CampaignKind | undefined {
  if (kind === firmwareV1.CampaignKind.CAMPAIGN_KIND_FIRMWARE_UPDATE) return 'firmware_update';
  if (kind === firmwareV1.CampaignKind.CAMPAIGN_KIND_LOG_UPLOAD) return 'log_upload';
  if (kind === firmwareV1.CampaignKind.CAMPAIGN_KIND_UNSPECIFIED) return undefined;
  throw ApiErrors.invalidArgument('kind is not a campaign kind', [
    { field: 'kind', description: 'unknown value' },
  ]);
}

function campaignStateOf(state: firmwareV1.CampaignState): CampaignState | undefined {
  if (state === firmwareV1.CampaignState.CAMPAIGN_STATE_RUNNING) return 'running';
  if (state === firmwareV1.CampaignState.CAMPAIGN_STATE_COMPLETED) return 'completed';
  if (state === firmwareV1.CampaignState.CAMPAIGN_STATE_CANCELED) return 'canceled';
  if (state === firmwareV1.CampaignState.CAMPAIGN_STATE_UNSPECIFIED) return undefined;
  throw ApiErrors.invalidArgument('state is not a campaign state', [
    { field: 'state', description: 'unknown value' },
  ]);
}
