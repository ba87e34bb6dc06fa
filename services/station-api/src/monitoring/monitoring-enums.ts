import { monitoringV1 as api } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';

// The API's monitoring enums and their OCPP 2.0.1 spellings, both ways.

const TYPES: ReadonlyMap<api.MonitorType, V201.MonitorEnumType> = new Map([
  [api.MonitorType.MONITOR_TYPE_UPPER_THRESHOLD, 'UpperThreshold'],
  [api.MonitorType.MONITOR_TYPE_LOWER_THRESHOLD, 'LowerThreshold'],
  [api.MonitorType.MONITOR_TYPE_DELTA, 'Delta'],
  [api.MonitorType.MONITOR_TYPE_PERIODIC, 'Periodic'],
  [api.MonitorType.MONITOR_TYPE_PERIODIC_CLOCK_ALIGNED, 'PeriodicClockAligned'],
]);
const BASES: ReadonlyMap<api.MonitoringBase, V201.MonitoringBaseEnumType> = new Map([
  [api.MonitoringBase.MONITORING_BASE_ALL, 'All'],
  [api.MonitoringBase.MONITORING_BASE_FACTORY_DEFAULT, 'FactoryDefault'],
  [api.MonitoringBase.MONITORING_BASE_HARD_WIRED_ONLY, 'HardWiredOnly'],
]);
const CRITERIA: ReadonlyMap<api.MonitoringCriterion, V201.MonitoringCriterionEnumType> = new Map([
  [api.MonitoringCriterion.MONITORING_CRITERION_THRESHOLD, 'ThresholdMonitoring'],
  [api.MonitoringCriterion.MONITORING_CRITERION_DELTA, 'DeltaMonitoring'],
  [api.MonitoringCriterion.MONITORING_CRITERION_PERIODIC, 'PeriodicMonitoring'],
]);
const SOURCES: ReadonlyMap<api.MonitorSource, 'csms' | 'station'> = new Map([
  [api.MonitorSource.MONITOR_SOURCE_CSMS, 'csms'],
  [api.MonitorSource.MONITOR_SOURCE_STATION, 'station'],
]);
const KINDS: ReadonlyMap<string, api.MonitorKind> = new Map([
  ['CustomMonitor', api.MonitorKind.MONITOR_KIND_CUSTOM],
  ['HardWiredMonitor', api.MonitorKind.MONITOR_KIND_HARD_WIRED],
  ['PreconfiguredMonitor', api.MonitorKind.MONITOR_KIND_PRECONFIGURED],
]);
const SET_STATUSES: ReadonlyMap<V201.SetMonitoringStatusEnumType, api.SetMonitoringStatus> = new Map([
  ['Accepted', api.SetMonitoringStatus.SET_MONITORING_STATUS_ACCEPTED],
  ['UnknownComponent', api.SetMonitoringStatus.SET_MONITORING_STATUS_UNKNOWN_COMPONENT],
  ['UnknownVariable', api.SetMonitoringStatus.SET_MONITORING_STATUS_UNKNOWN_VARIABLE],
  ['UnsupportedMonitorType', api.SetMonitoringStatus.SET_MONITORING_STATUS_UNSUPPORTED_MONITOR_TYPE],
  ['Rejected', api.SetMonitoringStatus.SET_MONITORING_STATUS_REJECTED],
  ['Duplicate', api.SetMonitoringStatus.SET_MONITORING_STATUS_DUPLICATE],
]);
const CLEAR_STATUSES: ReadonlyMap<V201.ClearMonitoringStatusEnumType, api.ClearMonitoringStatus> = new Map([
  ['Accepted', api.ClearMonitoringStatus.CLEAR_MONITORING_STATUS_ACCEPTED],
  ['Rejected', api.ClearMonitoringStatus.CLEAR_MONITORING_STATUS_REJECTED],
  ['NotFound', api.ClearMonitoringStatus.CLEAR_MONITORING_STATUS_NOT_FOUND],
]);
const DEVICE_MODEL_STATUSES: ReadonlyMap<V201.GenericDeviceModelStatusEnumType, api.DeviceModelStatus> =
  new Map([
    ['Accepted', api.DeviceModelStatus.DEVICE_MODEL_STATUS_ACCEPTED],
    ['Rejected', api.DeviceModelStatus.DEVICE_MODEL_STATUS_REJECTED],
    ['NotSupported', api.DeviceModelStatus.DEVICE_MODEL_STATUS_NOT_SUPPORTED],
    ['EmptyResultSet', api.DeviceModelStatus.DEVICE_MODEL_STATUS_EMPTY_RESULT_SET],
  ]);

function inverse<K, V>(map: ReadonlyMap<K, V>): ReadonlyMap<V, K> {
  return new Map([...map].map(([k, v]) => [v, k]));
}
const TYPE_VALUES = inverse(TYPES);
const BASE_VALUES = inverse(BASES);

/** OCPP spellings of API enum values (undefined for UNSPECIFIED and unknown numbers). */
export const ocpp = Object.freeze({
  type: (v: api.MonitorType) => TYPES.get(v),
  base: (v: api.MonitoringBase) => BASES.get(v),
  criterion: (v: api.MonitoringCriterion) => CRITERIA.get(v),
  source: (v: api.MonitorSource) => SOURCES.get(v),
});

/** API enum values of OCPP spellings (UNSPECIFIED, 0, for null and unknown spellings). */
export const apiEnum = Object.freeze({
  type: (v: string) => TYPE_VALUES.get(v as V201.MonitorEnumType) ?? 0,
  base: (v: string | null) => (v === null ? 0 : (BASE_VALUES.get(v as V201.MonitoringBaseEnumType) ?? 0)),
  source: (v: string) =>
    v === 'csms' ? api.MonitorSource.MONITOR_SOURCE_CSMS : api.MonitorSource.MONITOR_SOURCE_STATION,
  kind: (v: string | null) => (v === null ? 0 : (KINDS.get(v) ?? 0)),
  setStatus: (v: V201.SetMonitoringStatusEnumType) => SET_STATUSES.get(v) ?? 0,
  clearStatus: (v: V201.ClearMonitoringStatusEnumType) => CLEAR_STATUSES.get(v) ?? 0,
  deviceModelStatus: (v: V201.GenericDeviceModelStatusEnumType) => DEVICE_MODEL_STATUSES.get(v) ?? 0,
  levelStatus: (v: V201.GenericStatusEnumType) =>
    v === 'Accepted'
      ? api.SetMonitoringLevelStatus.SET_MONITORING_LEVEL_STATUS_ACCEPTED
      : api.SetMonitoringLevelStatus.SET_MONITORING_LEVEL_STATUS_REJECTED,
});
