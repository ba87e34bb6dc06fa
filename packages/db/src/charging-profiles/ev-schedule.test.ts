import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import {
  allowsMoreThan,
  computeEvSchedule,
  convertLimit,
  exceedingPeriod,
  profileSpans,
  reducePeriods,
  siteLimitSpans,
  type LimitSpan,
} from './ev-schedule.js';

const T0 = Date.parse('2026-12-06T10:00:00.000Z');
const S = 1000;
const H = 3600 * S;

const ac = (evMaxCurrent: number, departureTime?: string): V201.ChargingNeedsType => ({
  requestedEnergyTransfer: 'AC_three_phase',
  ...(departureTime ? { departureTime } : {}),
  acChargingParameters: { energyAmount: 20_000, evMinCurrent: 6, evMaxCurrent, evMaxVoltage: 400 },
});
const dc: V201.ChargingNeedsType = {
  requestedEnergyTransfer: 'DC',
  dcChargingParameters: { evMaxCurrent: 200, evMaxVoltage: 500, evMaxPower: 50_000 },
};
const AC = { kind: 'AC', voltage: 400 } as const;

const periods = (s: V201.ChargingScheduleType | undefined) =>
  s?.chargingSchedulePeriod.map((p) => [p.startPeriod, p.limit]);

describe('computeEvSchedule (K15.FR.07)', () => {
  it('offers the EV its own maximum when nothing else limits it: A for AC, W for DC', () => {
    const schedule = computeEvSchedule({
      now: T0 + 400,
      needs: ac(32),
      maxPeriods: 3,
      stacked: [],
      limits: [],
    });
    expect(schedule).toEqual({
      id: 1,
      startSchedule: new Date(T0).toISOString(),
      chargingRateUnit: 'A',
      chargingSchedulePeriod: [{ startPeriod: 0, limit: 32 }],
      minChargingRate: 6,
    });
    const d = computeEvSchedule({ now: T0, needs: dc, maxPeriods: undefined, stacked: [], limits: [] });
    expect([d?.chargingRateUnit, periods(d)]).toEqual(['W', [[0, 50_000]]]);
  });

  it('lasts until the departure time and follows the lowest limit in force, limits in W converted', () => {
    const departure = new Date(T0 + 2 * H).toISOString();
    const external: LimitSpan[] = [{ from: T0 + H, to: T0 + H + 30 * 60 * S, limit: 6900 }]; // 6900 W = 10 A on 3 phases
    const maxProfile = [[{ from: -Infinity, to: Infinity, limit: 20 }]];
    const schedule = computeEvSchedule({
      now: T0,
      needs: ac(32, departure),
      maxPeriods: 5,
      stacked: [maxProfile],
      limits: external.map((s) => ({ ...s, limit: convertLimit(s.limit, 'W', 'A', AC) })),
    });
    expect(schedule?.duration).toBe(7200);
    expect(periods(schedule)).toEqual([
      [0, 20],
      [3600, 10],
      [5400, 20],
    ]);
  });

  it('keeps to the highest stack level in force of a purpose (K01.FR.17)', () => {
    const high = [{ from: T0 + H, to: T0 + 2 * H, limit: 25 }];
    const low = [{ from: -Infinity, to: Infinity, limit: 16 }];
    const schedule = computeEvSchedule({
      now: T0,
      needs: ac(32),
      maxPeriods: 5,
      stacked: [[high, low]],
      limits: [],
    });
    expect(periods(schedule)).toEqual([
      [0, 16],
      [3600, 25],
      [7200, 16],
    ]);
  });

  it('merges periods at the lower limit down to maxScheduleTuples, and rounds down to 0.1 A', () => {
    const limits = [
      { from: T0 + 10 * S, to: T0 + 20 * S, limit: 12.34 },
      { from: T0 + 20 * S, to: T0 + 30 * S, limit: 11 },
    ];
    const schedule = computeEvSchedule({ now: T0, needs: ac(16), maxPeriods: 2, stacked: [], limits });
    // 16 | 12.3 | 11 | 16: the closest pair (12.3, 11) first, then (16, 11).
    expect(periods(schedule)).toEqual([
      [0, 11],
      [30, 16],
    ]);
    expect(
      periods(computeEvSchedule({ now: T0, needs: ac(16), maxPeriods: 1, stacked: [], limits })),
    ).toEqual([[0, 11]]);
    expect(reducePeriods([{ startPeriod: 0, limit: 1 }], 1)).toEqual([{ startPeriod: 0, limit: 1 }]);
  });

  it('gives no schedule without AC or DC parameters (K15.FR.06)', () => {
    const needs = { requestedEnergyTransfer: 'DC' } as V201.ChargingNeedsType;
    expect(computeEvSchedule({ now: T0, needs, maxPeriods: 1, stacked: [], limits: [] })).toBeUndefined();
  });
});

describe('profileSpans', () => {
  const profile = (
    kind: V201.ChargingProfileKindEnumType,
    extra: Partial<V201.ChargingProfileType> = {},
  ) => ({
    id: 1,
    stackLevel: 0,
    chargingProfilePurpose: 'ChargingStationMaxProfile' as const,
    chargingProfileKind: kind,
    chargingSchedule: [
      {
        id: 1,
        startSchedule: new Date(T0 - 25 * H).toISOString(),
        chargingRateUnit: 'A' as const,
        chargingSchedulePeriod: [
          { startPeriod: 0, limit: 10 },
          { startPeriod: 3600, limit: 20 },
        ],
      },
    ],
    ...extra,
  });

  it('places Absolute, Relative and Recurring profiles and clips them to their validity', () => {
    expect(profileSpans(profile('Absolute'), T0, 'A', AC)).toEqual([
      { from: T0 - 25 * H, to: T0 - 24 * H, limit: 10, startPeriod: 0 },
      { from: T0 - 24 * H, to: Infinity, limit: 20, startPeriod: 3600 },
    ]);
    expect(profileSpans(profile('Relative'), T0, 'A', AC)[0]).toMatchObject({ from: T0, to: T0 + H });
    const daily = profileSpans(profile('Recurring', { recurrencyKind: 'Daily' }), T0, 'A', AC);
    expect(daily.map((s) => [s.from - T0, s.to - T0, s.limit])).toEqual([
      [-H, 0, 10],
      [0, 23 * H, 20],
      [23 * H, 24 * H, 10],
      [24 * H, 47 * H, 20],
    ]);
    const valid = profile('Absolute', { validTo: new Date(T0).toISOString() });
    expect(profileSpans(valid, T0, 'A', AC).at(-1)?.to).toBe(T0);
  });
});

describe('exceedingPeriod (K15.FR.11 / K15.FR.12)', () => {
  const limits: LimitSpan[] = [
    { from: T0, to: T0 + H, limit: 16 },
    { from: T0 + H, to: T0 + 2 * H, limit: 10 },
  ];
  const ev = (...ps: [number, number][]): V201.ChargingScheduleType => ({
    id: 1,
    chargingRateUnit: 'A',
    chargingSchedulePeriod: ps.map(([startPeriod, limit]) => ({ startPeriod, limit })),
  });

  it('accepts a schedule within the limits, also one a few seconds late (ISO 15118 timing)', () => {
    expect(exceedingPeriod(ev([0, 16], [3600, 10]), T0, limits, AC)).toBeUndefined();
    expect(exceedingPeriod(ev([0, 16], [3600, 10]), T0 + 20 * S, limits, AC)).toBeUndefined();
    expect(exceedingPeriod(ev([0, 8]), T0, limits, AC)).toBeUndefined();
  });

  it('finds the first period above the limit', () => {
    expect(exceedingPeriod(ev([0, 16], [3600, 12]), T0, limits, AC)).toBe(3600);
    expect(exceedingPeriod(ev([0, 32]), T0, limits, AC)).toBe(0);
    // 11 kW on three phases at 230 V is 15.9 A: within; 12 kW (17.4 A) is not.
    const w = (limit: number): V201.ChargingScheduleType => ({
      ...ev([0, limit]),
      chargingRateUnit: 'W',
      duration: 3600,
    });
    const inW = limits.map((s) => ({ ...s, limit: convertLimit(s.limit, 'A', 'W', AC) }));
    expect(exceedingPeriod(w(11_000), T0, inW, AC)).toBeUndefined();
    expect(exceedingPeriod(w(12_000), T0, inW, AC)).toBe(0);
  });
});

describe('siteLimitSpans (a site limit shared with the other transactions, K15.FR.07)', () => {
  const span = (from: number, to: number, limit: number): LimitSpan => ({ from, to, limit });

  it('leaves the whole limit with no other transaction, in W or A per phase (three phases at 230 V)', () => {
    expect(siteLimitSpans(22_080, [], 'W', AC)).toEqual([span(-Infinity, Infinity, 22_080)]);
    expect(siteLimitSpans(22_080, [], 'A', AC)).toEqual([span(-Infinity, Infinity, 32)]);
  });

  it("subtracts, over time, the highest stack level in force of each other transaction's TxProfiles", () => {
    const a = [[span(T0, T0 + H, 11_040)]]; // one TxProfile, 16 A for an hour
    const b = [
      [span(T0 + H / 2, T0 + H, 2_000)], // stack level 1 wins where it is in force...
      [span(T0, T0 + 2 * H, 6_000)], // ...over stack level 0
    ];
    expect(siteLimitSpans(22_080, [a, b], 'W', AC)).toEqual([
      span(-Infinity, T0, 22_080),
      span(T0, T0 + H / 2, 22_080 - 11_040 - 6_000),
      span(T0 + H / 2, T0 + H, 22_080 - 11_040 - 2_000),
      span(T0 + H, T0 + 2 * H, 22_080 - 6_000),
      span(T0 + 2 * H, Infinity, 22_080),
    ]);
  });

  it('never goes below 0 when the others were allotted more than the site has', () => {
    const big = [[span(T0, T0 + H, 30_000)]];
    expect(siteLimitSpans(22_080, [big], 'A', AC)).toEqual([
      span(-Infinity, T0, 32),
      span(T0, T0 + H, 0),
      span(T0 + H, Infinity, 32),
    ]);
  });
});

describe('allowsMoreThan', () => {
  const current: LimitSpan[] = [
    { from: T0, to: T0 + H, limit: 16 },
    { from: T0 + H, to: T0 + 2 * H, limit: 10 },
  ];

  it('finds a moment from `from` on where the first is above the second, where both are in force', () => {
    expect(allowsMoreThan([{ from: T0, to: T0 + 2 * H, limit: 12 }], current, T0)).toBe(true);
    expect(allowsMoreThan(current, [{ from: T0, to: T0 + 2 * H, limit: 12 }], T0)).toBe(true);
    expect(allowsMoreThan([{ from: T0, to: T0 + 2 * H, limit: 10 }], current, T0)).toBe(false);
    // Only from `from` on: the first hour is over.
    expect(allowsMoreThan(current, [{ from: T0, to: T0 + 2 * H, limit: 12 }], T0 + H)).toBe(false);
    // Where the second has nothing in force, nothing is compared.
    expect(allowsMoreThan([{ from: T0 + 2 * H, to: Infinity, limit: 32 }], current, T0)).toBe(false);
    // Equal limits (up to rounding noise) are not more.
    expect(allowsMoreThan([{ from: T0, to: T0 + H, limit: 16 + 1e-12 }], current, T0)).toBe(false);
  });
});
