import { smartChargingV1 as api } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { fromV201Profile, toV201SetChargingProfile } from './profile-v201.js';

const { ChargingProfilePurpose: P, ChargingProfileKind: K, ChargingRateUnit: U, RecurrencyKind: R } = api;

const START = new Date('2030-01-01T00:00:00.000Z');

function schedule(overrides: Partial<api.ChargingSchedule> = {}): api.ChargingSchedule {
  return {
    startSchedule: START,
    duration: 600,
    chargingRateUnit: U.CHARGING_RATE_UNIT_W,
    periods: [{ startPeriod: 0, limit: 6000 }],
    ...overrides,
  };
}

function profile(overrides: Partial<api.ChargingProfile> = {}): api.ChargingProfile {
  return {
    id: 11,
    stackLevel: 0,
    purpose: P.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE,
    kind: K.CHARGING_PROFILE_KIND_ABSOLUTE,
    recurrencyKind: R.RECURRENCY_KIND_UNSPECIFIED,
    validFrom: START,
    validTo: undefined,
    schedules: [schedule()],
    ...overrides,
  };
}

function violations(evseId: number, p: api.ChargingProfile): string[] {
  const result = toV201SetChargingProfile(evseId, p);
  if (result.ok) throw new Error('expected violations');
  return result.violations.map((v) => v.field);
}

describe('OCPP 2.0.1 SetChargingProfile conversion', () => {
  it('builds chargingProfile with evseId, schedule ids and ISO dates', () => {
    expect(toV201SetChargingProfile(1, profile())).toEqual({
      ok: true,
      value: {
        evseId: 1,
        chargingProfile: {
          id: 11,
          stackLevel: 0,
          chargingProfilePurpose: 'TxDefaultProfile',
          chargingProfileKind: 'Absolute',
          validFrom: '2030-01-01T00:00:00.000Z',
          chargingSchedule: [
            {
              id: 1,
              startSchedule: '2030-01-01T00:00:00.000Z',
              duration: 600,
              chargingRateUnit: 'W',
              chargingSchedulePeriod: [{ startPeriod: 0, limit: 6000 }],
            },
          ],
        },
      },
    });
  });

  it('sends a TxProfile with its string transactionId (K01.FR.03) and up to 3 schedules (K01.FR.34)', () => {
    const tx = profile({
      purpose: P.CHARGING_PROFILE_PURPOSE_TX_PROFILE,
      kind: K.CHARGING_PROFILE_KIND_RELATIVE,
      transactionId: 'tx-0001',
      schedules: [
        schedule({ id: 5, startSchedule: undefined }),
        schedule({
          startSchedule: undefined,
          periods: [{ startPeriod: 0, limit: 7000, numberPhases: 1, phaseToUse: 2 }],
        }),
      ],
    });
    const result = toV201SetChargingProfile(2, tx);
    if (!result.ok) throw new Error(JSON.stringify(result.violations));
    expect(result.value.chargingProfile.transactionId).toBe('tx-0001');
    expect(result.value.chargingProfile.chargingSchedule.map((s) => s.id)).toEqual([5, 2]);
    expect(result.value.chargingProfile.chargingSchedule[1]!.chargingSchedulePeriod[0]).toEqual({
      startPeriod: 0,
      limit: 7000,
      numberPhases: 1,
      phaseToUse: 2,
    });
    // K01.FR.03: the CSMS refuses a TxProfile without a transaction.
    expect(violations(2, { ...tx, transactionId: undefined })).toEqual(['profile.transaction_id']);
    expect(violations(2, { ...tx, transactionId: 'x'.repeat(37) })).toEqual(['profile.transaction_id']);
    // K01.FR.16: TxProfile only on an EVSE.
    expect(violations(0, tx)).toEqual(['evse_id']);
    expect(
      violations(2, {
        ...tx,
        schedules: [
          ...tx.schedules,
          schedule({ startSchedule: undefined, id: 9 }),
          schedule({ startSchedule: undefined, id: 10 }),
        ],
      }),
    ).toEqual(['profile.schedules']);
  });

  it('keeps the K01 rules: one schedule outside a transaction, first period at 0, ordered periods, start rules', () => {
    expect(violations(1, profile({ schedules: [schedule(), schedule({ id: 2 })] }))).toEqual([
      'profile.schedules',
    ]);
    expect(
      violations(1, profile({ schedules: [schedule({ periods: [{ startPeriod: 5, limit: 6 }] })] })),
    ).toEqual(['profile.schedules[0].periods[0].start_period']);
    expect(
      violations(
        1,
        profile({
          schedules: [
            schedule({
              periods: [
                { startPeriod: 0, limit: 6 },
                { startPeriod: 600, limit: 8 },
                { startPeriod: 300, limit: 10 },
              ],
            }),
          ],
        }),
      ),
    ).toEqual(['profile.schedules[0].periods[2].start_period']);
    // K01.FR.40: Absolute needs startSchedule; K01.FR.41: Relative has none.
    expect(violations(1, profile({ schedules: [schedule({ startSchedule: undefined })] }))).toEqual([
      'profile.schedules[0].start_schedule',
    ]);
    expect(violations(1, profile({ kind: K.CHARGING_PROFILE_KIND_RELATIVE }))).toEqual([
      'profile.schedules[0].start_schedule',
    ]);
    // K01.FR.38: the station maximum is not Relative; it lives on EVSE 0.
    expect(
      violations(
        0,
        profile({
          purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE,
          kind: K.CHARGING_PROFILE_KIND_RELATIVE,
          schedules: [schedule({ startSchedule: undefined })],
        }),
      ),
    ).toEqual(['profile.kind']);
    expect(
      violations(1, profile({ purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE })),
    ).toEqual(['evse_id']);
  });

  it('refuses ChargingStationExternalConstraints (K01.FR.22) and phaseToUse without one phase (K01.FR.19)', () => {
    expect(
      violations(0, profile({ purpose: P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_EXTERNAL_CONSTRAINTS })),
    ).toEqual(['profile.purpose']);
    expect(
      violations(
        1,
        profile({ schedules: [schedule({ periods: [{ startPeriod: 0, limit: 6, phaseToUse: 1 }] })] }),
      ),
    ).toEqual(['profile.schedules[0].periods[0].phase_to_use']);
    expect(
      violations(
        1,
        profile({
          schedules: [schedule({ periods: [{ startPeriod: 0, limit: 6, numberPhases: 1, phaseToUse: 4 }] })],
        }),
      ),
    ).toEqual(['profile.schedules[0].periods[0].phase_to_use']);
    expect(
      violations(
        1,
        profile({
          schedules: [schedule({ id: 3 }), schedule({ id: 3 })],
          purpose: P.CHARGING_PROFILE_PURPOSE_TX_PROFILE,
          transactionId: 't',
        }),
      ),
    ).toEqual(['profile.schedules[1].id']);
  });

  it('sends a Recurring profile with its recurrencyKind (TC_K_19_CSMS shape)', () => {
    const result = toV201SetChargingProfile(
      1,
      profile({ kind: K.CHARGING_PROFILE_KIND_RECURRING, recurrencyKind: R.RECURRENCY_KIND_WEEKLY }),
    );
    expect(result.ok && result.value.chargingProfile).toMatchObject({
      chargingProfileKind: 'Recurring',
      recurrencyKind: 'Weekly',
    });
  });

  it('reads a chargingProfile back into the typed profile', () => {
    const tx = profile({
      purpose: P.CHARGING_PROFILE_PURPOSE_TX_PROFILE,
      transactionId: 'tx-9',
      validTo: new Date('2030-02-01T00:00:00.000Z'),
      schedules: [
        schedule({ id: 4, minChargingRate: 1.5, periods: [{ startPeriod: 0, limit: 10, numberPhases: 3 }] }),
      ],
    });
    const result = toV201SetChargingProfile(3, tx);
    if (!result.ok) throw new Error('conversion failed');
    expect(fromV201Profile(result.value.chargingProfile)).toEqual(tx);
  });
});
