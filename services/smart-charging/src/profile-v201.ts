import { RequestViolations, type smartChargingV1 as api } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { fromOcpp } from './ocpp-enums.js';
import { dateOf, optionalDate } from './ocpp-dates.js';
import { checkCommonRules, type Conversion } from './profile-rules.js';

/** OCPP 2.0.1 ChargingProfileType.chargingSchedule maxItems. */
const MAX_SCHEDULES = 3;
/** OCPP 2.0.1 ChargingProfileType.transactionId maxLength. */
const MAX_TRANSACTION_ID_LENGTH = 36;

/**
 * The OCPP 2.0.1 SetChargingProfileRequest for a profile on `evseId`, or the field violations of the
 * profile under the K01 rules the CSMS must keep. A schedule without an id gets its position (from 1).
 */
export function toV201SetChargingProfile(
  evseId: number,
  profile: api.ChargingProfile,
): Conversion<V201.SetChargingProfileRequest> {
  const v = new RequestViolations();
  const checked = checkCommonRules(v, evseId, profile);
  if (profile.schedules.length > MAX_SCHEDULES)
    v.add('profile.schedules', `OCPP 2.0.1 carries at most ${MAX_SCHEDULES} schedules`);
  // K01.FR.34: more than one schedule only for an ISO 15118 session, i.e. for a transaction.
  else if (profile.schedules.length > 1 && checked.purpose !== 'TxProfile')
    v.add('profile.schedules', 'only a TxProfile may carry more than one schedule (K01.FR.34)');
  // K01.FR.38: the station maximum is never relative to a transaction start.
  if (checked.purpose === 'ChargingStationMaxProfile' && checked.kind === 'Relative')
    v.add('profile.kind', 'a ChargingStationMaxProfile may not be Relative (K01.FR.38)');
  if (profile.transactionId !== undefined && profile.transactionId.length > MAX_TRANSACTION_ID_LENGTH)
    v.add('profile.transaction_id', `at most ${MAX_TRANSACTION_ID_LENGTH} characters`);
  const ids = new Set<number>();
  profile.schedules.forEach((schedule, i) => {
    const path = `profile.schedules[${i}]`;
    const id = schedule.id ?? i + 1;
    if (schedule.id !== undefined && schedule.id < 0) v.add(`${path}.id`, 'must be >= 0');
    if (ids.has(id)) v.add(`${path}.id`, 'schedule ids must differ within a profile');
    ids.add(id);
    // K01.FR.40 / K01.FR.41: Absolute and Recurring schedules start at startSchedule; Relative ones
    // start when the station is ready to deliver energy and have none.
    if (checked.kind === 'Relative' && schedule.startSchedule)
      v.add(`${path}.start_schedule`, 'a Relative profile has no start_schedule (K01.FR.41)');
    if (checked.kind !== 'Relative' && !schedule.startSchedule)
      v.add(`${path}.start_schedule`, 'required with an Absolute or Recurring profile (K01.FR.40)');
    // K01.FR.31: the first period starts at 0.
    const first = schedule.periods[0];
    if (first && first.startPeriod !== 0)
      v.add(`${path}.periods[0].start_period`, 'the first period starts at 0 (K01.FR.31)');
    schedule.periods.forEach((period, j) => {
      if (period.phaseToUse === undefined) return;
      const at = `${path}.periods[${j}].phase_to_use`;
      v.check(period.phaseToUse >= 1 && period.phaseToUse <= 3, at, 'must be 1, 2 or 3');
      // K01.FR.19: phaseToUse only when charging on one phase.
      v.check(period.numberPhases === 1, at, 'only with number_phases 1 (K01.FR.19)');
    });
  });
  if (!v.empty) return { ok: false, violations: v.list };
  const chargingProfile: V201.ChargingProfileType = {
    id: profile.id,
    stackLevel: profile.stackLevel,
    chargingProfilePurpose: checked.purpose,
    chargingProfileKind: checked.kind,
    ...(checked.recurrency !== undefined ? { recurrencyKind: checked.recurrency } : {}),
    ...optionalDate('validFrom', profile.validFrom),
    ...optionalDate('validTo', profile.validTo),
    chargingSchedule: profile.schedules.map((schedule, i) => ({
      id: schedule.id ?? i + 1,
      ...optionalDate('startSchedule', schedule.startSchedule),
      ...(schedule.duration !== undefined ? { duration: schedule.duration } : {}),
      chargingRateUnit: checked.rateUnits[i]!,
      chargingSchedulePeriod: schedule.periods.map(toV201Period),
      ...(schedule.minChargingRate !== undefined ? { minChargingRate: schedule.minChargingRate } : {}),
    })),
    ...(profile.transactionId !== undefined ? { transactionId: profile.transactionId } : {}),
  };
  return { ok: true, value: { evseId, chargingProfile } };
}

function toV201Period(period: api.ChargingSchedulePeriod): V201.ChargingSchedulePeriodType {
  return {
    startPeriod: period.startPeriod,
    limit: period.limit,
    ...(period.numberPhases !== undefined ? { numberPhases: period.numberPhases } : {}),
    ...(period.phaseToUse !== undefined ? { phaseToUse: period.phaseToUse } : {}),
  };
}

/** The typed profile of an OCPP 2.0.1 ChargingProfileType (as stored, or as a station reports it). */
export function fromV201Profile(profile: V201.ChargingProfileType): api.ChargingProfile {
  return {
    id: profile.id,
    stackLevel: profile.stackLevel,
    purpose: fromOcpp.purpose(profile.chargingProfilePurpose),
    kind: fromOcpp.kind(profile.chargingProfileKind),
    recurrencyKind: fromOcpp.recurrency(profile.recurrencyKind),
    validFrom: dateOf(profile.validFrom),
    validTo: dateOf(profile.validTo),
    ...(profile.transactionId !== undefined ? { transactionId: profile.transactionId } : {}),
    schedules: profile.chargingSchedule.map(fromV201Schedule),
  };
}

/** The typed schedule of an OCPP 2.0.1 ChargingScheduleType (of a profile, or of an external limit). */
export function fromV201Schedule(schedule: V201.ChargingScheduleType): api.ChargingSchedule {
  return {
    id: schedule.id,
    startSchedule: dateOf(schedule.startSchedule),
    ...(schedule.duration !== undefined ? { duration: schedule.duration } : {}),
    chargingRateUnit: fromOcpp.rateUnit(schedule.chargingRateUnit),
    periods: schedule.chargingSchedulePeriod.map(fromV201Period),
    ...(schedule.minChargingRate !== undefined ? { minChargingRate: schedule.minChargingRate } : {}),
  };
}

/** The typed period of an OCPP 2.0.1 ChargingSchedulePeriodType. */
export function fromV201Period(period: V201.ChargingSchedulePeriodType): api.ChargingSchedulePeriod {
  return {
    startPeriod: period.startPeriod,
    limit: period.limit,
    ...(period.numberPhases !== undefined ? { numberPhases: period.numberPhases } : {}),
    ...(period.phaseToUse !== undefined ? { phaseToUse: period.phaseToUse } : {}),
  };
}
