import type { MonitorFilter, ReportComponentVariable, VariableMonitorRow } from '@csms/db';
import type { RequestViolations } from '@csms/grpc';
import { monitoringV1 as api } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { apiEnum, ocpp } from './monitoring-enums.js';

// Field limits of the OCPP 2.0.1 schema (ComponentType, VariableType) and of severities (0-9).
const NAME_MAX = 50;
const SEVERITY_MAX = 9;
const INT32_MAX = 2_147_483_647;

/** The monitor types as the API spells them (without the MONITOR_TYPE_ prefix). */
const TYPE_NAMES = [
  'UPPER_THRESHOLD',
  'LOWER_THRESHOLD',
  'DELTA',
  'PERIODIC',
  'PERIODIC_CLOCK_ALIGNED',
] as const;

const isId = (n: number) => Number.isInteger(n) && n >= 0 && n <= INT32_MAX;

/** Adds a violation unless `severity` is 0..9 (the OCPP severity levels, 0 Danger .. 9 Debug). */
export function checkSeverity(v: RequestViolations, severity: number, field: string): void {
  v.check(
    Number.isInteger(severity) && severity >= 0 && severity <= SEVERITY_MAX,
    field,
    `must be between 0 and ${SEVERITY_MAX}`,
  );
}

/**
 * Checks a component variable at `field`: component_name 1-50 characters, instances at most 50, evse_id and
 * connector_id >= 0 and connector_id only with evse_id; variable_name 1-50 characters unless `anyVariable` (a
 * report filter, where empty stands for every variable of the component).
 */
function checkComponentVariable(
  v: RequestViolations,
  cv: api.ComponentVariable | undefined,
  field: string,
  anyVariable: boolean,
): void {
  if (cv === undefined) return v.add(field, 'required');
  const name = (value: string, at: string, optional: boolean) =>
    v.check(
      value.length <= NAME_MAX && (optional || value.length >= 1),
      `${field}.${at}`,
      optional ? `at most ${NAME_MAX} characters` : `1 to ${NAME_MAX} characters`,
    );
  name(cv.componentName, 'component_name', false);
  name(cv.componentInstance, 'component_instance', true);
  if (cv.evseId !== undefined) v.check(isId(cv.evseId), `${field}.evse_id`, 'must be >= 0');
  if (cv.connectorId !== undefined) {
    v.check(isId(cv.connectorId), `${field}.connector_id`, 'must be >= 0');
    v.check(cv.evseId !== undefined, `${field}.connector_id`, 'only with evse_id');
  }
  name(cv.variableName, 'variable_name', anyVariable);
  name(cv.variableInstance, 'variable_instance', true);
}

/** The OCPP ComponentType of an API component variable. */
export function toComponent(cv: api.ComponentVariable): V201.ComponentType {
  return {
    name: cv.componentName,
    ...(cv.componentInstance !== '' ? { instance: cv.componentInstance } : {}),
    ...(cv.evseId !== undefined
      ? { evse: { id: cv.evseId, ...(cv.connectorId !== undefined ? { connectorId: cv.connectorId } : {}) } }
      : {}),
  };
}

/** The OCPP VariableType of an API component variable. */
export function toVariable(cv: api.ComponentVariable): V201.VariableType {
  return {
    name: cv.variableName,
    ...(cv.variableInstance !== '' ? { instance: cv.variableInstance } : {}),
  };
}

/** The API component variable of an OCPP component and variable. */
export function fromOcpp(component: V201.ComponentType, variable: V201.VariableType): api.ComponentVariable {
  return {
    componentName: component.name,
    componentInstance: component.instance ?? '',
    evseId: component.evse?.id,
    connectorId: component.evse?.connectorId,
    variableName: variable.name,
    variableInstance: variable.instance ?? '',
  };
}

/**
 * The SetMonitoringDataType list of the monitors to set (adding every violation to `v`): at least one; per
 * monitor a valid component variable, a type, a finite value (>= 0 for DELTA, N04.FR.14), severity 0..9, id >= 0
 * when given.
 */
export function toSetMonitoringData(
  v: RequestViolations,
  monitors: readonly api.MonitorSetting[],
): V201.SetMonitoringDataType[] {
  v.check(monitors.length > 0, 'monitors', 'at least one monitor');
  return monitors.map((m, i) => {
    const at = `monitors[${i}]`;
    const type = ocpp.type(m.type);
    if (m.id !== undefined) v.check(isId(m.id), `${at}.id`, 'must be between 0 and 2147483647');
    checkComponentVariable(v, m.variable, `${at}.variable`, false);
    v.check(type !== undefined, `${at}.type`, `required: ${TYPE_NAMES.join(', ')}`);
    v.check(Number.isFinite(m.value), `${at}.value`, 'must be a finite number');
    if (type === 'Delta') v.check(m.value >= 0, `${at}.value`, 'must be >= 0 for DELTA (N04.FR.14)');
    checkSeverity(v, m.severity, `${at}.severity`);
    return {
      ...(m.id !== undefined ? { id: m.id } : {}),
      ...(m.transaction ? { transaction: true } : {}),
      value: m.value,
      type: type!,
      severity: m.severity,
      component: m.variable ? toComponent(m.variable) : { name: '' },
      variable: m.variable ? toVariable(m.variable) : { name: '' },
    };
  });
}

/**
 * The filter of a GetMonitoringReportRequest (criteria and component variables), as OCPP and as stored with the
 * request; every violation goes to `v`.
 */
export function reportFilterOf(
  v: RequestViolations,
  request: Pick<api.RefreshMonitorsRequest, 'monitoringCriteria' | 'componentVariables'>,
): {
  monitoringCriteria?: V201.MonitoringCriterionEnumType[];
  componentVariable?: ReportComponentVariable[];
} {
  const criteria = request.monitoringCriteria.map((c, i) => {
    const criterion = ocpp.criterion(c);
    v.check(criterion !== undefined, `monitoring_criteria[${i}]`, 'THRESHOLD, DELTA or PERIODIC');
    return criterion!;
  });
  const entries = request.componentVariables.map((cv, i) => {
    checkComponentVariable(v, cv, `component_variables[${i}]`, true);
    return {
      component: toComponent(cv),
      ...(cv.variableName !== '' ? { variable: toVariable(cv) } : {}),
    };
  });
  return {
    ...(criteria.length > 0 ? { monitoringCriteria: [...new Set(criteria)] } : {}),
    ...(entries.length > 0 ? { componentVariable: entries } : {}),
  };
}

/** The store's filter of a ListMonitors request. */
export function listFilterOf(v: RequestViolations, request: api.ListMonitorsRequest): MonitorFilter {
  const types = request.types.map((t, i) => {
    const type = ocpp.type(t);
    v.check(type !== undefined, `types[${i}]`, 'unknown value');
    return type!;
  });
  const source = ocpp.source(request.source);
  v.check(
    source !== undefined || request.source === api.MonitorSource.MONITOR_SOURCE_UNSPECIFIED,
    'source',
    'unknown value',
  );
  if (request.evseId !== undefined) v.check(isId(request.evseId), 'evse_id', 'must be >= 0');
  return {
    ...(request.componentName !== '' ? { componentName: request.componentName } : {}),
    ...(request.variableName !== '' ? { variableName: request.variableName } : {}),
    ...(request.evseId !== undefined ? { evseId: request.evseId } : {}),
    ...(types.length > 0 ? { types } : {}),
    ...(source !== undefined ? { source } : {}),
  };
}

/** A stored monitor as the API returns it. */
export function toMonitor(row: VariableMonitorRow): api.Monitor {
  return {
    id: row.monitor_id,
    variable: {
      componentName: row.component_name,
      componentInstance: row.component_instance ?? '',
      evseId: row.evse_id ?? undefined,
      connectorId: row.connector_id ?? undefined,
      variableName: row.variable_name,
      variableInstance: row.variable_instance ?? '',
    },
    type: apiEnum.type(row.type),
    value: row.value,
    severity: row.severity,
    transaction: row.transaction,
    source: apiEnum.source(row.source),
    kind: apiEnum.kind(row.kind),
    requestId: row.request_id ?? undefined,
    confirmTime: row.confirmed_at,
  };
}
