import { smartChargingV1 } from '@csms/grpc';
import type { CliContext } from '../context.js';
import { parseIntOption } from '../parse.js';
import { EnumChoice } from './proto-json.js';

// What the charging commands (charging.ts, charging-report.ts) share: enum choices, options and how a profile's
// schedules print.

export const PURPOSE = new EnumChoice<smartChargingV1.ChargingProfilePurpose>(
  '--purpose',
  smartChargingV1.ChargingProfilePurpose,
  'CHARGING_PROFILE_PURPOSE_',
);
export const KIND = new EnumChoice<smartChargingV1.ChargingProfileKind>(
  'kind',
  smartChargingV1.ChargingProfileKind,
  'CHARGING_PROFILE_KIND_',
);
export const UNIT = new EnumChoice<smartChargingV1.ChargingRateUnit>(
  '--unit',
  smartChargingV1.ChargingRateUnit,
  'CHARGING_RATE_UNIT_',
);
export type Ctx = () => CliContext;

/** ChargingLimitSourceEnumType as OCPP spells it (acronyms, which the enum's names would turn into "Ems"). */
export const SOURCE: Readonly<Record<number, string>> = {
  [smartChargingV1.ChargingLimitSource.CHARGING_LIMIT_SOURCE_EMS]: 'EMS',
  [smartChargingV1.ChargingLimitSource.CHARGING_LIMIT_SOURCE_OTHER]: 'Other',
  [smartChargingV1.ChargingLimitSource.CHARGING_LIMIT_SOURCE_SO]: 'SO',
  [smartChargingV1.ChargingLimitSource.CHARGING_LIMIT_SOURCE_CSO]: 'CSO',
};

export const evseOption = parseIntOption('--evse', 0, 2_147_483_647);

/** "0s 16A, 3600s 10A" */
export function periods(
  list: readonly smartChargingV1.ChargingSchedulePeriod[],
  unit: smartChargingV1.ChargingRateUnit,
): string {
  return list
    .map(
      (p) => `${p.startPeriod}s ${p.limit}${UNIT.name(unit)}${p.numberPhases ? ` ${p.numberPhases}ph` : ''}`,
    )
    .join(', ');
}

export const schedules = (p: smartChargingV1.ChargingProfile | undefined) =>
  (p?.schedules ?? []).map((s) => periods(s.periods, s.chargingRateUnit)).join(' | ');
