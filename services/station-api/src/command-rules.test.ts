import { describe, expect, it } from 'vitest';
import { commandRuleViolations } from './command-rules.js';

/** A Relative TxProfile as a remote start carries it (OCTT TC_059_CSMS, TC_K_37_CSMS), with `fields` merged. */
function withProfile(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    chargingProfile: {
      chargingProfileId: 1,
      stackLevel: 0,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
      ...fields,
    },
  };
}

const fields = (version: 'ocpp1.6' | 'ocpp2.0.1', action: string, payload: Record<string, unknown>) =>
  commandRuleViolations(version, action, payload).map((v) => v.field);

describe('rules on what the CSMS sends that the schemas do not express', () => {
  for (const [version, action] of [
    ['ocpp1.6', 'RemoteStartTransaction'],
    ['ocpp2.0.1', 'RequestStartTransaction'],
  ] as const) {
    describe(`${version} ${action} with a charging profile`, () => {
      it('accepts a TxProfile without transactionId, and a request without profile', () => {
        expect(commandRuleViolations(version, action, { idTag: 'T', ...withProfile() })).toEqual([]);
        expect(commandRuleViolations(version, action, { idTag: 'T' })).toEqual([]);
      });

      it('refuses another purpose (1.6 §5.16.2; 2.0.1 F01.FR.09, K05.FR.02)', () => {
        for (const purpose of ['TxDefaultProfile', 'ChargePointMaxProfile', 'ChargingStationMaxProfile'])
          expect(fields(version, action, withProfile({ chargingProfilePurpose: purpose }))).toEqual([
            'payload.charging_profile.charging_profile_purpose',
          ]);
        const [violation] = commandRuleViolations(
          version,
          action,
          withProfile({ chargingProfilePurpose: 'TxDefaultProfile' }),
        );
        expect(violation?.description).toMatch(
          version === 'ocpp1.6' ? /TxProfile \(1\.6 §5\.16\.2\)/ : /TxProfile \(F01\.FR\.09, K05\.FR\.02\)/,
        );
      });

      it('refuses a transactionId (1.6 §5.16.2; 2.0.1 F01.FR.11), with the purpose checked too', () => {
        const transactionId = version === 'ocpp1.6' ? 7 : 'TX-7';
        expect(fields(version, action, withProfile({ transactionId }))).toEqual([
          'payload.charging_profile.transaction_id',
        ]);
        expect(
          fields(version, action, withProfile({ transactionId, chargingProfilePurpose: 'TxDefaultProfile' })),
        ).toEqual([
          'payload.charging_profile.charging_profile_purpose',
          'payload.charging_profile.transaction_id',
        ]);
        expect(
          commandRuleViolations(version, action, withProfile({ transactionId }))[0]?.description,
        ).toMatch(version === 'ocpp1.6' ? /§5\.16\.2/ : /F01\.FR\.11/);
      });
    });
  }

  it('has no rules for other actions, nor for the other version’s action of the same name', () => {
    const payload = withProfile({ chargingProfilePurpose: 'TxDefaultProfile', transactionId: 7 });
    expect(commandRuleViolations('ocpp1.6', 'SetChargingProfile', payload)).toEqual([]);
    expect(commandRuleViolations('ocpp2.0.1', 'RemoteStartTransaction', payload)).toEqual([]);
    expect(commandRuleViolations('ocpp1.6', 'RequestStartTransaction', payload)).toEqual([]);
  });

  it('leaves a profile that is not an object to the schema check', () => {
    expect(commandRuleViolations('ocpp1.6', 'RemoteStartTransaction', { chargingProfile: 'x' })).toEqual([]);
    expect(commandRuleViolations('ocpp1.6', 'RemoteStartTransaction', { chargingProfile: null })).toEqual([]);
  });
});
