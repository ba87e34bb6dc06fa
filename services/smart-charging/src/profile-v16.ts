import { RequestViolations, type smartChargingV1 as api } from '@csms/grpc';
import { INT32_MAX, type V16 } from '@csms/ocpp';
import { fromOcpp } from './ocpp-enums.js';
import { dateOf, optionalDate } from './ocpp-dates.js';
import { checkCommonRules, type Conversion } from './profile-rules.js';

export type V16ChargingProfile = V16.SetChargingProfileRequest['csChargingProfiles'];
type V16Schedule = V16ChargingProfile['chargingSchedule'];

/**
 * The OCPP 1.6 SetChargingProfile.req for a profile on connector `evseId`, or the field violations of
 * the profile: OCPP 1.6 carries exactly one schedule, without an id, and periods without phaseToUse;
 * its transactionId is the integer the CSMS issued.
 */
export function toV16SetChargingProfile(
  evseId: number,
  profile: api.ChargingProfile,
): Conversion<V16.SetChargingProfileRequest> {
  const v = new RequestViolations();
  const checked = checkCommonRules(v, evseId, profile);
  if (profile.schedules.length > 1) v.add('profile.schedules', 'OCPP 1.6 carries exactly one schedule');
  const schedule = profile.schedules[0];
  if (schedule?.id !== undefined) v.add('profile.schedules[0].id', 'OCPP 1.6 schedules have no id');
  schedule?.periods.forEach((period, i) => {
    if (period.phaseToUse !== undefined)
      v.add(`profile.schedules[0].periods[${i}].phase_to_use`, 'OCPP 1.6 has no phaseToUse');
  });
  // A recurring schedule repeats from its start: without one there is nothing to repeat from.
  if (checked.kind === 'Recurring' && schedule && !schedule.startSchedule)
    v.add('profile.schedules[0].start_schedule', 'required with a Recurring profile');
  let transactionId: number | undefined;
  if (profile.transactionId !== undefined && profile.transactionId !== '') {
    transactionId = /^\d{1,10}$/.test(profile.transactionId) ? Number(profile.transactionId) : NaN;
    if (!(transactionId <= INT32_MAX))
      v.add('profile.transaction_id', 'an OCPP 1.6 transactionId is an integer (the one the CSMS issued)');
  }
  if (!v.empty || !schedule) return { ok: false, violations: v.list };
  const csChargingProfiles: V16ChargingProfile = {
    chargingProfileId: profile.id,
    ...(transactionId !== undefined ? { transactionId } : {}),
    stackLevel: profile.stackLevel,
    chargingProfilePurpose:
      checked.purpose === 'ChargingStationMaxProfile'
        ? 'ChargePointMaxProfile'
        : (checked.purpose as 'TxDefaultProfile' | 'TxProfile'),
    chargingProfileKind: checked.kind,
    ...(checked.recurrency !== undefined ? { recurrencyKind: checked.recurrency } : {}),
    ...optionalDate('validFrom', profile.validFrom),
    ...optionalDate('validTo', profile.validTo),
    chargingSchedule: {
      ...(schedule.duration !== undefined ? { duration: schedule.duration } : {}),
      ...optionalDate('startSchedule', schedule.startSchedule),
      chargingRateUnit: checked.rateUnits[0]!,
      chargingSchedulePeriod: schedule.periods.map((p) => ({
        startPeriod: p.startPeriod,
        limit: p.limit,
        ...(p.numberPhases !== undefined ? { numberPhases: p.numberPhases } : {}),
      })),
      ...(schedule.minChargingRate !== undefined ? { minChargingRate: schedule.minChargingRate } : {}),
    },
  };
  return { ok: true, value: { connectorId: evseId, csChargingProfiles } };
}

/** The typed profile of an OCPP 1.6 csChargingProfiles (as stored). */
export function fromV16Profile(profile: V16ChargingProfile): api.ChargingProfile {
  return {
    id: profile.chargingProfileId,
    stackLevel: profile.stackLevel,
    purpose: fromOcpp.purpose(profile.chargingProfilePurpose),
    kind: fromOcpp.kind(profile.chargingProfileKind),
    recurrencyKind: fromOcpp.recurrency(profile.recurrencyKind),
    validFrom: dateOf(profile.validFrom),
    validTo: dateOf(profile.validTo),
    ...(profile.transactionId !== undefined ? { transactionId: String(profile.transactionId) } : {}),
    schedules: [fromV16Schedule(profile.chargingSchedule)],
  };
}

/** The typed schedule of an OCPP 1.6 ChargingSchedule. */
export function fromV16Schedule(schedule: V16Schedule): api.ChargingSchedule {
  return {
    startSchedule: dateOf(schedule.startSchedule),
    ...(schedule.duration !== undefined ? { duration: schedule.duration } : {}),
    chargingRateUnit: fromOcpp.rateUnit(schedule.chargingRateUnit),
    periods: schedule.chargingSchedulePeriod.map(fromV16Period),
    ...(schedule.minChargingRate !== undefined ? { minChargingRate: schedule.minChargingRate } : {}),
  };
}

/** The typed period of an OCPP 1.6 ChargingSchedulePeriod (profiles and composite schedules). */
export function fromV16Period(
  period: V16Schedule['chargingSchedulePeriod'][number],
): api.ChargingSchedulePeriod {
  return {
    startPeriod: period.startPeriod,
    limit: period.limit,
    ...(period.numberPhases !== undefined ? { numberPhases: period.numberPhases } : {}),
  };
}
