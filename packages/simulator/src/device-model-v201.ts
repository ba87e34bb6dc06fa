import type { V201 } from '@csms/ocpp';
import { applyInt, type StationControl } from './protocol.js';

const REGISTER = 'Energy.Active.Import.Register';

// The 2.0.1 device model of the simulator: GetVariables, SetVariables and the GetBaseReport report.

/** A device model variable (OCPP 2.0.1 part 2 appendix 2) the simulator reports. */
interface Variable {
  readonly component: string;
  readonly variable: string;
  readonly instance?: string;
  readonly dataType: V201.DataEnumType;
  readonly unit?: string;
  get(station: StationControl): string;
  /** Applies a value; false when it is not acceptable (Rejected). Absent: ReadOnly. */
  set?(station: StationControl, value: string): boolean;
}

/** A small fixed device model: the Core variables a load test or a CSMS scenario touches. */
const VARIABLES: readonly Variable[] = [
  {
    component: 'OCPPCommCtrlr',
    variable: 'HeartbeatInterval',
    dataType: 'integer',
    unit: 's',
    get: (s) => String(s.settings.heartbeatIntervalSec),
    set: (s, v) => applyInt(v, 0, (n) => s.setHeartbeatInterval(n)),
  },
  {
    component: 'OCPPCommCtrlr',
    variable: 'MessageTimeout',
    instance: 'Default',
    dataType: 'integer',
    unit: 's',
    get: (s) => String(Math.ceil(s.settings.callTimeoutMs / 1000)),
  },
  {
    component: 'OCPPCommCtrlr',
    variable: 'MessageAttempts',
    instance: 'TransactionEvent',
    dataType: 'integer',
    get: (s) => String(s.settings.transactionMessageAttempts),
    set: (s, v) => applyInt(v, 1, (n) => (s.settings.transactionMessageAttempts = n)),
  },
  {
    component: 'OCPPCommCtrlr',
    variable: 'MessageAttemptInterval',
    instance: 'TransactionEvent',
    dataType: 'integer',
    unit: 's',
    get: (s) => String(Math.round(s.settings.transactionMessageRetryIntervalMs / 1000)),
    set: (s, v) => applyInt(v, 0, (n) => (s.settings.transactionMessageRetryIntervalMs = n * 1000)),
  },
  {
    component: 'SampledDataCtrlr',
    variable: 'TxUpdatedInterval',
    dataType: 'integer',
    unit: 's',
    get: (s) => String(Math.round(s.settings.meterValueIntervalMs / 1000)),
    set: (s, v) => applyInt(v, 1, (n) => (s.settings.meterValueIntervalMs = n * 1000)),
  },
  {
    component: 'SampledDataCtrlr',
    variable: 'TxUpdatedMeasurands',
    dataType: 'MemberList',
    get: () => REGISTER,
  },
  // Remote starts begin the transaction without Authorize (F01.FR.01 with AuthorizeRemoteStart=false).
  { component: 'AuthCtrlr', variable: 'AuthorizeRemoteStart', dataType: 'boolean', get: () => 'false' },
  { component: 'TxCtrlr', variable: 'StopTxOnInvalidId', dataType: 'boolean', get: () => 'true' },
];

function findVariable(
  component: V201.ComponentType,
  variable: V201.VariableType,
): Variable | 'component' | 'variable' {
  const componentName = component.name.toLowerCase();
  // Every variable here belongs to a station-level component: one addressed on an EVSE is unknown.
  const candidates =
    component.evse === undefined && component.instance === undefined
      ? VARIABLES.filter((v) => v.component.toLowerCase() === componentName)
      : [];
  if (candidates.length === 0) return 'component';
  const variableName = variable.name.toLowerCase();
  const instance = variable.instance?.toLowerCase();
  const found = candidates.find(
    (v) => v.variable.toLowerCase() === variableName && v.instance?.toLowerCase() === instance,
  );
  return found ?? 'variable';
}

interface VariableEcho {
  readonly component: V201.ComponentType;
  readonly variable: V201.VariableType;
  readonly attributeType?: V201.AttributeEnumType;
}

/** What GetVariables and SetVariables answer before they read or write: the echo and any refusal. */
function resolveVariable(
  d: VariableEcho,
):
  | { echo: VariableEcho; refusal: 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType' }
  | { echo: VariableEcho; found: Variable } {
  const echo: VariableEcho = {
    component: d.component,
    variable: d.variable,
    ...(d.attributeType !== undefined ? { attributeType: d.attributeType } : {}),
  };
  const found = findVariable(d.component, d.variable);
  if (found === 'component') return { echo, refusal: 'UnknownComponent' };
  if (found === 'variable') return { echo, refusal: 'UnknownVariable' };
  if (d.attributeType !== undefined && d.attributeType !== 'Actual')
    return { echo, refusal: 'NotSupportedAttributeType' };
  return { echo, found };
}

export function getVariables(
  station: StationControl,
  request: V201.GetVariablesRequest,
): V201.GetVariablesResponse {
  return {
    getVariableResult: request.getVariableData.map((d): V201.GetVariableResultType => {
      const r = resolveVariable(d);
      if ('refusal' in r) return { ...r.echo, attributeStatus: r.refusal };
      return { ...r.echo, attributeStatus: 'Accepted', attributeValue: r.found.get(station) };
    }),
  };
}

export function setVariables(
  station: StationControl,
  request: V201.SetVariablesRequest,
): V201.SetVariablesResponse {
  return {
    setVariableResult: request.setVariableData.map((d): V201.SetVariableResultType => {
      const r = resolveVariable(d);
      if ('refusal' in r) return { ...r.echo, attributeStatus: r.refusal };
      // B05.FR.05: a ReadOnly variable is Rejected.
      const ok = r.found.set !== undefined && r.found.set(station, d.attributeValue);
      return { ...r.echo, attributeStatus: ok ? 'Accepted' : 'Rejected' };
    }),
  };
}

export function notifyReport(
  station: StationControl,
  request: V201.GetBaseReportRequest,
): Record<string, unknown> {
  // ConfigurationInventory: the writable variables; Full/Summary: everything there is.
  const variables =
    request.reportBase === 'ConfigurationInventory'
      ? VARIABLES.filter((v) => v.set !== undefined)
      : VARIABLES;
  const report: V201.NotifyReportRequest = {
    requestId: request.requestId,
    generatedAt: new Date().toISOString(),
    seqNo: 0,
    tbc: false,
    reportData: variables.map((v) => ({
      component: { name: v.component },
      variable: { name: v.variable, ...(v.instance !== undefined ? { instance: v.instance } : {}) },
      variableAttribute: [
        { type: 'Actual', value: v.get(station), mutability: v.set === undefined ? 'ReadOnly' : 'ReadWrite' },
      ],
      variableCharacteristics: {
        dataType: v.dataType,
        supportsMonitoring: false,
        ...(v.unit !== undefined ? { unit: v.unit } : {}),
      },
    })),
  };
  return report as unknown as Record<string, unknown>;
}
