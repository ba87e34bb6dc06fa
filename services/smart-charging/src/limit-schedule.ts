import type { smartChargingV1 as api } from '@csms/grpc';

/** One limit over a span of the composite schedule, in seconds from its start; `to` may be Infinity. */
interface Span {
  readonly from: number;
  readonly to: number;
  readonly limit: number;
}

/**
 * A station's composite schedule with external charging limits applied (GetCompositeScheduleResponse
 * `limited_schedule`): at every moment the lowest of the schedule's limit and the limits of the external schedules
 * in force then. The lowest limit wins, as a station merges its sources (2.0.1 SC.01); a station that applies its
 * external limits (K11.FR.01, K12.FR.01) already reports at most them, so the result differs from its schedule only
 * when the CSMS knows of a limit the station did not apply.
 *
 * Choices: an external schedule in another unit than the composite schedule is not applied (W and A convert only
 * with voltage and phases, unknown here); one without startSchedule starts when the CSMS received its notification
 * (`updateTime`); a span that starts or ends within a second is widened to whole seconds (the limit applies for
 * the whole second, never less). Periods keep the station's numberPhases and phaseToUse; the station's own period
 * starts are kept, and a new period starts wherever the limit changes. The schedule is returned as is when no
 * external schedule applies.
 */
export function applyExternalLimits(
  schedule: api.CompositeSchedule,
  limits: readonly api.ExternalChargingLimit[],
): api.CompositeSchedule {
  const start = schedule.scheduleStart?.getTime();
  if (start === undefined || schedule.periods.length === 0) return schedule;
  const end = schedule.duration === undefined ? Infinity : schedule.duration;
  const spans = limits
    .flatMap((limit) =>
      limit.schedules
        .filter((s) => s.chargingRateUnit === schedule.chargingRateUnit)
        .flatMap((s) => spansOf(s, (s.startSchedule ?? limit.updateTime)?.getTime(), start)),
    )
    .filter((span) => span.to > 0 && span.from < end);
  if (spans.length === 0) return schedule;
  const own = new Set(schedule.periods.map((p) => p.startPeriod));
  const bounds = [...new Set([...own, ...spans.flatMap((span) => [Math.max(0, span.from), span.to])])]
    .filter((t) => t < end && Number.isFinite(t))
    .sort((a, b) => a - b);
  const periods: api.ChargingSchedulePeriod[] = [];
  for (const t of bounds) {
    const base = periodAt(schedule.periods, t);
    if (!base) continue;
    const limit = Math.min(
      base.limit,
      ...spans.filter((span) => span.from <= t && t < span.to).map((span) => span.limit),
    );
    const period: api.ChargingSchedulePeriod = { ...base, startPeriod: t, limit };
    const previous = periods[periods.length - 1];
    if (previous && !own.has(t) && samePeriod(previous, period)) continue;
    periods.push(period);
  }
  return { ...schedule, periods };
}

/** The spans of an external schedule starting at `at` (ms), in whole seconds from `origin` (ms). */
function spansOf(schedule: api.ChargingSchedule, at: number | undefined, origin: number): Span[] {
  if (at === undefined) return [];
  const offset = (at - origin) / 1000;
  const stop = schedule.duration === undefined ? Infinity : offset + schedule.duration;
  return schedule.periods.map((period, i) => {
    const next = schedule.periods[i + 1];
    const to = next === undefined ? stop : Math.min(stop, offset + next.startPeriod);
    return { from: Math.floor(offset + period.startPeriod), to: Math.ceil(to), limit: period.limit };
  });
}

/** The period of `periods` (ordered by startPeriod) in force `t` seconds from the start. */
function periodAt(
  periods: readonly api.ChargingSchedulePeriod[],
  t: number,
): api.ChargingSchedulePeriod | undefined {
  let found: api.ChargingSchedulePeriod | undefined;
  for (const period of periods) if (period.startPeriod <= t) found = period;
  return found;
}

function samePeriod(a: api.ChargingSchedulePeriod, b: api.ChargingSchedulePeriod): boolean {
  return a.limit === b.limit && a.numberPhases === b.numberPhases && a.phaseToUse === b.phaseToUse;
}
