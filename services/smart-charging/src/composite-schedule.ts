import { RequestViolations, smartChargingV1 as api } from '@csms/grpc';
import { INT32_MAX, type V16, type V201 } from '@csms/ocpp';
import { dateOf } from './ocpp-dates.js';
import { fromOcpp, ocpp } from './ocpp-enums.js';
import type { Conversion } from './profile-rules.js';
import { fromV16Period } from './profile-v16.js';
import { fromV201Period } from './profile-v201.js';
import type { SmartChargingVersion } from './station-version.js';

/** The GetCompositeSchedule request for a station's version (1.6 connectorId, 2.0.1 evseId). */
export function toGetCompositeSchedule(
  version: SmartChargingVersion,
  request: api.GetCompositeScheduleRequest,
): Conversion<V16.GetCompositeScheduleRequest | V201.GetCompositeScheduleRequest> {
  const v = new RequestViolations();
  v.check(request.evseId >= 0, 'evse_id', 'must be 0 (the whole station) or an EVSE id');
  v.check(
    request.durationSeconds > 0 && request.durationSeconds <= INT32_MAX,
    'duration_seconds',
    'must be > 0',
  );
  const unit = ocpp.rateUnit(request.chargingRateUnit);
  if (unit === undefined && request.chargingRateUnit !== api.ChargingRateUnit.CHARGING_RATE_UNIT_UNSPECIFIED)
    v.add('charging_rate_unit', 'unknown value');
  if (!v.empty) return { ok: false, violations: v.list };
  const common = {
    duration: request.durationSeconds,
    ...(unit !== undefined ? { chargingRateUnit: unit } : {}),
  };
  return {
    ok: true,
    value:
      version === 'ocpp1.6'
        ? { connectorId: request.evseId, ...common }
        : { evseId: request.evseId, ...common },
  };
}

/** The typed answer of an OCPP 1.6 GetCompositeSchedule.conf. */
export function fromV16CompositeSchedule(
  evseId: number,
  response: V16.GetCompositeScheduleResponse,
): api.GetCompositeScheduleResponse {
  const schedule = response.chargingSchedule;
  return {
    status: compositeStatus(response.status),
    schedule: schedule && {
      evseId: response.connectorId ?? evseId,
      // 1.6 has scheduleStart on the answer and startSchedule on its schedule; either may be absent.
      scheduleStart: dateOf(response.scheduleStart ?? schedule.startSchedule),
      ...(schedule.duration !== undefined ? { duration: schedule.duration } : {}),
      chargingRateUnit: fromOcpp.rateUnit(schedule.chargingRateUnit),
      periods: schedule.chargingSchedulePeriod.map(fromV16Period),
      ...(schedule.minChargingRate !== undefined ? { minChargingRate: schedule.minChargingRate } : {}),
    },
    statusInfo: undefined,
    // Filled in by withExternalLimits (external-limits.ts).
    externalLimits: [],
    limitedSchedule: undefined,
  };
}

/** The typed answer of an OCPP 2.0.1 GetCompositeScheduleResponse. */
export function fromV201CompositeSchedule(
  response: V201.GetCompositeScheduleResponse,
): api.GetCompositeScheduleResponse {
  const schedule = response.schedule;
  return {
    status: compositeStatus(response.status),
    schedule: schedule && {
      evseId: schedule.evseId,
      scheduleStart: dateOf(schedule.scheduleStart),
      duration: schedule.duration,
      chargingRateUnit: fromOcpp.rateUnit(schedule.chargingRateUnit),
      periods: schedule.chargingSchedulePeriod.map(fromV201Period),
    },
    statusInfo: statusInfoOf(response.statusInfo),
    externalLimits: [],
    limitedSchedule: undefined,
  };
}

function compositeStatus(status: string): api.CompositeScheduleStatus {
  return status === 'Accepted'
    ? api.CompositeScheduleStatus.COMPOSITE_SCHEDULE_STATUS_ACCEPTED
    : api.CompositeScheduleStatus.COMPOSITE_SCHEDULE_STATUS_REJECTED;
}

/** The typed StatusInfo of an OCPP 2.0.1 statusInfo (undefined for 1.6 answers). */
export function statusInfoOf(info: V201.StatusInfoType | undefined): api.StatusInfo | undefined {
  return info && { reasonCode: info.reasonCode, additionalInfo: info.additionalInfo ?? '' };
}
