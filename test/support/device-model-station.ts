/**
 * Simulated stations that state per-message limits (issue #12): a 2.0.1 station whose GetVariables answers
 * come from a small device model, a 1.6 station whose GetConfiguration answers come from a key table, and a
 * NotifyReport part reporting variables.
 */
import type { V16, V201 } from '@csms/ocpp';
import { at, type Station16, type Station201 } from './scenario.js';

/** `Component.Variable[instance]`, e.g. `DeviceDataCtrlr.ItemsPerMessage[GetVariables]`. */
export function variableKey(component: string, variable: string, instance?: string): string {
  return `${component}.${variable}${instance !== undefined ? `[${instance}]` : ''}`;
}

/** Answers GetVariables from `values` (by {@link variableKey}); other variables are UnknownVariable. */
export function answerGetVariables(cs: Station201, values: Readonly<Record<string, string>>): void {
  cs.respond('GetVariables', ({ getVariableData }) => ({
    getVariableResult: getVariableData.map((d): V201.GetVariableResultType => {
      const value = values[variableKey(d.component.name, d.variable.name, d.variable.instance)];
      return value === undefined
        ? { attributeStatus: 'UnknownVariable', component: d.component, variable: d.variable }
        : {
            attributeStatus: 'Accepted',
            attributeValue: value,
            component: d.component,
            variable: d.variable,
          };
    }),
  }));
}

/** Accepts every SetVariables entry. */
export function acceptSetVariables(cs: Station201): void {
  cs.respond('SetVariables', ({ setVariableData }) => ({
    setVariableResult: setVariableData.map((d): V201.SetVariableResultType => ({
      attributeType: d.attributeType ?? 'Actual',
      attributeStatus: 'Accepted',
      component: d.component,
      variable: d.variable,
    })),
  }));
}

/** Answers GetConfiguration from `keys` (all of them for an empty request); others are unknownKey. */
export function answerGetConfiguration(cp: Station16, keys: Readonly<Record<string, string>>): void {
  cp.respond('GetConfiguration', ({ key }): V16.GetConfigurationResponse => {
    const asked = key ?? Object.keys(keys);
    const known = asked.filter((k) => keys[k] !== undefined);
    const unknown = asked.filter((k) => keys[k] === undefined);
    return {
      configurationKey: known.map((k) => ({ key: k, readonly: true, value: keys[k] ?? '' })),
      ...(unknown.length > 0 ? { unknownKey: unknown } : {}),
    };
  });
}

let reportId = 0;

/** Sends one NotifyReport part reporting the Actual values of `values` (by {@link variableKey}). */
export async function reportVariables(
  cs: Station201,
  values: readonly { component: string; variable: string; instance?: string; value: string }[],
): Promise<void> {
  reportId += 1;
  await cs.call('NotifyReport', {
    requestId: reportId,
    generatedAt: at(),
    seqNo: 0,
    tbc: false,
    reportData: values.map((v) => ({
      component: { name: v.component },
      variable: { name: v.variable, ...(v.instance !== undefined ? { instance: v.instance } : {}) },
      variableAttribute: [{ type: 'Actual', value: v.value, mutability: 'ReadOnly' }],
    })),
  });
}
