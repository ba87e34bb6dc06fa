/**
 * OCPP 2.0.1 ISO 15118 smart charging (K15-K17) against a whole embedded CSMS on PostgreSQL with an ocpp-rpc station in
 * strict mode (every SetChargingProfileRequest the CSMS sends and every answer it gives is schema-checked by the
 * station): OCTT TC_K_53_CSMS, TC_K_55_CSMS, TC_K_57_CSMS, TC_K_58_CSMS, TC_K_59_CSMS, and what the CSMS answers when
 * no schedule can be given.
 */
import { smartChargingV1 as api } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import {
  acNeeds,
  authorizedAndConnected,
  client,
  evSchedule,
  evStation,
  expectTxProfile,
  iso15118SmartCharging,
  limitsOf,
  nthSetChargingProfile,
  storedProfileIds,
  useEvSmartChargingCsms,
} from '../support/ev-smart-charging.js';
import { eventually } from '../support/scenario.js';

useEvSmartChargingCsms();

describe('TC_K_53_CSMS: Charging with load leveling based on High Level Communication - Success', () => {
  it('answers the EV charging needs Accepted and sends a TxProfile within maxScheduleTuples, then accepts the EV schedule', async () => {
    const { cs, tx } = await authorizedAndConnected();
    const request = await iso15118SmartCharging(cs, tx, acNeeds(32), 3);
    const profile = request.chargingProfile;
    // K15.FR.07: one schedule (K15.FR.18) of at most maxScheduleTuples periods; nothing else limits the EV here.
    expect(profile.chargingProfileKind).toBe('Absolute');
    expect(profile.chargingSchedule).toHaveLength(1);
    const schedule = profile.chargingSchedule[0]!;
    expect(schedule.chargingRateUnit).toBe('A');
    expect(schedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 32 }]);
    expect(schedule.duration).toBeGreaterThan(3 * 3600);
    // The CSMS stored the TxProfile as installed and what the EV sent.
    expect(await storedProfileIds(cs.id, 1)).toEqual([profile.id]);
    const { transactions } = await client.listEvCharging({ stationId: cs.id });
    expect(transactions).toHaveLength(1);
    expect(transactions[0]).toMatchObject({
      evseId: 1,
      transactionId: tx.transactionId,
      maxScheduleTuples: 3,
      needsStatus: 'Accepted',
      evScheduleStatus: 'Accepted',
    });
    expect(JSON.parse(transactions[0]!.chargingNeedsJson)).toMatchObject({
      requestedEnergyTransfer: 'AC_three_phase',
    });
  });

  it('keeps the schedule within the stored profiles and external limits, in at most maxScheduleTuples periods', async () => {
    const { cs, tx } = await authorizedAndConnected();
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const answer = await client.setChargingProfile({
      stationId: cs.id,
      evseId: 0,
      profile: {
        id: 71,
        stackLevel: 0,
        purpose: api.ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_CHARGING_STATION_MAX_PROFILE,
        kind: api.ChargingProfileKind.CHARGING_PROFILE_KIND_ABSOLUTE,
        recurrencyKind: api.RecurrencyKind.RECURRENCY_KIND_UNSPECIFIED,
        validFrom: undefined,
        validTo: undefined,
        schedules: [
          {
            startSchedule: now,
            chargingRateUnit: api.ChargingRateUnit.CHARGING_RATE_UNIT_A,
            periods: [{ startPeriod: 0, limit: 20 }],
          },
        ],
      },
    });
    expect(answer.status).toBe(api.ChargingProfileStatus.CHARGING_PROFILE_STATUS_ACCEPTED);
    // An EMS limits EVSE 1 to 6900 W (10 A on three phases at 230 V) for half an hour starting in an hour.
    expect(
      await cs.call('NotifyChargingLimit', {
        evseId: 1,
        chargingLimit: { chargingLimitSource: 'EMS' },
        chargingSchedule: [
          {
            id: 1,
            startSchedule: new Date(now.getTime() + 3600_000).toISOString(),
            duration: 1800,
            chargingRateUnit: 'W',
            chargingSchedulePeriod: [{ startPeriod: 0, limit: 6900 }],
          },
        ],
      }),
    ).toEqual({});
    await cs.call('NotifyEVChargingNeeds', { evseId: 1, maxScheduleTuples: 3, chargingNeeds: acNeeds(32) });
    const three = await nthSetChargingProfile(cs, 2);
    expectTxProfile(three, tx);
    expect(limitsOf(three)).toEqual([20, 10, 20]);
    // The EV takes one period only: the lowest limit over the whole schedule.
    await cs.call('NotifyEVChargingNeeds', { evseId: 1, maxScheduleTuples: 1, chargingNeeds: acNeeds(32) });
    const one = await nthSetChargingProfile(cs, 3);
    expect(limitsOf(one)).toEqual([10]);
    // A renegotiation replaces the transaction's TxProfile: same id and stack level (K01.FR.05, K01.FR.39).
    expect(one.chargingProfile.id).toBe(three.chargingProfile.id);
  });
});

describe('TC_K_55_CSMS: Charging with load leveling based on High Level Communication - EV charging profile exceeds limits', () => {
  it('rejects an EV schedule above the TxProfile and renegotiates with a new SetChargingProfileRequest', async () => {
    const { cs, tx } = await authorizedAndConnected();
    // Steps 1-4.
    expect(
      await cs.call('NotifyEVChargingNeeds', { evseId: 1, maxScheduleTuples: 3, chargingNeeds: acNeeds(16) }),
    ).toEqual({ status: 'Accepted' });
    const first = await nthSetChargingProfile(cs, 1);
    expectTxProfile(first, tx);
    await storedProfileIds(cs.id, 1);
    // Steps 5-6: the EV wants 24 A where the CSMS allowed 16 A (K15.FR.12).
    const schedule = first.chargingProfile.chargingSchedule[0]!;
    const above = { ...schedule, chargingSchedulePeriod: [{ startPeriod: 0, limit: 24 }] };
    const rejected = await cs.call('NotifyEVChargingSchedule', evSchedule(tx, above));
    expect(rejected.status).toBe('Rejected');
    expect(rejected.statusInfo?.reasonCode).toBe('InvalidSchedule');
    // Steps 7-8.
    await tx.energyTransferStarted();
    // Steps 9-10: the renegotiation (K15.FR.13).
    const second = await nthSetChargingProfile(cs, 2);
    expectTxProfile(second, tx);
    expect(limitsOf(second)).toEqual([16]);
    // Steps 11-12: the schedule provided at step 9 is within the limits.
    const accepted = await cs.call(
      'NotifyEVChargingSchedule',
      evSchedule(tx, second.chargingProfile.chargingSchedule[0]!),
    );
    expect(accepted).toEqual({ status: 'Accepted' });
    // Steps 13-14.
    expect(await tx.event('ChargingRateChanged')).toEqual({});
    const { transactions } = await client.listEvCharging({
      stationId: cs.id,
      transactionId: tx.transactionId,
    });
    expect(transactions[0]?.evScheduleStatus).toBe('Accepted');
  });
});

describe('TC_K_57_CSMS: Renegotiating a Charging Schedule - Initiated by EV', () => {
  it('answers new charging needs Accepted and sends a new TxProfile for them', async () => {
    const { cs, tx } = await authorizedAndConnected();
    const initial = await iso15118SmartCharging(cs, tx);
    // Steps 1-2: the EV now takes at most 20 A.
    expect(
      await cs.call('NotifyEVChargingNeeds', { evseId: 1, maxScheduleTuples: 3, chargingNeeds: acNeeds(20) }),
    ).toEqual({ status: 'Accepted' });
    // Steps 3-4.
    expect(await tx.event('ChargingRateChanged')).toEqual({});
    // Steps 5-6.
    const renewed = await nthSetChargingProfile(cs, 2);
    expectTxProfile(renewed, tx);
    expect(limitsOf(renewed)).toEqual([20]);
    expect(renewed.chargingProfile.id).toBe(initial.chargingProfile.id);
    // Steps 7-8.
    await eventually(async () => {
      const { profiles } = await client.getChargingProfiles({ stationId: cs.id });
      return profiles[0]?.profile?.schedules[0]?.periods[0]?.limit === 20;
    }, 20_000);
    const answer = await cs.call(
      'NotifyEVChargingSchedule',
      evSchedule(tx, renewed.chargingProfile.chargingSchedule[0]!),
    );
    expect(answer).toEqual({ status: 'Accepted' });
    // Steps 9-10.
    expect(await tx.event('ChargingRateChanged')).toEqual({});
  });
});

describe('TC_K_58_CSMS: Renegotiating a Charging Schedule - Initiated by CSMS', () => {
  it('sends a new TxProfile through RenegotiateChargingSchedule and accepts the EV schedule within it', async () => {
    const { cs, tx } = await authorizedAndConnected();
    await iso15118SmartCharging(cs, tx);
    // Steps 1-2: an operator lowers the transaction to 10 A.
    const answer = await client.renegotiateChargingSchedule({
      stationId: cs.id,
      evseId: 1,
      limit: 10,
      limitUnit: api.ChargingRateUnit.CHARGING_RATE_UNIT_A,
      clearLimit: false,
    });
    expect(answer.status).toBe(api.ChargingProfileStatus.CHARGING_PROFILE_STATUS_ACCEPTED);
    expect(answer.transactionId).toBe(tx.transactionId);
    const request = cs.requests('SetChargingProfile')[1]!;
    expectTxProfile(request, tx);
    expect(limitsOf(request)).toEqual([10]);
    // Steps 3-4.
    await eventually(async () => {
      const { profiles } = await client.getChargingProfiles({ stationId: cs.id });
      return profiles[0]?.profile?.schedules[0]?.periods[0]?.limit === 10;
    }, 20_000);
    const accepted = await cs.call(
      'NotifyEVChargingSchedule',
      evSchedule(tx, request.chargingProfile.chargingSchedule[0]!),
    );
    expect(accepted).toEqual({ status: 'Accepted' });
    // Steps 5-6.
    expect(await tx.event('ChargingRateChanged')).toEqual({});
  });
});

describe('TC_K_59_CSMS: Renegotiating a Charging Schedule - Initiated by CSMS - Send NotifyEVChargingNeeds', () => {
  it('answers charging needs sent after a CSMS renegotiation with another TxProfile that keeps the operator limit', async () => {
    const { cs, tx } = await authorizedAndConnected();
    await iso15118SmartCharging(cs, tx);
    // Steps 1-2.
    const answer = await client.renegotiateChargingSchedule({
      stationId: cs.id,
      evseId: 1,
      limit: 6900,
      limitUnit: api.ChargingRateUnit.CHARGING_RATE_UNIT_W,
      clearLimit: false,
    });
    expect(answer.status).toBe(api.ChargingProfileStatus.CHARGING_PROFILE_STATUS_ACCEPTED);
    expectTxProfile(cs.requests('SetChargingProfile')[1]!, tx);
    // Steps 3-4 (K16.FR.12).
    expect(
      await cs.call('NotifyEVChargingNeeds', { evseId: 1, maxScheduleTuples: 3, chargingNeeds: acNeeds() }),
    ).toEqual({ status: 'Accepted' });
    // Steps 5-6: 6900 W is 10 A on three phases at 230 V.
    const request = await nthSetChargingProfile(cs, 3);
    expectTxProfile(request, tx);
    expect(limitsOf(request)).toEqual([10]);
    // Steps 7-8.
    await eventually(async () => {
      const { profiles } = await client.getChargingProfiles({ stationId: cs.id });
      return profiles[0]?.profile?.schedules[0]?.periods[0]?.limit === 10;
    }, 20_000);
    const accepted = await cs.call(
      'NotifyEVChargingSchedule',
      evSchedule(tx, request.chargingProfile.chargingSchedule[0]!),
    );
    expect(accepted).toEqual({ status: 'Accepted' });
    // Steps 9-10.
    expect(await tx.event('ChargingRateChanged')).toEqual({});
    const { transactions } = await client.listEvCharging({ stationId: cs.id });
    expect(transactions[0]).toMatchObject({
      operatorLimit: 6900,
      operatorLimitUnit: api.ChargingRateUnit.CHARGING_RATE_UNIT_W,
    });
  });
});

describe('ISO 15118 smart charging without a transaction (K15.FR.04)', () => {
  it('answers Rejected with TxNotFound / UnknownEvse and sends nothing', async () => {
    const { cs } = await evStation();
    const needs = { maxScheduleTuples: 3, chargingNeeds: acNeeds() };
    const idle = await cs.call('NotifyEVChargingNeeds', { evseId: 2, ...needs });
    expect(idle.status).toBe('Rejected');
    expect(idle.statusInfo?.reasonCode).toBe('TxNotFound');
    const unknown = await cs.call('NotifyEVChargingNeeds', { evseId: 9, ...needs });
    expect(unknown.statusInfo?.reasonCode).toBe('UnknownEvse');
    const schedule = await cs.call('NotifyEVChargingSchedule', {
      evseId: 2,
      timeBase: new Date().toISOString(),
      chargingSchedule: {
        id: 1,
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }],
      },
    });
    expect(schedule.status).toBe('Rejected');
    await expect(
      client.renegotiateChargingSchedule({
        stationId: cs.id,
        evseId: 2,
        limitUnit: api.ChargingRateUnit.CHARGING_RATE_UNIT_UNSPECIFIED,
        clearLimit: false,
      }),
    ).rejects.toThrow(/no transaction is active/);
    expect(cs.requests('SetChargingProfile')).toEqual([]);
  });

  it('answers Rejected (MissingParam) for needs without AC or DC parameters (K15.FR.06)', async () => {
    const { cs } = await authorizedAndConnected();
    const answer = await cs.call('NotifyEVChargingNeeds', {
      evseId: 1,
      chargingNeeds: { requestedEnergyTransfer: 'DC' },
    });
    expect(answer.status).toBe('Rejected');
    expect(answer.statusInfo?.reasonCode).toBe('MissingParam');
    await expect(
      client.renegotiateChargingSchedule({
        stationId: cs.id,
        evseId: 1,
        limitUnit: api.ChargingRateUnit.CHARGING_RATE_UNIT_UNSPECIFIED,
        clearLimit: false,
      }),
    ).rejects.toThrow(/no usable charging needs/);
    expect(cs.requests('SetChargingProfile')).toEqual([]);
  });
});
