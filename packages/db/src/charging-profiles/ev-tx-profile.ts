import type { Kysely } from 'kysely';
import type { V201 } from '@csms/ocpp';
import type { Database } from '../schema.js';
import { reportedVariableValues } from '../station-reports/message-limits.js';
import { siteAllotments, siteTxProfiles } from './charging-sites.js';
import { nextEvProfileId, profilesForEvse } from './ev-charging.js';
import {
  AC_LINE_VOLTAGE,
  allowsMoreThan,
  computeEvSchedule,
  convertLimit,
  evMaximum,
  profileSpans,
  scheduleSpans,
  siteLimitSpans,
  type Electrical,
  type LimitSpan,
  type RateUnit,
} from './ev-schedule.js';
import { listExternalChargingLimits } from './external-limits.js';
import type { ChargingProfileRow } from './schema.js';

/**
 * The TxProfile the CSMS sends for an EV's charging needs (K15.FR.07, K16, K17.FR.07), from what the CSMS knows: the
 * station's profiles as the CSMS stored them, the external limits the station notified, an operator's limit, what the
 * station's site has left (its limit less the TxProfiles of the site's other active transactions), the EV's own
 * maximum and the periods the EV and the station take.
 */

export interface EvTxProfileInput {
  readonly stationId: string;
  readonly evseId: number;
  readonly transactionId: string;
  readonly needs: V201.ChargingNeedsType;
  readonly maxScheduleTuples: number | undefined;
  /** A limit an operator set for the transaction (RenegotiateChargingSchedule), kept in ev_charging_needs. */
  readonly operatorLimit?: { readonly limit: number; readonly chargingRateUnit: string } | null | undefined;
  readonly now: Date;
  /**
   * The station's site as a limit: by default what the site's power leaves beside the TxProfiles of its other active
   * transactions; `{ shareW }` at most the EV's share of the site (W, site-shares.ts), and with `andWhatIsLeft` no more
   * than that leaves either; `'ignored'` none (what the EV could take at all: its claim on the site).
   */
  readonly site?: { readonly shareW: number; readonly andWhatIsLeft: boolean } | 'ignored';
}

/** A TxProfile computed for an EV, with the one in force it would replace. */
export interface EvTxPlan {
  readonly request: V201.SetChargingProfileRequest;
  /** The schedule's start (ms). */
  readonly start: number;
  /** The schedule as spans in its unit. */
  readonly spans: readonly LimitSpan[];
  /** The highest limit of the schedule (its unit). */
  readonly peak: number;
  /**
   * The transaction's TxProfile in force (the highest stack level the CSMS stored) as spans in the schedule's unit;
   * undefined when the CSMS stored none.
   */
  readonly current: readonly LimitSpan[] | undefined;
  readonly unit: RateUnit;
  readonly electrical: Electrical;
  /** The EV's own minimum (its unit; 0 when it stated none). */
  readonly evMinimum: number;
}

/** The SetChargingProfileRequest for the EV, or undefined when its needs carry neither AC nor DC parameters. */
export async function planEvTxProfile(
  db: Kysely<Database>,
  input: EvTxProfileInput,
): Promise<V201.SetChargingProfileRequest | undefined> {
  return (await evTxPlan(db, input))?.request;
}

/** {@link planEvTxProfile} with what the plan is compared against (one read of the EVSE's profiles for both). */
export async function evTxPlan(db: Kysely<Database>, input: EvTxProfileInput): Promise<EvTxPlan | undefined> {
  const ev = evMaximum(input.needs);
  if (!ev) return undefined;
  const now = input.now.getTime();
  const rows = await profilesForEvse(db, input.stationId, input.evseId, input.transactionId);
  const spansOf = (purpose: string) =>
    rows
      .filter((row) => row.purpose === purpose)
      .map((row) => profileSpans(payloadOf(row), now, ev.unit, ev.electrical));
  const share = typeof input.site === 'object' ? input.site.shareW : undefined;
  const whatIsLeft = input.site === undefined || (typeof input.site === 'object' && input.site.andWhatIsLeft);
  const limits = [
    ...(await externalLimitSpans(db, input.stationId, input.evseId, ev.unit, ev.electrical)),
    ...operatorSpans(input.operatorLimit, ev.unit, ev.electrical),
    ...(whatIsLeft ? await siteSpans(db, input, now, ev.unit, ev.electrical) : []),
    ...(share === undefined
      ? []
      : operatorSpans({ limit: share, chargingRateUnit: 'W' }, ev.unit, ev.electrical)),
  ];
  const schedule = computeEvSchedule({
    now,
    needs: input.needs,
    maxPeriods: minDefined(input.maxScheduleTuples, await periodsPerSchedule(db, input.stationId)),
    // K15.FR.07 note: the station caps the TxProfile by ChargingStationMaxProfile; the TxDefaultProfile is the
    // operator's limit for transactions on the EVSE, which the computed TxProfile keeps to as well.
    stacked: [spansOf('ChargingStationMaxProfile'), spansOf('TxDefaultProfile')],
    limits,
  });
  if (!schedule?.startSchedule) return undefined;
  // The transaction's TxProfile of the highest stack level is replaced (same id, K01.FR.05), so the new schedule is
  // the one in force and no two TxProfiles share a stack level (K01.FR.39).
  const current = rows.find((row) => row.purpose === 'TxProfile');
  const start = Date.parse(schedule.startSchedule);
  const spans = scheduleSpans(schedule, start, ev.unit, ev.electrical);
  return {
    request: {
      evseId: input.evseId,
      chargingProfile: {
        id: current?.profile_id ?? (await nextEvProfileId(db, input.stationId)),
        stackLevel: current?.stack_level ?? 0,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Absolute',
        transactionId: input.transactionId,
        chargingSchedule: [schedule],
      },
    },
    start,
    spans,
    peak: Math.max(0, ...spans.map((s) => s.limit)),
    current: current ? profileSpans(payloadOf(current), now, ev.unit, ev.electrical) : undefined,
    unit: ev.unit,
    electrical: ev.electrical,
    evMinimum: ev.min ?? 0,
  };
}

/**
 * The limits an EV's schedule is checked against (K15.FR.11/12, K16.FR.06/07, K17.FR.11/12), in `unit`: the schedule
 * of the transaction's TxProfile in force (the highest stack level the CSMS stored) and the external limits.
 */
export async function evScheduleLimits(
  db: Kysely<Database>,
  target: { readonly stationId: string; readonly evseId: number; readonly transactionId: string },
  unit: RateUnit,
  electrical: Electrical,
  now: Date,
): Promise<{ limits: LimitSpan[]; txProfileId: number | undefined }> {
  const rows = await profilesForEvse(db, target.stationId, target.evseId, target.transactionId);
  const tx = rows.find((row) => row.purpose === 'TxProfile');
  const txSpans = tx ? profileSpans(payloadOf(tx), now.getTime(), unit, electrical) : [];
  const external = await externalLimitSpans(db, target.stationId, target.evseId, unit, electrical);
  return { limits: [...txSpans, ...external], txProfileId: tx?.profile_id };
}

/**
 * Whether the plan lets the EV draw more than the TxProfile in force at some moment from the plan's start; false when
 * the CSMS stored none (nothing of the EV's was held back).
 */
export function raisesTxProfile(plan: EvTxPlan): boolean {
  return plan.current !== undefined && allowsMoreThan(plan.spans, plan.current, plan.start);
}

/** Whether the TxProfile in force lets the EV draw more than the plan at some moment from the plan's start. */
export function lowersTxProfile(plan: EvTxPlan): boolean {
  return plan.current !== undefined && allowsMoreThan(plan.current, plan.spans, plan.start);
}

/**
 * What a site's power leaves for its EVs with charging needs (W, never below 0): the site's power less, for each of its
 * other active transactions, the highest limit from `now` on of the TxProfiles the CSMS installed for it (a limit in A
 * counting as AC at 230 V on the period's phases, as in {@link siteSpans}). `evs` are the transactions shared among.
 */
export async function siteBudgetW(
  db: Kysely<Database>,
  site: { readonly siteId: string; readonly maxPowerW: number },
  evs: readonly { readonly stationId: string; readonly transactionId: string }[],
  now: Date,
): Promise<number> {
  const shared = new Set(evs.map((ev) => transactionKey(ev.stationId, ev.transactionId)));
  const ac: Electrical = { kind: 'AC', voltage: AC_LINE_VOLTAGE };
  const peaks = new Map<string, number>();
  for (const row of await siteTxProfiles(db, site.siteId)) {
    const key = transactionKey(row.station_id, row.transaction_id);
    if (shared.has(key)) continue;
    const spans = profileSpans(payloadOf(row), now.getTime(), 'W', ac).filter((s) => s.to > now.getTime());
    peaks.set(key, Math.max(peaks.get(key) ?? 0, ...spans.map((s) => s.limit)));
  }
  let allotted = 0;
  for (const peak of peaks.values()) allotted += peak;
  return Math.max(0, site.maxPowerW - allotted);
}

/**
 * Whether the transaction's stored TxProfile is `plan`'s (its id, start and periods): the station's actor stores a
 * profile once the station accepted it, a moment after the station's answer.
 */
export async function txProfileStored(
  db: Kysely<Database>,
  target: { readonly stationId: string; readonly evseId: number; readonly transactionId: string },
  plan: V201.SetChargingProfileRequest,
): Promise<boolean> {
  const rows = await profilesForEvse(db, target.stationId, target.evseId, target.transactionId);
  const stored = rows.find(
    (row) => row.purpose === 'TxProfile' && row.profile_id === plan.chargingProfile.id,
  );
  if (!stored) return false;
  const shape = (s: V201.ChargingScheduleType | undefined) =>
    JSON.stringify([s?.startSchedule, s?.chargingSchedulePeriod.map((p) => [p.startPeriod, p.limit])]);
  return shape(payloadOf(stored).chargingSchedule[0]) === shape(plan.chargingProfile.chargingSchedule[0]);
}

/**
 * Whether the CSMS stored a TxProfile for the transaction at or after `since` (a time of the database's clock, e.g. the
 * received_at of the transaction's charging needs): the one the station's actor queued for those needs was accepted.
 */
export async function txProfileStoredSince(
  db: Kysely<Database>,
  target: { readonly stationId: string; readonly transactionId: string },
  since: Date,
): Promise<boolean> {
  const row = await db
    .selectFrom('charging_profiles')
    .select('profile_id')
    .where('station_id', '=', target.stationId)
    .where('transaction_id', '=', target.transactionId)
    .where('purpose', '=', 'TxProfile')
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return row !== undefined;
}

/** One key per transaction of a site (transaction ids are unique per station only). */
function transactionKey(stationId: string, transactionId: string | null): string {
  return `${stationId}\u0000${transactionId}`;
}

/** A stored profile as a 2.0.1 ChargingProfileType (a 1.6 csChargingProfiles has one chargingSchedule, not a list). */
function payloadOf(row: ChargingProfileRow): V201.ChargingProfileType {
  if (row.ocpp_version !== 'ocpp1.6') return row.profile as unknown as V201.ChargingProfileType;
  const { chargingSchedule, ...rest } = row.profile as { chargingSchedule?: V201.ChargingScheduleType };
  return {
    ...rest,
    chargingSchedule: chargingSchedule ? [chargingSchedule] : [],
  } as V201.ChargingProfileType;
}

/**
 * The station's site limit as spans in the EV's unit (none when the station belongs to no site): the site's power less
 * what the CSMS allotted the site's other active transactions with TxProfiles (1.6 or 2.0.1; a limit in A counts as AC
 * at 230 V on the period's phases, 3 by default: K01.FR.49/50). A transaction without a TxProfile from the CSMS draws
 * what its station's own limits allow, which the CSMS does not count (docs/api.md "Sites").
 */
async function siteSpans(
  db: Kysely<Database>,
  input: EvTxProfileInput,
  now: number,
  unit: RateUnit,
  electrical: Electrical,
): Promise<LimitSpan[]> {
  const site = await siteAllotments(db, input);
  if (!site) return [];
  const ac: Electrical = { kind: 'AC', voltage: AC_LINE_VOLTAGE };
  const byTransaction = new Map<string, LimitSpan[][]>();
  for (const row of site.txProfiles) {
    const key = transactionKey(row.station_id, row.transaction_id);
    const spans = profileSpans(payloadOf(row), now, 'W', ac);
    const profiles = byTransaction.get(key);
    if (profiles) profiles.push(spans);
    else byTransaction.set(key, [spans]);
  }
  return siteLimitSpans(site.maxPowerW, [...byTransaction.values()], unit, electrical);
}

/** The external limits of the EVSE and of the whole station (a schedule without startSchedule starts when received). */
async function externalLimitSpans(
  db: Kysely<Database>,
  stationId: string,
  evseId: number,
  unit: RateUnit,
  electrical: Electrical,
): Promise<LimitSpan[]> {
  const rows = await listExternalChargingLimits(db, stationId, [0, evseId]);
  return rows.flatMap((row) =>
    (row.schedules as unknown as V201.ChargingScheduleType[]).flatMap((schedule) => {
      const start = schedule.startSchedule
        ? Date.parse(schedule.startSchedule)
        : new Date(row.received_at).getTime();
      return scheduleSpans(schedule, start, unit, electrical);
    }),
  );
}

function operatorSpans(
  limit: EvTxProfileInput['operatorLimit'],
  unit: RateUnit,
  electrical: Electrical,
): LimitSpan[] {
  if (!limit || (limit.chargingRateUnit !== 'A' && limit.chargingRateUnit !== 'W')) return [];
  return [
    {
      from: -Infinity,
      to: Infinity,
      limit: convertLimit(limit.limit, limit.chargingRateUnit, unit, electrical),
    },
  ];
}

/** SmartChargingCtrlr.PeriodsPerSchedule as the station reported it (K15.FR.07), if it did. */
async function periodsPerSchedule(db: Kysely<Database>, stationId: string): Promise<number | undefined> {
  const [reported] = await reportedVariableValues(db, stationId, [
    { component: 'SmartChargingCtrlr', variable: 'PeriodsPerSchedule' },
  ]);
  const value = Number(reported?.value);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || a <= 0) return b;
  return b === undefined ? a : Math.min(a, b);
}
