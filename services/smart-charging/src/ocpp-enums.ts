import { smartChargingV1 as api } from '@csms/grpc';

/**
 * The version-neutral purpose, spelled as OCPP 2.0.1 does; OCPP 1.6 calls the station maximum
 * `ChargePointMaxProfile`. The store keeps this spelling for profiles of both versions.
 */
export type Purpose =
  'ChargingStationMaxProfile' | 'TxDefaultProfile' | 'TxProfile' | 'ChargingStationExternalConstraints';
export type Kind = 'Absolute' | 'Recurring' | 'Relative';
export type Recurrency = 'Daily' | 'Weekly';
export type RateUnit = 'A' | 'W';
/** OCPP 2.0.1 ChargingLimitSourceEnumType: who installed a profile a station reports. */
export type LimitSource = 'EMS' | 'Other' | 'SO' | 'CSO';

const PURPOSES: ReadonlyMap<api.ChargingProfilePurpose, Purpose> = new Map([
  [
    api.ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE,
    'ChargingStationMaxProfile',
  ],
  [api.ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE, 'TxDefaultProfile'],
  [api.ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_TX_PROFILE, 'TxProfile'],
  [
    api.ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_EXTERNAL_CONSTRAINTS,
    'ChargingStationExternalConstraints',
  ],
]);
const KINDS: ReadonlyMap<api.ChargingProfileKind, Kind> = new Map([
  [api.ChargingProfileKind.CHARGING_PROFILE_KIND_ABSOLUTE, 'Absolute'],
  [api.ChargingProfileKind.CHARGING_PROFILE_KIND_RECURRING, 'Recurring'],
  [api.ChargingProfileKind.CHARGING_PROFILE_KIND_RELATIVE, 'Relative'],
]);
const RECURRENCIES: ReadonlyMap<api.RecurrencyKind, Recurrency> = new Map([
  [api.RecurrencyKind.RECURRENCY_KIND_DAILY, 'Daily'],
  [api.RecurrencyKind.RECURRENCY_KIND_WEEKLY, 'Weekly'],
]);
const RATE_UNITS: ReadonlyMap<api.ChargingRateUnit, RateUnit> = new Map([
  [api.ChargingRateUnit.CHARGING_RATE_UNIT_A, 'A'],
  [api.ChargingRateUnit.CHARGING_RATE_UNIT_W, 'W'],
]);

const LIMIT_SOURCES: ReadonlyMap<api.ChargingLimitSource, LimitSource> = new Map([
  [api.ChargingLimitSource.CHARGING_LIMIT_SOURCE_EMS, 'EMS'],
  [api.ChargingLimitSource.CHARGING_LIMIT_SOURCE_OTHER, 'Other'],
  [api.ChargingLimitSource.CHARGING_LIMIT_SOURCE_SO, 'SO'],
  [api.ChargingLimitSource.CHARGING_LIMIT_SOURCE_CSO, 'CSO'],
]);

/** Every charging limit source: asking for all of them asks for every profile (K09.FR.03). */
export const ALL_LIMIT_SOURCES: readonly LimitSource[] = [...LIMIT_SOURCES.values()];

function inverse<K, V>(map: ReadonlyMap<K, V>): ReadonlyMap<V, K> {
  return new Map([...map].map(([k, v]) => [v, k]));
}
const PURPOSE_VALUES = inverse(PURPOSES);
const KIND_VALUES = inverse(KINDS);
const RECURRENCY_VALUES = inverse(RECURRENCIES);
const RATE_UNIT_VALUES = inverse(RATE_UNITS);
const LIMIT_SOURCE_VALUES = inverse(LIMIT_SOURCES);

/** The OCPP spelling of an API enum value; undefined for UNSPECIFIED and unknown numbers. */
export const ocpp = Object.freeze({
  purpose: (value: api.ChargingProfilePurpose) => PURPOSES.get(value),
  kind: (value: api.ChargingProfileKind) => KINDS.get(value),
  recurrency: (value: api.RecurrencyKind) => RECURRENCIES.get(value),
  rateUnit: (value: api.ChargingRateUnit) => RATE_UNITS.get(value),
  limitSource: (value: api.ChargingLimitSource) => LIMIT_SOURCES.get(value),
});

/** The API enum value of an OCPP spelling (1.6 `ChargePointMaxProfile` included); UNSPECIFIED if unknown. */
export const fromOcpp = Object.freeze({
  purpose: (value: string): api.ChargingProfilePurpose =>
    PURPOSE_VALUES.get(neutralPurpose(value)) ??
    api.ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_UNSPECIFIED,
  kind: (value: string): api.ChargingProfileKind =>
    KIND_VALUES.get(value as Kind) ?? api.ChargingProfileKind.CHARGING_PROFILE_KIND_UNSPECIFIED,
  recurrency: (value: string | undefined): api.RecurrencyKind =>
    (value === undefined ? undefined : RECURRENCY_VALUES.get(value as Recurrency)) ??
    api.RecurrencyKind.RECURRENCY_KIND_UNSPECIFIED,
  rateUnit: (value: string | undefined): api.ChargingRateUnit =>
    (value === undefined ? undefined : RATE_UNIT_VALUES.get(value as RateUnit)) ??
    api.ChargingRateUnit.CHARGING_RATE_UNIT_UNSPECIFIED,
  limitSource: (value: string): api.ChargingLimitSource =>
    LIMIT_SOURCE_VALUES.get(value as LimitSource) ??
    api.ChargingLimitSource.CHARGING_LIMIT_SOURCE_UNSPECIFIED,
});

/** The version-neutral spelling of an OCPP purpose (1.6 ChargePointMaxProfile → ChargingStationMaxProfile). */
export function neutralPurpose(value: string): Purpose {
  return (value === 'ChargePointMaxProfile' ? 'ChargingStationMaxProfile' : value) as Purpose;
}
