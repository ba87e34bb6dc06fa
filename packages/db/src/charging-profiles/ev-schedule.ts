import type { V201 } from '@csms/ocpp';

/**
 * ISO 15118 smart charging (OCPP 2.0.1 K15-K17), pure: the charging schedule the CSMS offers an EV within the limits
 * it knows, and the check of the EV's own schedule against the limit the CSMS sent. Times are ms since the epoch;
 * limits are in the schedule's unit (A per phase, or W).
 */

export type RateUnit = 'A' | 'W';

/** A limit over [from, to) (ms since the epoch); `to` may be Infinity. */
export interface LimitSpan {
  readonly from: number;
  readonly to: number;
  readonly limit: number;
}

/** How A and W convert for this EV: AC at the nominal line voltage and the period's phases, DC at the EV's voltage. */
export interface Electrical {
  readonly kind: 'AC' | 'DC';
  /** DC: the EV's maximum voltage (V). */
  readonly voltage: number;
}

/** Line voltage used to convert W and A for AC (K01.FR.50: the set voltage for the area, not a measured one). */
export const AC_LINE_VOLTAGE = 230;
/** A stored EV schedule's periods may be late or early by this much against the CSMS's schedule (ISO 15118 timing). */
export const SCHEDULE_GRACE_MS = 60_000;

/** `value` in `from` units as `to` units (AC: K01.FR.50, phases default 3, K01.FR.49; DC: P = U × I). */
export function convertLimit(
  value: number,
  from: RateUnit,
  to: RateUnit,
  electrical: Electrical,
  numberPhases?: number,
): number {
  if (from === to) return value;
  const volts = electrical.kind === 'AC' ? AC_LINE_VOLTAGE * (numberPhases ?? 3) : electrical.voltage;
  if (!(volts > 0)) return Infinity;
  return from === 'W' ? value / volts : value * volts;
}

/** The EV's electrical kind and its own maximum in the unit the CSMS schedules it in (AC: A, DC: W). */
export function evMaximum(
  needs: V201.ChargingNeedsType,
): { electrical: Electrical; unit: RateUnit; max: number; min?: number } | undefined {
  const ac = needs.acChargingParameters;
  if (ac)
    return {
      electrical: { kind: 'AC', voltage: ac.evMaxVoltage },
      unit: 'A',
      max: ac.evMaxCurrent,
      min: ac.evMinCurrent,
    };
  const dc = needs.dcChargingParameters;
  if (dc) {
    return {
      electrical: { kind: 'DC', voltage: dc.evMaxVoltage },
      unit: 'W',
      max: dc.evMaxPower ?? dc.evMaxCurrent * dc.evMaxVoltage,
    };
  }
  return undefined;
}

/**
 * The spans of one charging schedule starting at `start` (ms), converted to `unit`. A period lasts until the next one
 * starts or the schedule's duration ends (K01.FR.11, K01.FR.12).
 */
export function scheduleSpans(
  schedule: V201.ChargingScheduleType,
  start: number,
  unit: RateUnit,
  electrical: Electrical,
): (LimitSpan & { readonly startPeriod: number })[] {
  const end = schedule.duration === undefined ? Infinity : start + schedule.duration * 1000;
  const periods = schedule.chargingSchedulePeriod;
  return periods
    .map((period, i) => {
      const next = periods[i + 1];
      const to = next === undefined ? end : Math.min(end, start + next.startPeriod * 1000);
      const limit = convertLimit(
        period.limit,
        schedule.chargingRateUnit,
        unit,
        electrical,
        period.numberPhases,
      );
      return { from: start + period.startPeriod * 1000, to, limit, startPeriod: period.startPeriod };
    })
    .filter((span) => span.to > span.from);
}

const RECURRENCE_MS = { Daily: 86_400_000, Weekly: 7 * 86_400_000 } as const;

/**
 * The spans of a stored 2.0.1 profile in force around `now`, within its validity (K01.FR.36, K01.FR.37): Absolute from
 * its startSchedule, Relative from `now` (K01.FR.41: it starts when activated; for a running transaction the CSMS
 * does not know that moment better), Recurring from its latest occurrence before `now` and the next one.
 */
export function profileSpans(
  profile: V201.ChargingProfileType,
  now: number,
  unit: RateUnit,
  electrical: Electrical,
): LimitSpan[] {
  const schedule = profile.chargingSchedule[0];
  if (!schedule) return [];
  const validFrom = profile.validFrom ? Date.parse(profile.validFrom) : -Infinity;
  const validTo = profile.validTo ? Date.parse(profile.validTo) : Infinity;
  const declared = schedule.startSchedule ? Date.parse(schedule.startSchedule) : now;
  if (profile.chargingProfileKind === 'Recurring' && profile.recurrencyKind) {
    const every = RECURRENCE_MS[profile.recurrencyKind];
    const latest = declared + Math.floor((now - declared) / every) * every;
    const bounded = { ...schedule, duration: Math.min(schedule.duration ?? Infinity, every / 1000) };
    return [latest, latest + every].flatMap((s) =>
      clip(scheduleSpans(bounded, s, unit, electrical), validFrom, validTo),
    );
  }
  const start = profile.chargingProfileKind === 'Relative' ? now : declared;
  return clip(scheduleSpans(schedule, start, unit, electrical), validFrom, validTo);
}

function clip(spans: LimitSpan[], from: number, to: number): LimitSpan[] {
  return spans
    .map((s) => ({ ...s, from: Math.max(s.from, from), to: Math.min(s.to, to) }))
    .filter((s) => s.to > s.from);
}

/**
 * Limits that stack: of a purpose's profiles the one of the highest stack level with a period in force wins (K01.FR.17);
 * each group is a list of profiles' spans ordered by descending stack level.
 */
export type StackedLimits = readonly (readonly LimitSpan[])[];

/** The span in force at `t` of a group's highest stack level that has one (K01.FR.17), if any. */
function inForce(group: StackedLimits, t: number): LimitSpan | undefined {
  for (const spans of group) {
    const span = spans.find((s) => s.from <= t && t < s.to);
    if (span) return span;
  }
  return undefined;
}

/**
 * The whole time line cut at every finite edge of `spans`, each piece with `valueAt` its start (the first piece, which
 * starts at -Infinity, with the value just before its end).
 */
function segments(spans: readonly LimitSpan[], valueAt: (t: number) => number): LimitSpan[] {
  const edges = [...new Set(spans.flatMap((s) => [s.from, s.to]))]
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const cuts = [-Infinity, ...edges, Infinity];
  return cuts.slice(0, -1).map((from, i) => {
    const to = cuts[i + 1]!;
    return { from, to, limit: valueAt(from === -Infinity ? to - 1 : from) };
  });
}

/** The lowest limit in force at `t`: of every group's winning profile, of every plain span, and `ceiling`. */
function limitAt(
  t: number,
  groups: readonly StackedLimits[],
  plain: readonly LimitSpan[],
  ceiling: number,
): number {
  let limit = ceiling;
  for (const group of groups) limit = Math.min(limit, inForce(group, t)?.limit ?? Infinity);
  return Math.min(limit, lowestAt(plain, t) ?? Infinity);
}

/**
 * What a site's limit leaves for one more EV (K15.FR.07 "within the limits"): over time, `maxPowerW` less what the
 * site's other transactions are allotted, as spans in the EV's `unit`, never below 0. Each other transaction is a list
 * of its TxProfiles' spans in W by descending stack level: the highest one in force counts (K01.FR.17); where none is
 * in force the transaction counts 0 (the CSMS allotted it nothing then). Covers the whole time line.
 */
export function siteLimitSpans(
  maxPowerW: number,
  others: readonly StackedLimits[],
  unit: RateUnit,
  electrical: Electrical,
): LimitSpan[] {
  const pieces = segments(others.flat(2), (t) => {
    let allotted = 0;
    for (const tx of others) allotted += Math.max(0, inForce(tx, t)?.limit ?? 0);
    return convertLimit(Math.max(0, maxPowerW - allotted), 'W', unit, electrical);
  });
  const spans: LimitSpan[] = [];
  for (const piece of pieces) {
    const last = spans.at(-1);
    if (last?.limit === piece.limit) spans[spans.length - 1] = { ...last, to: piece.to };
    else spans.push(piece);
  }
  return spans;
}

export interface EvScheduleInput {
  /** The schedule's start (ms; rounded down to a whole second). */
  readonly now: number;
  readonly needs: V201.ChargingNeedsType;
  /** The most periods the schedule may have: maxScheduleTuples and SmartChargingCtrlr.PeriodsPerSchedule (K15.FR.07). */
  readonly maxPeriods: number | undefined;
  /** Stacked profiles, one group per purpose (ChargingStationMaxProfile, TxDefaultProfile), in the EV's unit. */
  readonly stacked: readonly StackedLimits[];
  /** Limits that all apply (external limits, an operator's limit), in the EV's unit. */
  readonly limits: readonly LimitSpan[];
}

/**
 * The charging schedule the CSMS offers an EV (K15.FR.07, K17.FR.07): from now until its departure time (open-ended
 * without one), at every moment the lowest of the EV's maximum and the limits in force, in A for AC and W for DC,
 * with at most `maxPeriods` periods (adjacent periods merged at the lower limit, so it never exceeds a limit).
 * Limits are rounded down to 0.1 A / 1 W. Undefined when the needs carry neither AC nor DC parameters (K15.FR.06).
 */
export function computeEvSchedule(input: EvScheduleInput): V201.ChargingScheduleType | undefined {
  const ev = evMaximum(input.needs);
  if (!ev) return undefined;
  const start = Math.floor(input.now / 1000) * 1000;
  const departure = input.needs.departureTime ? Date.parse(input.needs.departureTime) : NaN;
  const end = Number.isFinite(departure) && departure > start + 1000 ? departure : Infinity;
  const edges = [
    ...input.stacked.flatMap((group) => group.flatMap((spans) => spans)),
    ...input.limits,
  ].flatMap((s) => [Math.floor(s.from / 1000) * 1000, Math.ceil(s.to / 1000) * 1000]);
  const bounds = [...new Set([start, ...edges])].filter((t) => t >= start && t < end).sort((a, b) => a - b);
  let periods: { startPeriod: number; limit: number }[] = [];
  for (const t of bounds) {
    // The lowest limit in force anywhere within the whole second (a limit starting mid-second applies from its start).
    const limit = Math.min(limitAt(t, input.stacked, input.limits, ev.max), limitWithinSecond(t, input));
    const rounded =
      ev.unit === 'A' ? Math.floor(Math.max(0, limit) * 10) / 10 : Math.floor(Math.max(0, limit));
    if (periods.at(-1)?.limit === rounded) continue;
    periods.push({ startPeriod: (t - start) / 1000, limit: rounded });
  }
  periods = reducePeriods(periods, Math.max(1, input.maxPeriods ?? Infinity));
  return {
    id: 1,
    startSchedule: new Date(start).toISOString(),
    ...(end !== Infinity ? { duration: Math.ceil((end - start) / 1000) } : {}),
    chargingRateUnit: ev.unit,
    chargingSchedulePeriod: periods,
    ...(ev.min !== undefined && ev.min > 0 ? { minChargingRate: ev.min } : {}),
  };
}

function limitWithinSecond(t: number, input: EvScheduleInput): number {
  const inside = [...input.stacked.flatMap((g) => g.flat()), ...input.limits].filter(
    (s) => s.from > t && s.from < t + 1000,
  );
  return inside.length === 0
    ? Infinity
    : Math.min(...inside.map((s) => limitAt(s.from, input.stacked, input.limits, Infinity)));
}

/** Merges adjacent periods (the pair closest in limit first, at the lower one) until at most `max` remain. */
export function reducePeriods<P extends { startPeriod: number; limit: number }>(
  periods: P[],
  max: number,
): P[] {
  const out = [...periods];
  while (out.length > max) {
    let best = 0;
    for (let i = 1; i < out.length - 1; i++) {
      if (Math.abs(out[i]!.limit - out[i + 1]!.limit) < Math.abs(out[best]!.limit - out[best + 1]!.limit))
        best = i;
    }
    const [a, b] = [out[best]!, out[best + 1]!];
    out.splice(best, 2, { ...a, limit: Math.min(a.limit, b.limit) });
  }
  return out;
}

/**
 * Where an EV's schedule (NotifyEVChargingSchedule, K15.FR.11/12) exceeds the limits the CSMS set: the startPeriod of
 * the first period that is above the lowest limit in force for longer than `graceMs` either side (the EV's timeBase
 * may differ from the CSMS schedule's start by the time the ISO 15118 exchange took), or undefined when it is within.
 * `limits` are in the EV schedule's unit; where none is in force nothing is exceeded.
 */
export function exceedingPeriod(
  schedule: V201.ChargingScheduleType,
  timeBase: number,
  limits: readonly LimitSpan[],
  electrical: Electrical,
  graceMs = SCHEDULE_GRACE_MS,
): number | undefined {
  const unit = schedule.chargingRateUnit;
  const evSpans = scheduleSpans(schedule, timeBase, unit, electrical);
  // Segments of constant lowest limit over the whole time line.
  const lowest = segments(limits, (t) => limitAt(t, [], limits, Infinity));
  for (const span of evSpans) {
    const tolerance = Math.max(1e-6, Math.abs(span.limit) * 1e-9);
    // Maximal runs where the limit is below the EV's, shrunk by the grace either side.
    const bad = mergeRuns(lowest.filter((s) => s.limit + tolerance < span.limit));
    if (bad.some((run) => Math.max(run.from + graceMs, span.from) < Math.min(run.to - graceMs, span.to)))
      return span.startPeriod;
  }
  return undefined;
}

/**
 * Whether `a` allows more than `b` at some moment from `from` on, comparing only where both have a span in force (the
 * lowest of each): a new schedule for an EV against the one in force (it raises it), or the reverse (it lowers it).
 */
export function allowsMoreThan(a: readonly LimitSpan[], b: readonly LimitSpan[], from: number): boolean {
  const edges = new Set([from, ...[...a, ...b].flatMap((s) => [s.from, s.to])]);
  for (const t of edges) {
    if (!(t >= from) || !Number.isFinite(t)) continue;
    const x = lowestAt(a, t);
    const y = lowestAt(b, t);
    if (x !== undefined && y !== undefined && x > y + Math.max(1e-6, Math.abs(y) * 1e-9)) return true;
  }
  return false;
}

/** The lowest limit of the spans in force at `t`; undefined when none is. */
function lowestAt(spans: readonly LimitSpan[], t: number): number | undefined {
  let lowest: number | undefined;
  for (const s of spans) if (s.from <= t && t < s.to) lowest = Math.min(lowest ?? Infinity, s.limit);
  return lowest;
}

function mergeRuns(segments: readonly { from: number; to: number }[]): { from: number; to: number }[] {
  const runs: { from: number; to: number }[] = [];
  for (const s of segments) {
    const last = runs.at(-1);
    if (last && last.to === s.from) last.to = s.to;
    else runs.push({ from: s.from, to: s.to });
  }
  return runs;
}
