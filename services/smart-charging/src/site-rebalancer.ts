import { Subjects, type Bus, type Subscription } from '@csms/bus';
import {
  evMaximum,
  listChargingSites,
  planEvTxProfile,
  raisesTxProfile,
  siteEvChargingNeeds,
  txProfileStored,
  type EvChargingNeedsRow,
} from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { SmartChargingServiceDeps } from './deps.js';

/** Queue group: with several replicas of the service, each event rebalances its site once. */
export const REBALANCER_QUEUE = 'smart-charging-site-rebalancer';

/**
 * The station events that end a transaction (Subjects.eventsOfType of @csms/bus), published after the commit that
 * ended it: `transaction-ended` (1.6 StopTransaction, a transaction superseded on its EVSE, an operator's end through
 * the transaction service) and `transaction-event` (2.0.1 TransactionEvent) when it left its transaction ended.
 */
const ENDING_EVENTS = ['transaction-ended', 'transaction-event'] as const;

function endsTransaction(type: (typeof ENDING_EVENTS)[number], data: { state?: unknown }): boolean {
  return type === 'transaction-ended' || data.state === 'ended';
}

/** How a SetChargingProfileRequest ended without the station having taken it (nothing sent, or a CALLERROR). */
const NOT_TAKEN: ReadonlySet<string> = new Set([
  'offline',
  'refused',
  'invalid-request',
  'not-supported',
  'call-error',
]);

export interface SiteRebalancerOptions {
  /** How long to wait for the station's actor to store an accepted TxProfile before the next EV is computed. */
  readonly storedWithinMs?: number;
  /** The timeout of each SetChargingProfileRequest (ms; default the station API's). */
  readonly callTimeoutMs?: number;
  /**
   * How often the site members are read again (ms; default 30 s): a replica learns of sites another replica set. This
   * replica's own SetChargingSite / DeleteChargingSite take effect at once.
   */
  readonly membersRefreshMs?: number;
}

/** One EV schedule the rebalancer sent, and how the station answered. */
export interface Raised {
  readonly stationId: string;
  readonly transactionId: string;
  readonly profileId: number;
  readonly status: string;
}

/**
 * Gives a site's power back to the EVs still charging there (ISO 15118 smart charging, K16 renegotiation initiated by
 * the CSMS): when a transaction at one of a site's stations ends ({@link ENDING_EVENTS}), or the site is set (its power
 * or stations changed), the TxProfile of each active transaction at the site whose EV sent charging needs is computed
 * again as for NotifyEVChargingNeeds (packages/db charging-profiles/ev-tx-profile.ts: the station's and the site's
 * limits, what the site's other transactions were allotted, the operator's limit) and sent as SetChargingProfileRequest
 * (K16.FR.01) where it allows the EV more than the TxProfile in force. EVs are served in the order their needs arrived;
 * each schedule the station accepts is stored by its actor before the next one is computed, so the site's power is
 * never allotted twice. Schedules are only raised here: what an EV was given is not taken back for a newcomer.
 *
 * Only the events of the sites' stations are received (per-station subjects, as the site members are read at start,
 * after each SetChargingSite / DeleteChargingSite and every {@link SiteRebalancerOptions.membersRefreshMs}): a 2.0.1
 * station's transaction events are most of what it sends, and the other stations' are none of this service's
 * business. Events are applied one at a time, in arrival order. A site that cannot be rebalanced now (a station does
 * not answer, the database fails) is logged; the next event of the site, or `RenegotiateChargingSchedule`, computes it
 * again.
 */
export class SiteRebalancer {
  readonly #deps: SmartChargingServiceDeps & { readonly bus: Bus };
  readonly #storedWithinMs: number;
  readonly #callTimeoutMs: number | undefined;
  readonly #membersRefreshMs: number;
  /** The subscriptions to each site station's transaction events, by station id. */
  readonly #members = new Map<string, Subscription[]>();
  #refreshTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  #chain: Promise<void> = Promise.resolve();

  constructor(deps: SmartChargingServiceDeps & { readonly bus: Bus }, options: SiteRebalancerOptions = {}) {
    this.#deps = deps;
    this.#storedWithinMs = options.storedWithinMs ?? 5_000;
    this.#callTimeoutMs = options.callTimeoutMs;
    this.#membersRefreshMs = options.membersRefreshMs ?? 30_000;
  }

  /** Subscribes to the events of the sites' stations, and reads the members again from time to time. */
  async start(): Promise<void> {
    await this.#refreshMembers();
    this.#refreshTimer = setInterval(() => void this.membersChanged(), this.#membersRefreshMs);
    this.#refreshTimer.unref();
  }

  /** Reads the site members again (after everything queued before) and follows exactly their events. */
  membersChanged(): Promise<void> {
    const run = this.#chain.then(() => this.#refreshMembers());
    this.#chain = run.catch((error: unknown) => {
      this.#deps.logger.warn({ err: error }, 'could not read the charging sites’ stations');
    });
    return this.#chain;
  }

  async #refreshMembers(): Promise<void> {
    if (this.#stopped) return;
    const sites = await listChargingSites(this.#deps.db);
    const wanted = new Set(sites.flatMap((site) => site.stationIds));
    for (const [stationId, subscriptions] of this.#members)
      if (!wanted.has(stationId)) {
        this.#members.delete(stationId);
        await Promise.all(subscriptions.map((s) => s.unsubscribe()));
      }
    for (const stationId of wanted)
      if (!this.#members.has(stationId)) this.#members.set(stationId, await this.#follow(stationId));
  }

  async #follow(stationId: string): Promise<Subscription[]> {
    return Promise.all(
      ENDING_EVENTS.map((type) =>
        this.#deps.bus.subscribe<{ state?: unknown } | undefined>(
          Subjects.event(stationId, type),
          (message) => {
            if (endsTransaction(type, message.data ?? {}))
              void this.enqueue({ stationId }).catch(() => undefined);
            return undefined;
          },
          { queue: REBALANCER_QUEUE },
        ),
      ),
    );
  }

  /** Rebalances the site (by id, or the site of a station) after everything queued before. */
  enqueue(of: { readonly siteId: string } | { readonly stationId: string }): Promise<Raised[]> {
    if (this.#stopped) return Promise.resolve([]);
    const run = this.#chain.then(() => this.rebalance(of));
    this.#chain = run.then(
      () => undefined,
      (error: unknown) => {
        this.#deps.logger.warn({ err: error, ...of }, 'could not rebalance the charging site');
      },
    );
    return run;
  }

  /** Resolves when every event received so far is applied (tests, shutdown). */
  idle(): Promise<void> {
    return this.#chain;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#refreshTimer);
    await this.#chain;
    const subscriptions = [...this.#members.values()].flat();
    this.#members.clear();
    await Promise.all(subscriptions.map((s) => s.unsubscribe()));
  }

  /** Computes the site's EV schedules again and sends those that allow their EV more (see the class). */
  async rebalance(of: { readonly siteId: string } | { readonly stationId: string }): Promise<Raised[]> {
    const site = await siteEvChargingNeeds(this.#deps.db, of);
    const raised: Raised[] = [];
    for (const needs of site?.needs ?? []) {
      const outcome = await this.#raise(needs);
      if (outcome === 'stop') break;
      if (outcome) raised.push(outcome);
    }
    return raised;
  }

  /** Sends the transaction's schedule if it allows more; 'stop' when the site's allotments are not known now. */
  async #raise(row: EvChargingNeedsRow): Promise<Raised | undefined | 'stop'> {
    const { db, stations, logger } = this.#deps;
    const needs = row.charging_needs as unknown as V201.ChargingNeedsType;
    const ev = evMaximum(needs);
    if (!ev) return undefined;
    const target = { stationId: row.station_id, evseId: row.evse_id, transactionId: row.transaction_id };
    const now = new Date();
    const plan = await planEvTxProfile(db, {
      ...target,
      needs,
      maxScheduleTuples: row.max_schedule_tuples ?? undefined,
      operatorLimit: row.operator_limit,
      now,
    });
    if (!plan || !(await raisesTxProfile(db, target, plan, ev.electrical, now))) return undefined;
    const outcome = await stations.call(
      target.stationId,
      'SetChargingProfile',
      { ...plan },
      {
        ...(this.#callTimeoutMs !== undefined ? { timeoutMs: this.#callTimeoutMs } : {}),
      },
    );
    const log = logger.child({ ...target, profileId: plan.chargingProfile.id });
    if (outcome.status !== 'result') {
      log.warn({ outcome: outcome.status }, 'site rebalance: the EV schedule was not sent');
      // The station may still have taken it (a timeout, a lost connection): its allotment is unknown until its answer
      // is stored, so the site's next EVs wait for the next rebalance.
      return NOT_TAKEN.has(outcome.status) ? undefined : 'stop';
    }
    const status = String(outcome.payload['status']);
    log.info({ status }, 'site rebalance: sent the EV a schedule allowing more (K16)');
    if (status !== 'Accepted') return { ...target, profileId: plan.chargingProfile.id, status };
    if (!(await this.#stored(target, plan))) {
      log.warn(
        { withinMs: this.#storedWithinMs },
        'site rebalance: the accepted schedule was not stored in time; the site waits for its next rebalance',
      );
      return 'stop';
    }
    return { ...target, profileId: plan.chargingProfile.id, status };
  }

  /** Waits (bounded) until the station's actor stored the accepted TxProfile. */
  async #stored(
    target: { stationId: string; evseId: number; transactionId: string },
    plan: V201.SetChargingProfileRequest,
  ): Promise<boolean> {
    const deadline = Date.now() + this.#storedWithinMs;
    for (;;) {
      if (await txProfileStored(this.#deps.db, target, plan)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
