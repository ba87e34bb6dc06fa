import type { OcppVersion } from '@csms/ocpp';

// Which of a station's limits bound which CSMS request, and where the station states them.

/** The requests whose size a station limits. */
export type LimitedAction =
  | 'GetVariables'
  | 'SetVariables'
  | 'GetReport'
  | 'GetMonitoringReport'
  | 'SetVariableMonitoring'
  | 'ClearVariableMonitoring'
  | 'GetConfiguration'
  | 'SendLocalList';

/** A 2.0.1 device model variable or a 1.6 configuration key. */
export type LimitSource =
  | {
      readonly kind: 'variable';
      readonly component: string;
      readonly variable: string;
      readonly instance?: string;
    }
  | { readonly kind: 'key'; readonly key: string };

/**
 * One limit: `items` = entries per message, `bytes` = bytes per message, `listEntries` = entries of the
 * whole local list (1.6 LocalAuthListMaxLength).
 */
export interface LimitDef {
  readonly name: string;
  readonly role: 'items' | 'bytes' | 'listEntries';
  readonly source: LimitSource;
}

function variable(component: string, name: string, role: LimitDef['role'], instance?: string): LimitDef {
  return {
    name: `${component}.${name}${instance !== undefined ? `[${instance}]` : ''}`,
    role,
    source: { kind: 'variable', component, variable: name, ...(instance !== undefined ? { instance } : {}) },
  };
}

function key(name: string, role: LimitDef['role']): LimitDef {
  return { name, role, source: { kind: 'key', key: name } };
}

/** 2.0.1 appendix 3 DeviceDataCtrlr ItemsPerMessage / BytesPerMessage with the request as instance. */
const deviceData = (instance: string): readonly LimitDef[] => [
  variable('DeviceDataCtrlr', 'ItemsPerMessage', 'items', instance),
  variable('DeviceDataCtrlr', 'BytesPerMessage', 'bytes', instance),
];

const monitoring = (instance: string): readonly LimitDef[] => [
  variable('MonitoringCtrlr', 'ItemsPerMessage', 'items', instance),
  variable('MonitoringCtrlr', 'BytesPerMessage', 'bytes', instance),
];

const CATALOG: Readonly<
  Record<'ocpp1.6' | 'ocpp2.0.1', Partial<Record<LimitedAction, readonly LimitDef[]>>>
> = {
  'ocpp2.0.1': {
    // B06.FR.05, B05.FR.11, B07/B08 (GetReport componentVariable entries).
    GetVariables: deviceData('GetVariables'),
    SetVariables: deviceData('SetVariables'),
    GetReport: deviceData('GetReport'),
    // Appendix 2.1.16: ItemsPerMessageGetReport also bounds GetMonitoringReport's componentVariable entries.
    GetMonitoringReport: deviceData('GetReport'),
    // N04.FR.09, N06.FR.04: MonitoringCtrlr ItemsPerMessage / BytesPerMessage with the request as instance.
    SetVariableMonitoring: monitoring('SetVariableMonitoring'),
    ClearVariableMonitoring: monitoring('ClearVariableMonitoring'),
    // D01.FR.11: ItemsPerMessageSendLocalList / BytesPerMessageSendLocalList.
    SendLocalList: [
      variable('LocalAuthListCtrlr', 'ItemsPerMessage', 'items'),
      variable('LocalAuthListCtrlr', 'BytesPerMessage', 'bytes'),
    ],
  },
  'ocpp1.6': {
    // 1.6 §9.1.9 GetConfigurationMaxKeys (§5.8), §9.2.3 SendLocalListMaxLength, §9.2.2 LocalAuthListMaxLength.
    GetConfiguration: [key('GetConfigurationMaxKeys', 'items')],
    SendLocalList: [key('SendLocalListMaxLength', 'items'), key('LocalAuthListMaxLength', 'listEntries')],
  },
};

/** The limits of `action` for a station of `version` (none for other actions and versions). */
export function limitDefsFor(version: OcppVersion, action: string): readonly LimitDef[] {
  if (version !== 'ocpp1.6' && version !== 'ocpp2.0.1') return [];
  return CATALOG[version][action as LimitedAction] ?? [];
}

/** Every limit of a version: what a GetVariables / GetConfiguration answer may tell about. */
export function allLimitDefs(version: 'ocpp1.6' | 'ocpp2.0.1'): readonly LimitDef[] {
  const byName = new Map(
    Object.values(CATALOG[version])
      .flat()
      .map((d) => [d.name, d]),
  );
  return [...byName.values()];
}
