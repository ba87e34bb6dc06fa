/**
 * External charging limits through the whole embedded CSMS (every gRPC service, real stations): what a 2.0.1
 * station notifies (NotifyChargingLimit / ClearedChargingLimit, K11-K14) as SmartChargingService's
 * ListExternalChargingLimits and GetCompositeSchedule show it, and `csmsctl charging limits` / `charging composite`.
 */
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { cp, cs, ctl, json, ok, rows, useCsmsctlDomain } from '../support/csmsctl-domain.js';

useCsmsctlDomain();

const START = '2030-06-01T00:00:00.000Z';

function notify(
  source: V201.ChargingLimitSourceEnumType,
  chargingRateUnit: V201.ChargingRateUnitEnumType,
  limit: number,
  evseId?: number,
): V201.NotifyChargingLimitRequest {
  return {
    chargingLimit: { chargingLimitSource: source, isGridCritical: source === 'SO' },
    ...(evseId !== undefined ? { evseId } : {}),
    chargingSchedule: [
      {
        id: 1,
        startSchedule: START,
        chargingRateUnit,
        chargingSchedulePeriod: [
          { startPeriod: 0, limit },
          { startPeriod: 600, limit: limit / 2 },
        ],
      },
    ],
  };
}

describe('SmartChargingService external charging limits (csmsctl charging limits)', () => {
  it('lists what the station notified, by EVSE and source, filtered by EVSE; released limits are gone', async () => {
    expect(await cs.call('NotifyChargingLimit', notify('SO', 'A', 20))).toEqual({});
    expect(await cs.call('NotifyChargingLimit', notify('EMS', 'W', 11000, 1))).toEqual({});
    expect(rows(ok(await ctl('charging', 'limits', cs.id)))).toEqual([
      ['evse', 'source', 'grid critical', 'schedules', 'received'],
      [
        '0',
        'SO',
        'true',
        `${START} 0s 20A, 600s 10A`,
        expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown as string,
      ],
      [
        '1',
        'EMS',
        'false',
        `${START} 0s 11000W, 600s 5500W`,
        expect.stringMatching(/^\d{4}-/) as unknown as string,
      ],
    ]);
    const evse1 = json<{ limits: Record<string, unknown>[] }>(
      await ctl('--json', 'charging', 'limits', cs.id, '--evse', '1'),
    );
    expect(evse1.limits).toEqual([
      expect.objectContaining({
        stationId: cs.id,
        evseId: 1,
        chargingLimitSource: 'CHARGING_LIMIT_SOURCE_EMS',
        isGridCritical: false,
      }),
    ]);

    // The composite schedule of EVSE 1 in A: the station-wide SO limit (A) applies, the EMS one (W) cannot.
    cs.respond('GetCompositeSchedule', {
      status: 'Accepted',
      schedule: {
        evseId: 1,
        duration: 3600,
        scheduleStart: START,
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, numberPhases: 3 }],
      },
    });
    const composite = ok(
      await ctl('charging', 'composite', cs.id, '--evse', '1', '--duration', '3600', '--unit', 'A'),
    );
    const limited = composite.slice(composite.indexOf('with the external limits applied'));
    expect(limited.split('\n')[0]).toBe('with the external limits applied (SO@0, EMS@1):');
    expect(rows(limited)).toEqual([
      ['start (s)', 'limit', 'phases', 'phase to use'],
      ['0', '16', '3', '-'],
      ['600', '10', '3', '-'],
    ]);

    expect(await cs.call('ClearedChargingLimit', { chargingLimitSource: 'SO' })).toEqual({});
    expect(rows(ok(await ctl('charging', 'limits', cs.id))).map((r) => r.slice(0, 2))).toEqual([
      ['evse', 'source'],
      ['1', 'EMS'],
    ]);
  });

  it('charging report --source / --id: the chargingLimitSource and chargingProfileId criteria (K09.FR.03)', async () => {
    cs.respond('GetChargingProfiles', { status: 'NoProfiles' });
    const report = await ctl('charging', 'report', cs.id, '--evse', '1', '--source', 'EMS,so', '--wait', '0');
    expect([report.code, report.stderr]).toEqual([0, expect.stringMatching(/^request \d+: NoProfiles\n$/)]);
    const { requestId, ...criteria } = cs.requests('GetChargingProfiles').at(-1)!;
    expect(requestId).toBeGreaterThan(0);
    expect(criteria).toEqual({ evseId: 1, chargingProfile: { chargingLimitSource: ['EMS', 'SO'] } });
    json(await ctl('--json', 'charging', 'report', cs.id, '--id', '5,-6', '--wait', '0'));
    expect(cs.requests('GetChargingProfiles').at(-1)?.chargingProfile).toEqual({
      chargingProfileId: [5, -6],
    });
    const bad = await ctl('charging', 'report', cs.id, '--source', 'DSO');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--source must be EMS, Other, SO or CSO/);
    const both = await ctl('charging', 'report', cs.id, '--id', '5', '--stack-level', '1');
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/INVALID_ARGUMENT[^]*charging_profile_ids: /);
  });

  it('refuses an unknown station, a negative EVSE; a 1.6 station has none', async () => {
    const unknown = await ctl('charging', 'limits', 'no-such-station');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/NOT_FOUND/);
    const negative = await ctl('charging', 'limits', cs.id, '--evse', '-1');
    expect(negative.code).not.toBe(0);
    expect(json(await ctl('--json', 'charging', 'limits', cp.id))).toEqual({});
  });
});
