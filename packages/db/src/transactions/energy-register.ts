import type { MeterValue201 } from './transaction-event-201.js';

export interface RegisterSample {
  readonly wh: number;
  readonly at: number;
  readonly context: string;
}

const REGISTER = 'Energy.Active.Import.Register';

/**
 * The total (not per-phase) Energy.Active.Import.Register readings at the outlet, in Wh. Defaults per
 * SampledValueType: measurand Energy.Active.Import.Register, context Sample.Periodic, location Outlet,
 * unit Wh, multiplier 0 (10^multiplier). Readings in other units than Wh / kWh are ignored.
 */
export function energyRegisterSamples(meterValues: readonly MeterValue201[]): RegisterSample[] {
  const out: RegisterSample[] = [];
  for (const mv of meterValues) {
    const at = new Date(mv.timestamp).getTime();
    for (const sv of mv.sampledValue) {
      if ((sv.measurand ?? REGISTER) !== REGISTER || sv.phase !== undefined) continue;
      if ((sv.location ?? 'Outlet') !== 'Outlet') continue;
      const unit = sv.unitOfMeasure?.unit ?? 'Wh';
      const exponent = (sv.unitOfMeasure?.multiplier ?? 0) + (unit === 'kWh' ? 3 : 0);
      if (unit !== 'Wh' && unit !== 'kWh') continue;
      const wh = Math.round(sv.value * 10 ** exponent * 1e6) / 1e6;
      out.push({ wh, at, context: sv.context ?? 'Sample.Periodic' });
    }
  }
  return out;
}

function earliest(samples: readonly RegisterSample[]): RegisterSample {
  return samples.reduce((a, b) => (b.at < a.at ? b : a));
}

function latest(samples: readonly RegisterSample[]): RegisterSample {
  return samples.reduce((a, b) => (b.at >= a.at ? b : a));
}

/**
 * The row's meter_start / meter_stop after an event (Wh): meter_start is the register sample with context
 * Transaction.Begin (in Started, or in an Updated when the EVSE was not known at start: E01.FR.09 /
 * E01.FR.17), else the earliest register sample of the Started event; meter_stop is the Ended event's
 * Transaction.End register sample (E06.FR.11), else its latest register sample. Otherwise both are kept.
 */
export function meterReadings(
  stored: { readonly meterStart: number | null; readonly meterStop: number | null },
  event: { readonly eventType: string; readonly meterValue?: readonly MeterValue201[] },
): { meterStart: number | null; meterStop: number | null } {
  const samples = energyRegisterSamples(event.meterValue ?? []);
  let { meterStart, meterStop } = stored;
  const begin = samples.filter((s) => s.context === 'Transaction.Begin');
  if (begin.length > 0) meterStart = earliest(begin).wh;
  else if (event.eventType === 'Started' && meterStart === null && samples.length > 0)
    meterStart = earliest(samples).wh;
  if (event.eventType === 'Ended' && samples.length > 0) {
    const end = samples.filter((s) => s.context === 'Transaction.End');
    meterStop = latest(end.length > 0 ? end : samples).wh;
  }
  return { meterStart, meterStop };
}

/** The earliest and the latest register reading of a transaction's events (Wh, with their times). */
export interface RegisterSpan {
  readonly firstWh: number | null;
  readonly firstAt: Date | null;
  readonly lastWh: number | null;
  readonly lastAt: Date | null;
}

/**
 * The span after one more event: its register samples replace the first / last reading when they are
 * earlier / later (by sample timestamp), so the span does not depend on the order events arrive in
 * (offline-queued events come late, E04.FR.02; Updated events may be dropped, E04.FR.07).
 */
export function widenRegisterSpan(stored: RegisterSpan, meterValues: readonly MeterValue201[]): RegisterSpan {
  const samples = energyRegisterSamples(meterValues);
  if (samples.length === 0) return stored;
  const first = earliest(samples);
  const last = latest(samples);
  const keepFirst = stored.firstAt !== null && stored.firstAt.getTime() <= first.at;
  const keepLast = stored.lastAt !== null && stored.lastAt.getTime() > last.at;
  return {
    firstWh: keepFirst ? stored.firstWh : first.wh,
    firstAt: keepFirst ? stored.firstAt : new Date(first.at),
    lastWh: keepLast ? stored.lastWh : last.wh,
    lastAt: keepLast ? stored.lastAt : new Date(last.at),
  };
}

/**
 * A transaction's energy (Wh): from its meter start (Transaction.Begin / StartTransaction) or else its
 * first register reading, to its meter stop (Transaction.End / StopTransaction) or else its latest
 * register reading; undefined while either end is unknown. So a 2.0.1 transaction whose readings came
 * only in Updated events has an energy while it is active and after it ended.
 */
export function transactionEnergyWh(row: {
  readonly meter_start: number | null;
  readonly meter_stop: number | null;
  readonly register_first_wh: number | null;
  readonly register_last_wh: number | null;
}): number | undefined {
  const start = row.meter_start ?? row.register_first_wh;
  const stop = row.meter_stop ?? row.register_last_wh;
  if (start === null || stop === null) return undefined;
  return Math.round((stop - start) * 1e6) / 1e6;
}
