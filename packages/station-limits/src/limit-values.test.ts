import { describe, expect, it } from 'vitest';
import { allLimitDefs, limitDefsFor } from './limit-catalog.js';
import { limitsFromConfiguration, limitsFromVariableResults, parseLimit } from './limit-values.js';

describe('parseLimit', () => {
  it('takes positive 32-bit integers only', () => {
    expect(parseLimit('4')).toBe(4);
    expect(parseLimit(' 12 ')).toBe(12);
    for (const bad of ['0', '-1', '1.5', 'ten', '', '99999999999', undefined, 4])
      expect(parseLimit(bad)).toBeNull();
  });
});

describe('limitsFromVariableResults', () => {
  const defs = limitDefsFor('ocpp2.0.1', 'GetVariables');
  const result = (variable: Record<string, unknown>, extra: Record<string, unknown>) => ({
    component: { name: 'DeviceDataCtrlr' },
    variable,
    ...extra,
  });

  it('reads the Actual value of an Accepted result; other results give null', () => {
    expect(
      limitsFromVariableResults(defs, [
        result(
          { name: 'ItemsPerMessage', instance: 'GetVariables' },
          { attributeStatus: 'Accepted', attributeValue: '4' },
        ),
        result({ name: 'BytesPerMessage', instance: 'GetVariables' }, { attributeStatus: 'UnknownVariable' }),
        // Another instance and another attribute type are not these limits.
        result(
          { name: 'ItemsPerMessage', instance: 'SetVariables' },
          { attributeStatus: 'Accepted', attributeValue: '9' },
        ),
      ]),
    ).toEqual([
      { name: 'DeviceDataCtrlr.ItemsPerMessage[GetVariables]', value: 4 },
      { name: 'DeviceDataCtrlr.BytesPerMessage[GetVariables]', value: null },
    ]);
    expect(
      limitsFromVariableResults(defs, [
        result(
          { name: 'ItemsPerMessage', instance: 'GetVariables' },
          { attributeStatus: 'Accepted', attributeValue: '4', attributeType: 'MaxSet' },
        ),
      ]),
    ).toEqual([]);
    expect(limitsFromVariableResults(defs, 'garbage')).toEqual([]);
  });

  it('knows the LocalAuthListCtrlr limits, which have no instance', () => {
    const learned = limitsFromVariableResults(allLimitDefs('ocpp2.0.1'), [
      {
        component: { name: 'LocalAuthListCtrlr' },
        variable: { name: 'ItemsPerMessage' },
        attributeStatus: 'Accepted',
        attributeValue: '25',
      },
    ]);
    expect(learned).toEqual([{ name: 'LocalAuthListCtrlr.ItemsPerMessage', value: 25 }]);
  });
});

describe('limitsFromConfiguration', () => {
  it('reads listed keys and remembers unknown ones as null; unmentioned keys are not learned', () => {
    const defs = allLimitDefs('ocpp1.6');
    expect(
      limitsFromConfiguration(defs, {
        configurationKey: [
          { key: 'GetConfigurationMaxKeys', readonly: true, value: '2' },
          { key: 'SendLocalListMaxLength', readonly: true, value: 'lots' },
        ],
        unknownKey: ['LocalAuthListMaxLength'],
      }),
    ).toEqual([
      { name: 'GetConfigurationMaxKeys', value: 2 },
      { name: 'SendLocalListMaxLength', value: null },
      { name: 'LocalAuthListMaxLength', value: null },
    ]);
    expect(limitsFromConfiguration(defs, {})).toEqual([]);
  });
});
