import type { smartChargingV1 as api, FieldViolation, RequestViolations } from '@csms/grpc';
import { INT32_MAX } from '@csms/ocpp';
import { ocpp, type Kind, type Purpose, type RateUnit, type Recurrency } from './ocpp-enums.js';

/** A typed request converted to an OCPP payload, or why it cannot be. */
export type Conversion<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly violations: readonly FieldViolation[] };

/** The fields of a requested profile every OCPP version has, checked and in OCPP spelling. */
export interface CheckedProfile {
  readonly purpose: Purpose;
  readonly kind: Kind;
  readonly recurrency: Recurrency | undefined;
  readonly rateUnits: readonly (RateUnit | undefined)[];
}

/** Most periods a schedule may have (OCPP 2.0.1 ChargingScheduleType maxItems; 1.6 sets none). */
export const MAX_PERIODS = 1024;

/**
 * The rules of a SetChargingProfile request that hold for every OCPP version. Violations are added to
 * `v` with the request's field paths (`profile.schedules[0].periods[1].limit`).
 */
export function checkCommonRules(
  v: RequestViolations,
  evseId: number,
  profile: api.ChargingProfile,
): CheckedProfile {
  v.check(Number.isInteger(evseId) && evseId >= 0, 'evse_id', 'must be 0 (the whole station) or an EVSE id');
  v.check(profile.id > 0, 'profile.id', 'must be > 0');
  v.check(profile.stackLevel >= 0, 'profile.stack_level', 'must be >= 0');
  const purpose = ocpp.purpose(profile.purpose);
  const kind = ocpp.kind(profile.kind);
  const recurrency = ocpp.recurrency(profile.recurrencyKind);
  if (purpose === undefined) v.add('profile.purpose', enumProblem(profile.purpose));
  // K01.FR.22: only an external system sets these, never the CSMS (and OCPP 1.6 has no such purpose).
  if (purpose === 'ChargingStationExternalConstraints')
    v.add('profile.purpose', 'the CSMS may not set ChargingStationExternalConstraints (K01.FR.22)');
  // 1.6 §3.13.1 "ChargePointMaxProfile can only be set at Charge Point ConnectorId 0"; 2.0.1: evseId 0
  // holds the limit of the whole station.
  if (purpose === 'ChargingStationMaxProfile' && evseId !== 0)
    v.add('evse_id', 'a ChargingStationMaxProfile is set on evse_id 0');
  if (purpose === 'TxProfile') {
    // K01.FR.16 / 1.6 §3.13.1: TxProfile only on an EVSE (connector) > 0.
    if (evseId === 0) v.add('evse_id', 'a TxProfile is set on an EVSE > 0 (K01.FR.16)');
    // K01.FR.03 / 1.6 §5.16.3: a TxProfile is for a running transaction, named by its id.
    if (profile.transactionId === undefined || profile.transactionId === '')
      v.add('profile.transaction_id', 'required with a TxProfile (K01.FR.03)');
  } else if (profile.transactionId !== undefined) {
    v.add('profile.transaction_id', 'only a TxProfile has a transaction_id');
  }
  if (kind === undefined) v.add('profile.kind', enumProblem(profile.kind));
  if (recurrency === undefined && isSpecified(profile.recurrencyKind))
    v.add('profile.recurrency_kind', 'unknown value');
  else if (kind === 'Recurring' && recurrency === undefined)
    v.add('profile.recurrency_kind', 'required with a Recurring profile');
  if (kind !== 'Recurring' && recurrency !== undefined)
    v.add('profile.recurrency_kind', 'only a Recurring profile has a recurrency_kind');
  checkDate(v, profile.validFrom, 'profile.valid_from');
  checkDate(v, profile.validTo, 'profile.valid_to');
  if (profile.validFrom && profile.validTo && profile.validTo <= profile.validFrom)
    v.add('profile.valid_to', 'must be after valid_from');
  if (profile.schedules.length === 0) v.add('profile.schedules', 'at least one schedule is required');
  const rateUnits = profile.schedules.map((schedule, i) =>
    checkSchedule(v, schedule, `profile.schedules[${i}]`),
  );
  return { purpose: purpose ?? 'TxDefaultProfile', kind: kind ?? 'Absolute', recurrency, rateUnits };
}

function checkSchedule(
  v: RequestViolations,
  schedule: api.ChargingSchedule,
  path: string,
): RateUnit | undefined {
  const rateUnit = ocpp.rateUnit(schedule.chargingRateUnit);
  if (rateUnit === undefined)
    v.add(
      `${path}.charging_rate_unit`,
      isSpecified(schedule.chargingRateUnit) ? 'unknown value' : 'required (A or W)',
    );
  checkDate(v, schedule.startSchedule, `${path}.start_schedule`);
  if (schedule.duration !== undefined) v.check(schedule.duration >= 0, `${path}.duration`, 'must be >= 0');
  if (schedule.minChargingRate !== undefined)
    v.check(
      schedule.minChargingRate >= 0 && hasOneDecimalAtMost(schedule.minChargingRate),
      `${path}.min_charging_rate`,
      'must be >= 0 with at most one decimal',
    );
  if (schedule.periods.length === 0) v.add(`${path}.periods`, 'at least one period is required');
  if (schedule.periods.length > MAX_PERIODS) v.add(`${path}.periods`, `at most ${MAX_PERIODS} periods`);
  schedule.periods.forEach((period, i) => {
    const at = `${path}.periods[${i}]`;
    v.check(period.startPeriod >= 0, `${at}.start_period`, 'must be >= 0');
    // K01.FR.35: periods in chronological order (a repeated start would make one of them unreachable).
    if (i > 0 && period.startPeriod <= schedule.periods[i - 1]!.startPeriod)
      v.add(`${at}.start_period`, 'periods must be ordered by increasing start_period (K01.FR.35)');
    v.check(
      period.limit >= 0 && period.limit <= INT32_MAX && hasOneDecimalAtMost(period.limit),
      `${at}.limit`,
      'must be >= 0 with at most one decimal',
    );
    if (period.numberPhases !== undefined)
      v.check(
        period.numberPhases >= 1 && period.numberPhases <= 3,
        `${at}.number_phases`,
        'must be 1, 2 or 3',
      );
  });
  return rateUnit;
}

/** `required` for an enum left UNSPECIFIED (0), `unknown value` for a number the API does not define. */
export function enumProblem(value: number): string {
  return isSpecified(value) ? 'unknown value' : 'required';
}

/** Whether an API enum field was set (proto3: 0 is UNSPECIFIED). */
export function isSpecified(value: number): boolean {
  return value !== 0;
}

/** A timestamp must be a date OCPP can carry (RFC 3339, years 1 to 9999). */
function checkDate(v: RequestViolations, date: Date | undefined, field: string): void {
  if (date === undefined) return;
  const year = date.getUTCFullYear();
  v.check(Number.isFinite(date.getTime()) && year >= 1 && year <= 9999, field, 'not a valid timestamp');
}

/** At most one decimal (OCPP 1.6 multipleOf 0.1; 2.0.1 "accepts at most one digit fraction"). */
function hasOneDecimalAtMost(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value * 10 - Math.round(value * 10)) < 1e-6;
}
