import type { Bus, StationApi } from '@csms/bus';
import { cancelCampaign, insertCampaign, type Database, type Kysely } from '@csms/db';
import { apiService, firmwareV1, type ApiService } from '@csms/grpc';
import type { Logger } from '@csms/telemetry';
import type { CampaignPlan } from './campaign-parameters.js';
import {
  campaignWithCounts,
  existingCampaign,
  listCampaignPage,
  listCampaignStationPage,
} from './campaign-reads.js';
import { CampaignRunner, type RunnerOptions } from './campaign-runner.js';
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

  async function start(plan: CampaignPlan, stationIds: readonly string[], maxConcurrency: number) {
    const row = await insertCampaign(db, plan, stationIds, maxConcurrency);
    log.info({ campaignId: row.id, kind: plan.kind, stations: stationIds.length }, 'campaign started');
    if (row.state === 'running') runner.drive(row.id);
    return campaignWithCounts(db, row);
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
      return { campaign: await campaignWithCounts(db, await existingCampaign(db, request.id)) };
    },

    listCampaigns: (request) => listCampaignPage(db, request),
    listCampaignStations: (request) => listCampaignStationPage(db, request),

    async cancelCampaign(request) {
      const campaign = await existingCampaign(db, request.id);
      const canceled = (await cancelCampaign(db, campaign.id)) ?? campaign;
      if (campaign.state === 'running') log.info({ campaignId: campaign.id }, 'campaign canceled');
      return { campaign: await campaignWithCounts(db, canceled) };
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
