import { smartChargingV1 as api } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { fromV16Profile, toV16SetChargingProfile } from './profile-v16.js';

const { ChargingProfilePurpose: P, ChargingProfileKind: K, ChargingRateUnit: U, RecurrencyKind: R } = api;

function profile(overrides: Partial<api.ChargingProfile> = {}): api.ChargingProfile {
  return {
    id: 7,
    stackLevel: 2,
    purpose: P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE,
    kind: K.CHARGING_PROFILE_KIND_ABSOLUTE,
    recurrencyKind: R.RECURRENCY_KIND_UNSPECIFIED,
    validFrom: new Date('2030-01-01T00:00:00.000Z'),
    validTo: new Date('2030-01-02T00:00:00.000Z'),
    schedules: [
      {
        startSchedule: new Date('2030-01-01T00:00:00.000Z'),
        duration: 3600,
        chargingRateUnit: U.CHARGING_RATE_UNIT_A,
        periods: [
          { startPeriod: 0, limit: 6, numberPhases: 1 },
          { startPeriod: 1800, limit: 16.5 },
        ],
        minChargingRate: 4.2,
      },
    ],
    ...overrides,
  };
}

function violations(evseId: number, p: api.ChargingProfile): string[] {
  const result = toV16SetChargingProfile(evseId, p);
  if (result.ok) throw new Error('expected violations');
  return result.violations.map((v) => v.field);
}

describe('OCPP 1.6 SetChargingProfile conversion', () => {
  it('builds csChargingProfiles with connectorId, ISO dates and only the fields given', () => {
    const result = toV16SetChargingProfile(1, profile());
    expect(result).toEqual({
      ok: true,
      value: {
        connectorId: 1,
        csChargingProfiles: {
          chargingProfileId: 7,
          stackLevel: 2,
          chargingProfilePurpose: 'TxDefaultProfile',
          chargingProfileKind: 'Absolute',
          validFrom: '2030-01-01T00:00:00.000Z',
          validTo: '2030-01-02T00:00:00.000Z',
          chargingSchedule: {
            duration: 3600,
            startSchedule: '2030-01-01T00:00:00.000Z',
            chargingRateUnit: 'A',
            chargingSchedulePeriod: [
              { startPeriod: 0, limit: 6, numberPhases: 1 },
              { startPeriod: 1800, limit: 16.5 },
            ],
            minChargingRate: 4.2,
          },
        },
      },
    });
  });

  it('spells the station maximum ChargePointMaxProfile, on connector 0', () => {
    const result = toV16SetChargingProfile(
      0,
      profile({ purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE }),
    );
    expect(result.ok && result.value.csChargingProfiles.chargingProfilePurpose).toBe('ChargePointMaxProfile');
    expect(
      violations(2, profile({ purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE })),
    ).toEqual(['evse_id']);
  });

  it('sends a TxProfile with the integer transactionId, and requires one', () => {
    const tx = profile({ purpose: P.CHARGING_PROFILE_PURPOSE_TX_PROFILE, transactionId: '42' });
    const result = toV16SetChargingProfile(1, tx);
    expect(result.ok && result.value.csChargingProfiles.transactionId).toBe(42);
    expect(violations(1, { ...tx, transactionId: undefined })).toEqual(['profile.transaction_id']);
    expect(violations(1, { ...tx, transactionId: 'abc' })).toEqual(['profile.transaction_id']);
    expect(violations(1, { ...tx, transactionId: '99999999999' })).toEqual(['profile.transaction_id']);
    expect(violations(0, tx)).toEqual(['evse_id']);
    expect(violations(1, profile({ transactionId: '42' }))).toEqual(['profile.transaction_id']);
  });

  it('rejects what OCPP 1.6 cannot carry: several schedules, schedule ids, phaseToUse, external constraints', () => {
    const base = profile();
    const schedule = base.schedules[0]!;
    expect(violations(1, { ...base, schedules: [schedule, schedule] })).toEqual(['profile.schedules']);
    expect(violations(1, { ...base, schedules: [{ ...schedule, id: 1 }] })).toEqual([
      'profile.schedules[0].id',
    ]);
    expect(
      violations(1, {
        ...base,
        schedules: [{ ...schedule, periods: [{ startPeriod: 0, limit: 6, numberPhases: 1, phaseToUse: 2 }] }],
      }),
    ).toEqual(['profile.schedules[0].periods[0].phase_to_use']);
    expect(
      violations(0, { ...base, purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_EXTERNAL_CONSTRAINTS }),
    ).toEqual(['profile.purpose']);
  });

  it('reports every problem of a bad profile at once', () => {
    const bad: api.ChargingProfile = {
      id: 0,
      stackLevel: -1,
      purpose: P.CHARGING_PROFILE_PURPOSE_UNSPECIFIED,
      kind: K.CHARGING_PROFILE_KIND_RECURRING,
      recurrencyKind: R.RECURRENCY_KIND_UNSPECIFIED,
      validFrom: new Date('2030-01-02T00:00:00Z'),
      validTo: new Date('2030-01-01T00:00:00Z'),
      schedules: [
        {
          startSchedule: undefined,
          chargingRateUnit: U.CHARGING_RATE_UNIT_UNSPECIFIED,
          duration: -5,
          periods: [
            { startPeriod: 10, limit: 6.25, numberPhases: 4 },
            { startPeriod: 10, limit: -1 },
          ],
        },
      ],
    };
    expect(violations(-1, bad).sort()).toEqual(
      [
        'evse_id',
        'profile.id',
        'profile.stack_level',
        'profile.purpose',
        'profile.recurrency_kind',
        'profile.valid_to',
        'profile.schedules[0].charging_rate_unit',
        'profile.schedules[0].duration',
        'profile.schedules[0].periods[0].limit',
        'profile.schedules[0].periods[0].number_phases',
        'profile.schedules[0].periods[1].start_period',
        'profile.schedules[0].periods[1].limit',
        'profile.schedules[0].start_schedule',
      ].sort(),
    );
    expect(violations(1, { ...profile(), schedules: [] })).toEqual(['profile.schedules']);
  });

  it('tells unknown enum numbers and timestamps OCPP cannot carry from missing fields', () => {
    const base = profile();
    const odd = {
      ...base,
      purpose: 42 as api.ChargingProfilePurpose,
      kind: K.CHARGING_PROFILE_KIND_UNSPECIFIED,
      validFrom: new Date(Date.UTC(10000, 0, 1)),
      validTo: undefined,
      schedules: [
        { ...base.schedules[0]!, chargingRateUnit: 9 as api.ChargingRateUnit, startSchedule: new Date(NaN) },
      ],
    };
    const result = toV16SetChargingProfile(1, odd);
    expect(result.ok ? [] : result.violations).toEqual([
      { field: 'profile.purpose', description: 'unknown value' },
      { field: 'profile.kind', description: 'required' },
      { field: 'profile.valid_from', description: 'not a valid timestamp' },
      { field: 'profile.schedules[0].charging_rate_unit', description: 'unknown value' },
      { field: 'profile.schedules[0].start_schedule', description: 'not a valid timestamp' },
    ]);
  });

  it('sends a Recurring profile with its recurrencyKind, and only then', () => {
    const recurring = profile({
      kind: K.CHARGING_PROFILE_KIND_RECURRING,
      recurrencyKind: R.RECURRENCY_KIND_DAILY,
    });
    const result = toV16SetChargingProfile(0, recurring);
    expect(result.ok && result.value.csChargingProfiles.recurrencyKind).toBe('Daily');
    expect(violations(0, profile({ recurrencyKind: R.RECURRENCY_KIND_WEEKLY }))).toEqual([
      'profile.recurrency_kind',
    ]);
  });

  it('reads a stored csChargingProfiles back into the typed profile', () => {
    const tx = profile({ purpose: P.CHARGING_PROFILE_PURPOSE_TX_PROFILE, transactionId: '42' });
    const result = toV16SetChargingProfile(1, tx);
    if (!result.ok) throw new Error('conversion failed');
    expect(fromV16Profile(result.value.csChargingProfiles)).toEqual(tx);
  });
});
