import { Subjects, type Bus, type Subscription } from '@csms/bus';
import {
  convertLimit,
  equalShares,
  evTxPlan,
  listChargingSites,
  lowersTxProfile,
  raisesTxProfile,
  siteBudgetW,
  siteEvChargingNeeds,
  txProfileStored,
  txProfileStoredSince,
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

/** The station event of an EV's charging needs the station's actor accepted (it queued a schedule for them). */
const NEEDS_EVENT = 'ev-charging-needs';

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
export interface Renegotiated {
  readonly stationId: string;
  readonly transactionId: string;
  readonly profileId: number;
  /** Whether the schedule lowered the EV's TxProfile in force (to its share) or raised it. */
  readonly direction: Direction;
  readonly status: string;
}

type Direction = 'lowered' | 'raised';

/** A site to rebalance: by id or as the site of a station; `newNeeds` when a transaction's EV just sent its needs. */
export type RebalanceTarget =
  | { readonly siteId: string }
  | { readonly stationId: string; readonly newNeeds?: { readonly transactionId: string } };

/** One EV at the site with charging needs, and what its TxProfile is computed from. */
interface SiteEv {
  readonly stationId: string;
  readonly evseId: number;
  readonly transactionId: string;
  readonly needs: V201.ChargingNeedsType;
  readonly maxScheduleTuples: number | undefined;
  readonly operatorLimit: EvChargingNeedsRow['operator_limit'];
}

/**
 * Shares a site's power among the EVs charging there (ISO 15118 smart charging, K16 renegotiation initiated by the
 * CSMS): when a transaction at one of a site's stations ends ({@link ENDING_EVENTS}), an EV there sends charging needs
 * (`ev-charging-needs`, after the station's actor stored the schedule it queued for them), or the site is set (its
 * power or stations changed), each active 2.0.1 transaction at the site whose EV sent charging needs gets an equal
 * share of what the site's power leaves beside its other transactions' TxProfiles (site-shares.ts of @csms/db: never
 * less than the EV's minimum, the EVs whose minimum does not fit wait at 0 in the order their needs came, never more
 * than the EV can take within its station's limits). Its TxProfile is then computed again as for NotifyEVChargingNeeds
 * (packages/db charging-profiles/ev-tx-profile.ts) with that share as one more limit, and sent as
 * SetChargingProfileRequest (K16.FR.01) where it differs: first to every EV above its share (lowered), then to every
 * EV below it (raised), in the order the needs came. Each schedule the station accepts is stored by its actor before
 * the next one is computed, so the site's power is never allotted twice, not even for a moment.
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
  /** The subscriptions to each site station's events, by station id. */
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
    const follow = <T>(type: string, onEvent: (data: T) => RebalanceTarget | undefined) =>
      this.#deps.bus.subscribe<T | undefined>(
        Subjects.event(stationId, type),
        (message) => {
          const target = message.data === undefined ? undefined : onEvent(message.data);
          if (target) void this.enqueue(target).catch(() => undefined);
          return undefined;
        },
        { queue: REBALANCER_QUEUE },
      );
    return Promise.all([
      ...ENDING_EVENTS.map((type) =>
        follow<{ state?: unknown }>(type, (data) =>
          endsTransaction(type, data) ? { stationId } : undefined,
        ),
      ),
      follow<{ transactionId?: unknown }>(NEEDS_EVENT, (data) =>
        typeof data.transactionId === 'string'
          ? { stationId, newNeeds: { transactionId: data.transactionId } }
          : { stationId },
      ),
    ]);
  }

  /** Rebalances the site after everything queued before. */
  enqueue(of: RebalanceTarget): Promise<Renegotiated[]> {
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

  /** Shares the site's power among its EVs again and sends the schedules that change (see the class). */
  async rebalance(of: RebalanceTarget): Promise<Renegotiated[]> {
    const { db } = this.#deps;
    const site = await siteEvChargingNeeds(db, of);
    if (!site) return [];
    if ('newNeeds' in of && of.newNeeds) {
      const row = site.needs.find(
        (n) => n.station_id === of.stationId && n.transaction_id === of.newNeeds?.transactionId,
      );
      if (row) await this.#awaitQueuedSchedule(row);
    }
    const evs: SiteEv[] = site.needs.map((row) => ({
      stationId: row.station_id,
      evseId: row.evse_id,
      transactionId: row.transaction_id,
      needs: row.charging_needs as unknown as V201.ChargingNeedsType,
      maxScheduleTuples: row.max_schedule_tuples ?? undefined,
      operatorLimit: row.operator_limit,
    }));
    if (evs.length === 0) return [];
    const now = new Date();
    // Each EV's claim: what it could take with no site, within its station's limits and its own.
    const claims = await Promise.all(
      evs.map(async (ev) => {
        const plan = await evTxPlan(db, { ...ev, now, site: 'ignored' });
        if (!plan) return { maxW: 0, minW: 0 };
        const inW = (limit: number) => convertLimit(limit, plan.unit, 'W', plan.electrical);
        return { maxW: inW(plan.peak), minW: inW(plan.evMinimum) };
      }),
    );
    const shares = equalShares(await siteBudgetW(db, site, evs, now), claims);
    const sent: Renegotiated[] = [];
    // Lowered first: what is raised afterwards never adds up to more than the site's power.
    for (const direction of ['lowered', 'raised'] as const)
      for (const [i, ev] of evs.entries()) {
        const outcome = await this.#renegotiate(ev, shares[i] ?? 0, direction);
        if (outcome === 'stop') return sent;
        if (outcome) sent.push(outcome);
      }
    return sent;
  }

  /**
   * Waits (bounded) until the schedule the station's actor queued for an EV's new needs is stored (the station accepted
   * it): the site is shared with it in force, not with the one it replaces.
   */
  async #awaitQueuedSchedule(row: EvChargingNeedsRow): Promise<void> {
    const target = { stationId: row.station_id, transactionId: row.transaction_id };
    const since = new Date(row.received_at);
    if (!(await this.#eventually(() => txProfileStoredSince(this.#deps.db, target, since))))
      this.#deps.logger.warn(
        { ...target, withinMs: this.#storedWithinMs },
        'site rebalance: the schedule for the EV’s new charging needs was not stored in time; shared without it',
      );
  }

  /**
   * Sends the transaction's schedule, computed with its share of the site, if it moves its TxProfile in `direction`;
   * 'stop' when the site's allotments are not known now.
   */
  async #renegotiate(
    ev: SiteEv,
    shareW: number,
    direction: Direction,
  ): Promise<Renegotiated | undefined | 'stop'> {
    const { db, stations, logger } = this.#deps;
    const target = { stationId: ev.stationId, evseId: ev.evseId, transactionId: ev.transactionId };
    // Lowered to the share alone: what the others still hold above theirs (lowered next) must not push this one below
    // it. Raised within what is left too: the others' allotments in force are never exceeded in sum.
    const site = { shareW, andWhatIsLeft: direction === 'raised' };
    const plan = await evTxPlan(db, { ...ev, now: new Date(), site });
    if (!plan || !(direction === 'lowered' ? lowersTxProfile(plan) : raisesTxProfile(plan))) return undefined;
    const request = plan.request;
    const outcome = await stations.call(
      target.stationId,
      'SetChargingProfile',
      { ...request },
      {
        ...(this.#callTimeoutMs !== undefined ? { timeoutMs: this.#callTimeoutMs } : {}),
      },
    );
    const sent = { ...target, profileId: request.chargingProfile.id, direction };
    const log = logger.child({ ...sent, shareW });
    if (outcome.status !== 'result') {
      log.warn({ outcome: outcome.status }, 'site rebalance: the EV schedule was not sent');
      // The station may still have taken it (a timeout, a lost connection): its allotment is unknown until its answer
      // is stored, so the site's next EVs wait for the next rebalance.
      return NOT_TAKEN.has(outcome.status) ? undefined : 'stop';
    }
    const status = String(outcome.payload['status']);
    log.info(
      { status },
      `site rebalance: sent the EV a schedule that ${direction} its TxProfile to its share (K16)`,
    );
    if (status !== 'Accepted') return { ...sent, status };
    if (!(await this.#eventually(() => txProfileStored(db, target, request)))) {
      log.warn(
        { withinMs: this.#storedWithinMs },
        'site rebalance: the accepted schedule was not stored in time; the site waits for its next rebalance',
      );
      return 'stop';
    }
    return { ...sent, status };
  }

  /** Polls `check` until it holds, for at most the configured wait. */
  async #eventually(check: () => Promise<boolean>): Promise<boolean> {
    const deadline = Date.now() + this.#storedWithinMs;
    for (;;) {
      if (await check()) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
