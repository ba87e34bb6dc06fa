/**
 * @csms/station-limits: each station's per-message limits (2.0.1 ItemsPerMessage / BytesPerMessage of
 * GetVariables, SetVariables, GetReport, GetMonitoringReport, SetVariableMonitoring, ClearVariableMonitoring and
 * SendLocalList; 1.6 GetConfigurationMaxKeys, SendLocalListMaxLength,
 * LocalAuthListMaxLength), learned from what the station reported or answered, or by asking it once, and the
 * splitting of a request's list into messages within them. Used by the services that send those requests.
 */
export { StationLimits, type StationLimitsDeps } from './station-limits.js';
export {
  allLimitDefs,
  limitDefsFor,
  type LimitDef,
  type LimitedAction,
  type LimitSource,
} from './limit-catalog.js';
export {
  limitsFromConfiguration,
  limitsFromVariableResults,
  parseLimit,
  type LearnedLimit,
} from './limit-values.js';
export {
  frameBytes,
  halvesOf,
  jsonBytes,
  refusedAsTooLarge,
  splitItems,
  type MessageLimits,
} from './split-items.js';
