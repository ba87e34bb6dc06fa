import type { Bus, Subscription } from '@csms/bus';
import {
  completeIfDone,
  findNextCommand,
  findNotifiedCampaignStation,
  recordCampaignNotification,
  type Database,
  type Kysely,
  type NotifiedCommand,
} from '@csms/db';
import type { Logger } from '@csms/telemetry';
import { notificationOutcome, type NotificationOutcome } from './notification-status.js';
import { supersededReason } from './station-command.js';

/** The station events (published by the worker after commit) that report campaign progress. */
export const TRACKED_EVENTS = ['firmware-status', 'diagnostics-status', 'log-status'] as const;
type TrackedEvent = (typeof TRACKED_EVENTS)[number];

/** The fields of a tracked event (see services/worker/src/v16|v201/*status-notification.ts). */
interface StatusEvent {
  readonly stationId: string;
  readonly type: string;
  readonly at: string;
  readonly status: string;
  readonly requestId?: number | null;
  /** 1.6 only: FirmwareStatusNotification or SignedFirmwareStatusNotification. */
  readonly action?: string;
}

/** Queue group: with several replicas each event updates the database once. */
export const TRACKER_QUEUE = 'firmware-campaign-tracker';

/**
 * Follows stations' firmware / diagnostics / log status notifications and moves their campaign rows:
 * progress statuses are recorded (and mean the station took the command), Installed / Uploaded end it
 * as succeeded, DownloadFailed, InstallationFailed, InvalidSignature, UploadFailed, ... as failed, a log
 * upload's AcceptedCanceled as canceled; a campaign completes when its last station is final.
 */
export class StatusTracker {
  #subscriptions: Subscription[] = [];
  // Events are applied one at a time, in arrival order: a station's Downloading must not overwrite
  // the Downloaded that followed it.
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: { readonly db: Kysely<Database>; readonly bus: Bus; readonly logger: Logger },
  ) {}

  async start(): Promise<void> {
    for (const type of TRACKED_EVENTS) {
      // Subjects.event(station, type) is csms.evt.station.<type>.<station token>: every station's.
      const subject = `csms.evt.station.${type}.*`;
      this.#subscriptions.push(
        await this.deps.bus.subscribe<StatusEvent>(
          subject,
          (message) => {
            const applied = this.#chain.then(() => this.apply(type, message.data));
            this.#chain = applied.catch((error: unknown) => {
              this.deps.logger.warn(
                { err: error, type, event: message.data },
                'could not apply status event',
              );
            });
            return undefined;
          },
          { queue: TRACKER_QUEUE },
        ),
      );
    }
  }

  /** Waits until every event received so far is applied (tests, shutdown). */
  idle(): Promise<void> {
    return this.#chain;
  }

  async stop(): Promise<void> {
    await Promise.all(this.#subscriptions.map((s) => s.unsubscribe()));
    this.#subscriptions = [];
    await this.#chain;
  }

  /** Applies one status event to the campaign row it belongs to, if any. */
  async apply(type: TrackedEvent, event: StatusEvent): Promise<void> {
    const { db } = this.deps;
    // Idle answers a TriggerMessage when nothing is going on: it ends nothing and belongs to no request.
    if (typeof event.status !== 'string' || event.status === 'Idle' || typeof event.stationId !== 'string')
      return;
    const at = new Date(event.at);
    const when = Number.isNaN(at.getTime()) ? new Date() : at;
    const requestId = typeof event.requestId === 'number' ? event.requestId : undefined;
    let command: NotifiedCommand;
    if (requestId !== undefined) {
      // 2.0.1 L01.FR.20 / N01: notifications carry the requestId of the UpdateFirmware / GetLog.
      const actions = type === 'firmware-status' ? ['UpdateFirmware', 'SignedUpdateFirmware'] : ['GetLog'];
      command = { stationId: event.stationId, actions, requestId };
    } else {
      // 1.6 UpdateFirmware and GetDiagnostics have no requestId: the station's latest active row of that
      // kind. A 2.0.1 FirmwareStatusNotification without requestId was triggered while no update ran.
      const action = fallbackAction(type, event.action);
      if (action === undefined) return;
      command = {
        stationId: event.stationId,
        actions: [action],
        ...(type === 'firmware-status' ? { ocppVersion: 'ocpp1.6' } : {}),
      };
    }
    const outcome = notificationOutcome(type, event.status);
    // Without a requestId the station's latest row would be the new request's, not the canceled one's.
    if (outcome === 'canceled' && requestId === undefined) return;
    const row = await findNotifiedCampaignStation(db, command);
    if (!row) return;
    const updated = await recordCampaignNotification(db, row.id, {
      notificationStatus: event.status,
      at: when,
      status: outcome ?? 'accepted',
      reason: await this.#reason(outcome, event.status, row.id, command.actions),
    });
    if (outcome !== undefined && updated) await completeIfDone(db, row.campaign_id);
  }

  /** The reason stored with a notification's outcome (none while in progress). */
  async #reason(
    outcome: NotificationOutcome,
    status: string,
    rowId: string,
    actions: readonly string[],
  ): Promise<string | null> {
    if (outcome === 'failed') return status;
    if (outcome !== 'canceled') return null;
    // LogStatusNotification AcceptedCanceled carries the canceled upload's requestId (2.0.1 N01.FR.20, TC_N_36):
    // name the GetLog it was canceled for, as the runner does when that GetLog's answer is recorded first.
    const next = await findNextCommand(this.deps.db, rowId, actions);
    return next
      ? supersededReason({ action: next.action, requestId: next.request_id, campaignId: next.campaign_id })
      : `${status}: the station canceled it for a newer request`;
  }
}

function fallbackAction(type: TrackedEvent, action: string | undefined): string | undefined {
  if (type === 'diagnostics-status') return 'GetDiagnostics';
  if (type === 'log-status') return 'GetLog';
  if (action === 'FirmwareStatusNotification') return 'UpdateFirmware';
  if (action === 'SignedFirmwareStatusNotification') return 'SignedUpdateFirmware';
  return undefined;
}
