import { randomUUID } from 'node:crypto';
import type { StationApi } from '@csms/bus';
import type { Logger } from '@csms/telemetry';
import type { CampaignPlan } from './campaign-parameters.js';
import {
  cancelSupersededCommands,
  claimNextStation,
  completeIfDone,
  failInterruptedSends,
  failSilentStations,
  findCampaign,
  orphanedCampaigns,
  recordCall,
  recordVerdict,
  releaseLease,
  takeLease,
  type ClaimedStation,
  type Database,
  type Kysely,
} from '@csms/db';
import {
  ACCEPTED_CANCELED,
  stationCallFor,
  supersededActions,
  supersededReason,
  verdictOf,
  type CallVerdict,
} from './station-command.js';

export interface RunnerOptions {
  /** How long a sender's lease on a campaign lasts without renewal (default 30 s). */
  readonly leaseMs?: number;
  /** How often to look for campaigns whose sender died (default 15 s; 0 = only at start). */
  readonly resumeIntervalMs?: number;
  /**
   * A station left `sent` for longer than this had its sender die mid-call (default 5 min, well above
   * the longest station call: the command timeout plus the actor's queueing).
   */
  readonly interruptedAfterMs?: number;
  /**
   * A station that accepted the command and then reported no status for this long is `failed` (default 24 h:
   * downloads and scheduled installs take hours, and a station reports each step; CSMS_FIRMWARE_STATUS_TIMEOUT).
   */
  readonly statusTimeoutMs?: number;
}

/**
 * Sends campaigns' commands: per campaign at most `max_concurrency` calls in flight, each claiming the
 * next pending station in the database. Whoever sends a campaign holds a renewed lease on it; when a
 * process dies mid-campaign its lease lapses, the stations not reached stay `pending`, and the next
 * resume pass of any replica (at its start, then every `resumeIntervalMs`) takes the campaign over and
 * continues. Stations whose call was in flight when the process died end `failed` ("interrupted").
 */
export class CampaignRunner {
  readonly #id = `firmware-${randomUUID()}`;
  readonly #running = new Map<string, Promise<void>>();
  readonly #leaseMs: number;
  readonly #resumeIntervalMs: number;
  readonly #interruptedAfterMs: number;
  readonly #statusTimeoutMs: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly deps: {
      readonly db: Kysely<Database>;
      readonly stations: StationApi;
      readonly logger: Logger;
    },
    options: RunnerOptions = {},
  ) {
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#resumeIntervalMs = options.resumeIntervalMs ?? 15_000;
    this.#interruptedAfterMs = options.interruptedAfterMs ?? 5 * 60_000;
    this.#statusTimeoutMs = options.statusTimeoutMs ?? 24 * 3_600_000;
  }

  /** Resumes orphaned campaigns now and then periodically. */
  async start(): Promise<void> {
    await this.resume();
    if (this.#resumeIntervalMs > 0 && !this.#closed) {
      this.#timer = setInterval(() => {
        this.resume().catch((error: unknown) =>
          this.deps.logger.warn({ err: error }, 'could not resume firmware campaigns'),
        );
      }, this.#resumeIntervalMs);
      this.#timer.unref();
    }
  }

  /**
   * One resume pass: fail interrupted sends and stations silent for too long, then drive every campaign
   * nobody sends.
   */
  async resume(): Promise<void> {
    const touched = new Set([
      ...(await failInterruptedSends(this.deps.db, this.#interruptedAfterMs)),
      ...(await failSilentStations(this.deps.db, this.#statusTimeoutMs)),
    ]);
    for (const id of touched) await completeIfDone(this.deps.db, id);
    for (const id of await orphanedCampaigns(this.deps.db)) {
      if (!this.#running.has(id)) this.drive(id);
    }
  }

  /** Starts sending a campaign's pending stations (no-op if this process already does). */
  drive(campaignId: string): void {
    if (this.#closed || this.#running.has(campaignId)) return;
    const run = this.#run(campaignId)
      .catch((error: unknown) =>
        this.deps.logger.error({ err: error, campaignId }, 'firmware campaign sender failed'),
      )
      .finally(() => this.#running.delete(campaignId));
    this.#running.set(campaignId, run);
  }

  /** Waits until the campaigns this process sends have no station left to send (tests). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }

  /** Stops claiming stations; waits for the calls in flight to be recorded. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.settled();
  }

  async #run(campaignId: string): Promise<void> {
    const { db } = this.deps;
    if (!(await takeLease(db, campaignId, this.#id, this.#leaseMs))) return;
    let leased = true;
    const renew = setInterval(
      () => {
        takeLease(db, campaignId, this.#id, this.#leaseMs)
          .then((held) => {
            if (!held) leased = false; // canceled, completed, or taken over after a long pause
          })
          .catch((error: unknown) =>
            this.deps.logger.warn({ err: error, campaignId }, 'lease renewal failed'),
          );
      },
      Math.max(100, Math.floor(this.#leaseMs / 3)),
    );
    renew.unref();
    try {
      const campaign = await findCampaign(db, campaignId);
      if (!campaign) return;
      const plan = { kind: campaign.kind, parameters: campaign.parameters } as unknown as CampaignPlan;
      const worker = async () => {
        while (!this.#closed && leased) {
          const station = await claimNextStation(db, campaignId);
          if (!station) return;
          await this.#send(plan, campaignId, station);
        }
      };
      await Promise.all(Array.from({ length: campaign.max_concurrency }, worker));
    } finally {
      clearInterval(renew);
      await releaseLease(db, campaignId, this.#id);
      await completeIfDone(db, campaignId);
    }
  }

  async #send(plan: CampaignPlan, campaignId: string, station: ClaimedStation): Promise<void> {
    const { db, stations } = this.deps;
    const call = stationCallFor(plan, station.ocppVersion, station.requestId);
    if ('error' in call) {
      await recordVerdict(db, station.id, { status: 'failed', reason: call.error, filename: null });
      return;
    }
    await recordCall(db, station.id, {
      action: call.action,
      ocppVersion: station.ocppVersion!,
      requestId: call.usesRequestId ? station.requestId : null,
    });
    let verdict;
    try {
      verdict = verdictOf(call.action, await stations.call(station.stationId, call.action, call.payload));
    } catch (error) {
      this.deps.logger.warn(
        { err: error, stationId: station.stationId },
        'campaign command failed on the bus',
      );
      verdict = { status: 'failed' as const, reason: `not delivered: ${String(error)}`, filename: null };
    }
    await this.#record(campaignId, station, call.action, verdict);
  }

  /**
   * Records the station's answer. AcceptedCanceled also ends the station's earlier commands of the same kind
   * still in progress, in any campaign, as `canceled` (the station canceled them to take this one: 2.0.1
   * L01.FR.24 / N01.FR.12, 1.6 whitepaper L01.FR.26 / N01.FR.11), in the same database transaction, and
   * completes their campaigns when nothing else is pending.
   */
  async #record(campaignId: string, station: ClaimedStation, action: string, verdict: CallVerdict) {
    const { db } = this.deps;
    if (verdict.status !== 'accepted' || verdict.reason !== ACCEPTED_CANCELED) {
      await recordVerdict(db, station.id, verdict);
      return;
    }
    const reason = supersededReason({ action, requestId: station.requestId, campaignId });
    const touched = await db.transaction().execute(async (tx) => {
      await recordVerdict(tx, station.id, verdict);
      return cancelSupersededCommands(tx, { rowId: station.id, actions: supersededActions(action), reason });
    });
    if (touched.length > 0)
      this.deps.logger.info(
        { stationId: station.stationId, campaignId, canceledIn: touched },
        'station canceled earlier commands (AcceptedCanceled)',
      );
    for (const id of touched) await completeIfDone(db, id);
  }
}
