import { smartChargingV1 as api } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { applyExternalLimits } from './limit-schedule.js';

const { CHARGING_RATE_UNIT_A: A, CHARGING_RATE_UNIT_W: W } = api.ChargingRateUnit;
const START = new Date('2031-02-01T08:00:00.000Z');
const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);

const composite = (periods: api.ChargingSchedulePeriod[], duration = 3600): api.CompositeSchedule => ({
  evseId: 1,
  scheduleStart: START,
  duration,
  chargingRateUnit: A,
  periods,
});

function external(schedules: Partial<api.ChargingSchedule>[], updateTime = START): api.ExternalChargingLimit {
  return {
    stationId: 'CS',
    evseId: 0,
    chargingLimitSource: api.ChargingLimitSource.CHARGING_LIMIT_SOURCE_EMS,
    schedules: schedules.map((s) => ({
      startSchedule: undefined,
      chargingRateUnit: A,
      periods: [],
      ...s,
    })),
    updateTime,
  };
}

const limits = (s: api.CompositeSchedule) => s.periods.map((p) => [p.startPeriod, p.limit]);

describe('applyExternalLimits: the lowest limit wins per period', () => {
  it('returns the schedule as is without an applicable external schedule', () => {
    const schedule = composite([{ startPeriod: 0, limit: 32 }]);
    expect(applyExternalLimits(schedule, [])).toBe(schedule);
    // Only reported that a limit exists (no schedules), or in another unit, or over before the schedule starts.
    const other = external([{ chargingRateUnit: W, periods: [{ startPeriod: 0, limit: 1000 }] }]);
    const past = external([
      { startSchedule: at(-7200), duration: 60, periods: [{ startPeriod: 0, limit: 1 }] },
    ]);
    expect(applyExternalLimits(schedule, [external([]), other, past])).toBe(schedule);
  });

  it('cuts the periods where an external limit is lower, and only while it is in force', () => {
    const schedule = composite([
      { startPeriod: 0, limit: 32, numberPhases: 3 },
      { startPeriod: 1800, limit: 10, numberPhases: 3 },
    ]);
    const ems = external([
      {
        startSchedule: at(600),
        duration: 1800,
        periods: [
          { startPeriod: 0, limit: 16 },
          { startPeriod: 600, limit: 20 },
        ],
      },
    ]);
    const limited = applyExternalLimits(schedule, [ems]);
    expect(limits(limited)).toEqual([
      [0, 32],
      [600, 16],
      [1200, 20],
      // The station's own period start is kept; its 10 A is below the external 20 A.
      [1800, 10],
    ]);
    expect(limited.periods.every((p) => p.numberPhases === 3)).toBe(true);
    expect({ ...limited, periods: [] }).toEqual({ ...schedule, periods: [] });
  });

  it('takes the lowest of several sources, and a schedule without start begins when it was notified', () => {
    const schedule = composite([{ startPeriod: 0, limit: 32 }], 600);
    const so = external([{ periods: [{ startPeriod: 0, limit: 12 }] }], at(300));
    const ems = external([{ startSchedule: at(-60), periods: [{ startPeriod: 0, limit: 20 }] }]);
    expect(limits(applyExternalLimits(schedule, [so, ems]))).toEqual([
      [0, 20],
      [300, 12],
    ]);
  });

  it('widens a limit that starts within a second to the whole second', () => {
    const schedule = composite([{ startPeriod: 0, limit: 32 }], 60);
    const ems = external([
      { startSchedule: new Date(START.getTime() + 10_500), periods: [{ startPeriod: 0, limit: 6 }] },
    ]);
    expect(limits(applyExternalLimits(schedule, [ems]))).toEqual([
      [0, 32],
      [10, 6],
    ]);
  });
});
