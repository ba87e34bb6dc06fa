/**
 * OCPP 2.0.1 Part 6 §3 (K Smart Charging), CSMS cases of external charging limits: K12 Set / Update External
 * Charging Limit (TC_K_48, TC_K_52) and K13 Reset / Release External Charging Limit (TC_K_50, TC_K_51). A whole
 * embedded CSMS on PostgreSQL, the SmartChargingService on a real gRPC server and a real OCPP 2.0.1 station
 * (ocpp-rpc, strict mode).
 *
 * The OCTT only checks that the CSMS answers; the CSMS also keeps what the station reports (the latest limit per
 * EVSE and source, until released), which the tests read through ListExternalChargingLimits and
 * GetCompositeSchedule (`external_limits`, `limited_schedule`).
 */
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { Tx201 } from '../support/octt-states.js';
import { addIdToken, type Station201 } from '../support/scenario.js';
import {
  CS,
  NOW,
  P,
  U,
  booted201Station,
  client,
  csms,
  storedIds,
  useSmartChargingApi,
} from '../support/smart-charging-api.js';
import {
  G,
  L,
  R,
  askStation,
  generated,
  installed,
  part,
  setStored,
  summary,
} from '../support/smart-charging-reports.js';

useSmartChargingApi();

/** The NotifyChargingLimitRequest of an external system's limit (`limit` A from NOW for an hour, if given). */
function notify(
  source: V201.ChargingLimitSourceEnumType,
  limit?: number,
  evseId?: number,
): V201.NotifyChargingLimitRequest {
  return {
    chargingLimit: { chargingLimitSource: source, isGridCritical: false },
    ...(evseId !== undefined ? { evseId } : {}),
    ...(limit !== undefined
      ? {
          chargingSchedule: [
            {
              id: 1,
              startSchedule: NOW.toISOString(),
              duration: 3600,
              chargingRateUnit: 'A',
              chargingSchedulePeriod: [{ startPeriod: 0, limit }],
            },
          ],
        }
      : {}),
  };
}

/** The stored limits of a station as [evseId, source, first limit of each schedule]. */
async function limits(cs: Station201) {
  const { limits } = await client.listExternalChargingLimits({ stationId: cs.id });
  return limits.map((l) => [l.evseId, l.chargingLimitSource, l.schedules.map((s) => s.periods[0]?.limit)]);
}

/** GetCompositeSchedule of EVSE 1; the station answers 32 A for 300 s from NOW. */
async function composite(cs: Station201) {
  cs.respond('GetCompositeSchedule', {
    status: 'Accepted',
    schedule: {
      evseId: 1,
      duration: 300,
      scheduleStart: NOW.toISOString(),
      chargingRateUnit: 'A',
      chargingSchedulePeriod: [{ startPeriod: 0, limit: 32, numberPhases: 3 }],
    },
  });
  const answer = await client.getCompositeSchedule({
    stationId: cs.id,
    evseId: 1,
    durationSeconds: 300,
    chargingRateUnit: U.CHARGING_RATE_UNIT_A,
  });
  expect(answer.status).toBe(CS.COMPOSITE_SCHEDULE_STATUS_ACCEPTED);
  return answer;
}

describe('TC_K_48_CSMS: Set / Update External Charging Limit (not on a transaction)', () => {
  it('answers NotifyChargingLimitRequest (EMS), keeps the latest limit and applies it to the composite schedule', async () => {
    const cs = await booted201Station();
    // Steps 1-2.
    expect(await cs.call('NotifyChargingLimit', notify('EMS', 20))).toEqual({});
    expect(await limits(cs)).toEqual([[0, L.CHARGING_LIMIT_SOURCE_EMS, [20]]]);
    // An update of the same source replaces it (K12.FR.02: sent when the limit changed).
    expect(await cs.call('NotifyChargingLimit', notify('EMS', 16))).toEqual({});
    expect(await limits(cs)).toEqual([[0, L.CHARGING_LIMIT_SOURCE_EMS, [16]]]);

    // The station-wide limit applies to EVSE 1: the lowest limit wins.
    const answer = await composite(cs);
    expect(answer.schedule?.periods).toEqual([{ startPeriod: 0, limit: 32, numberPhases: 3 }]);
    expect(answer.externalLimits.map((l) => [l.evseId, l.chargingLimitSource, l.isGridCritical])).toEqual([
      [0, L.CHARGING_LIMIT_SOURCE_EMS, false],
    ]);
    expect(answer.limitedSchedule?.periods).toEqual([{ startPeriod: 0, limit: 16, numberPhases: 3 }]);
    // External limits are not profiles the CSMS installed.
    expect(await storedIds(cs.id)).toEqual([]);
  });

  it('keeps limits per EVSE and source; a limit without a schedule is kept but cuts nothing', async () => {
    const cs = await booted201Station();
    expect(await cs.call('NotifyChargingLimit', notify('SO', 10, 2))).toEqual({});
    expect(await cs.call('NotifyChargingLimit', notify('EMS', undefined, 1))).toEqual({});
    expect(await limits(cs)).toEqual([
      [1, L.CHARGING_LIMIT_SOURCE_EMS, []],
      [2, L.CHARGING_LIMIT_SOURCE_SO, [10]],
    ]);
    // EVSE 2's limit does not apply to EVSE 1; EVSE 1's has no schedule.
    const answer = await composite(cs);
    expect(answer.externalLimits.map((l) => l.evseId)).toEqual([1]);
    expect(answer.limitedSchedule).toEqual(answer.schedule);
  });
});

describe('TC_K_50_CSMS: Reset / release external charging limit - Without ongoing transaction', () => {
  it('answers ClearedChargingLimitRequest (EMS) and forgets the released limit', async () => {
    const cs = await booted201Station();
    expect(await cs.call('NotifyChargingLimit', notify('EMS', 16))).toEqual({});
    expect(await cs.call('NotifyChargingLimit', notify('SO', 20))).toEqual({});
    // Steps 1-2.
    expect(await cs.call('ClearedChargingLimit', { chargingLimitSource: 'EMS' })).toEqual({});
    expect(await limits(cs)).toEqual([[0, L.CHARGING_LIMIT_SOURCE_SO, [20]]]);
    expect((await composite(cs)).limitedSchedule?.periods).toEqual([
      { startPeriod: 0, limit: 20, numberPhases: 3 },
    ]);
  });
});

describe('TC_K_51_CSMS: Reset / release external charging limit - With ongoing transaction', () => {
  it('answers ClearedChargingLimitRequest and the ChargingRateChanged TransactionEventRequest (K13.FR.02, K13.FR.03)', async () => {
    const cs = await booted201Station();
    // Reusable State EnergyTransferStarted.
    const idToken: V201.IdTokenType = {
      idToken: await addIdToken(csms, 'SCK51', { type: 'ISO14443' }),
      type: 'ISO14443',
    };
    const tx = new Tx201(cs, { idToken });
    await tx.energyTransferStarted();
    expect(await cs.call('NotifyChargingLimit', notify('EMS', 10, 1))).toEqual({});
    expect(await limits(cs)).toEqual([[1, L.CHARGING_LIMIT_SOURCE_EMS, [10]]]);
    // Steps 1-2.
    expect(await cs.call('ClearedChargingLimit', { chargingLimitSource: 'EMS' })).toEqual({});
    expect(await limits(cs)).toEqual([]);
    // Steps 3-4.
    expect(await tx.event('ChargingRateChanged', { eventType: 'Updated' })).toEqual({});
    expect(tx.sent.at(-1)).toMatchObject({ eventType: 'Updated', triggerReason: 'ChargingRateChanged' });
    const row = await csms.database.db
      .selectFrom('transactions')
      .select('state')
      .where('station_id', '=', cs.id)
      .where('transaction_id', '=', tx.transactionId)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('active');
  });
});

describe('TC_K_52_CSMS: Set / Update External Charging Limit (not on a transaction) - ChargingStationExternalConstraints in report', () => {
  it('reads a report with a ChargingStationExternalConstraints profile as not installed by the CSMS (K12.FR.05)', async () => {
    const cs = await booted201Station();
    await setStored(cs, 0, 5201, P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE);
    expect(await cs.call('NotifyChargingLimit', notify('EMS', 16))).toEqual({});
    // Steps 1-4: the OCTT accepts and reports the external limit as a ChargingStationExternalConstraints profile.
    const external = generated(-52, 'ChargingStationExternalConstraints');
    const { request, report } = await askStation(cs, {}, (requestId) => [
      part(requestId, 0, [installed(cs, 5201)], true),
      part(requestId, 0, [external], false, 'EMS'),
    ]);
    expect(request.requestId).toBe(report.requestId);
    expect(summary(report)).toEqual({
      status: G.GET_CHARGING_PROFILES_STATUS_ACCEPTED,
      complete: true,
      profiles: [
        [0, L.CHARGING_LIMIT_SOURCE_CSO, 5201, R.PROFILE_RECONCILIATION_INSTALLED_BY_CSMS],
        [0, L.CHARGING_LIMIT_SOURCE_EMS, -52, R.PROFILE_RECONCILIATION_NOT_INSTALLED_BY_CSMS],
      ],
      missing: [],
    });
    expect(report.profiles[1]?.profile?.purpose).toBe(
      P.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_EXTERNAL_CONSTRAINTS,
    );
    // Kept as reported: the profiles the CSMS installed and the external limit it was told of are unchanged.
    expect(await storedIds(cs.id)).toEqual([5201]);
    expect(await limits(cs)).toEqual([[0, L.CHARGING_LIMIT_SOURCE_EMS, [16]]]);
  });
});
