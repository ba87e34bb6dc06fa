import { sql } from 'kysely';
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
 * What one 2.0.1 TransactionEvent says about its transaction's meter readings (Wh), for
 * {@link readingsSet}: each is null when the event says nothing of it.
 */
export interface EventReadings {
  readonly seqNo: number;
  /** The earliest register sample with context Transaction.Begin (E01.FR.09 / E01.FR.17). */
  readonly beginWh: number | null;
  /** A Started event's earliest register sample (the meter start while no other is known). */
  readonly startedWh: number | null;
  /** An Ended event's Transaction.End register sample (E06.FR.11), else its latest. */
  readonly stopWh: number | null;
  /** The event's earliest and latest register samples, with their times. */
  readonly firstWh: number | null;
  readonly firstAt: Date | null;
  readonly lastWh: number | null;
  readonly lastAt: Date | null;
}

export function eventReadings(event: {
  readonly eventType: string;
  readonly seqNo: number;
  readonly meterValue?: readonly MeterValue201[];
}): EventReadings {
  const samples = energyRegisterSamples(event.meterValue ?? []);
  if (samples.length === 0)
    return {
      seqNo: event.seqNo,
      beginWh: null,
      startedWh: null,
      stopWh: null,
      firstWh: null,
      firstAt: null,
      lastWh: null,
      lastAt: null,
    };
  const begin = samples.filter((s) => s.context === 'Transaction.Begin');
  const end = samples.filter((s) => s.context === 'Transaction.End');
  const first = earliest(samples);
  const last = latest(samples);
  return {
    seqNo: event.seqNo,
    beginWh: begin.length > 0 ? earliest(begin).wh : null,
    startedWh: event.eventType === 'Started' ? first.wh : null,
    stopWh: event.eventType === 'Ended' ? latest(end.length > 0 ? end : samples).wh : null,
    firstWh: first.wh,
    firstAt: new Date(first.at),
    lastWh: last.wh,
    lastAt: new Date(last.at),
  };
}

/**
 * The update of a transactions row by one more event, as SQL over the row's current values (so a statement can
 * apply it without reading the row first; `r` may hold a query template's parameter stand-ins):
 * - `last_seq_no` is the highest seqNo seen;
 * - `meter_start` is the Transaction.Begin register sample (in Started, or in an Updated when the EVSE was not
 *   known at start: E01.FR.09 / E01.FR.17), else the earliest register sample of the Started event while no
 *   meter start is known; `meter_stop` is the Ended event's Transaction.End register sample (E06.FR.11), else
 *   its latest register sample; otherwise both are kept;
 * - `register_first_*` / `register_last_*`: the event's register samples replace the first / last reading when
 *   they are earlier / later (by sample time), so the span does not depend on the order events arrive in
 *   (offline-queued events come late, E04.FR.02; Updated events may be dropped, E04.FR.07).
 * Every SET expression reads the row as it was before this update (PostgreSQL's UPDATE semantics).
 */
export function readingsSet(r: EventReadings) {
  const keepFirst = sql`${r.firstAt}::timestamptz is null or register_first_at <= ${r.firstAt}::timestamptz`;
  const keepLast = sql`${r.lastAt}::timestamptz is null or register_last_at > ${r.lastAt}::timestamptz`;
  return {
    last_seq_no: sql<number>`greatest(last_seq_no, ${r.seqNo}::integer)`,
    meter_start: sql<number | null>`coalesce(${r.beginWh}::float8, meter_start, ${r.startedWh}::float8)`,
    meter_stop: sql<number | null>`coalesce(${r.stopWh}::float8, meter_stop)`,
    register_first_wh: sql<
      number | null
    >`case when ${keepFirst} then register_first_wh else ${r.firstWh}::float8 end`,
    register_first_at: sql<Date | null>`case when ${keepFirst} then register_first_at else ${r.firstAt}::timestamptz end`,
    register_last_wh: sql<
      number | null
    >`case when ${keepLast} then register_last_wh else ${r.lastWh}::float8 end`,
    register_last_at: sql<Date | null>`case when ${keepLast} then register_last_at else ${r.lastAt}::timestamptz end`,
    updated_at: sql<Date>`now()`,
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
