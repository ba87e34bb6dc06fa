/**
 * Set-up shared by the ISO 15118 smart charging scenarios (`test/scenarios/v201-ev-smart-charging*.test.ts`, OCPP 2.0.1
 * K15-K17): a whole embedded CSMS on PostgreSQL with its SmartChargingService on the embedded gRPC port, a booted
 * ocpp-rpc station (strict mode) with two EVSEs that accepts SetChargingProfile, a transaction in the OCTT states
 * Authorized and EVConnectedPreSession, the EV's charging needs, and the OCTT's reusable state ISO15118SmartCharging.
 * The `let` bindings are live: each test file that calls {@link useEvSmartChargingCsms} gets its own.
 */
import { connectApi, smartChargingV1 as api, type ApiClient, type ApiConnection } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestCsms, type TestCsms, type TestCsmsOptions } from './csms.js';
import { booted201, Tx201 } from './octt-states.js';
import { addIdToken, at, connect201, eventually, type Station201 } from './scenario.js';

export let csms: TestCsms;
export let connection: ApiConnection;
export let client: ApiClient<typeof api.SmartChargingServiceDefinition>;

/**
 * Registers the set-up and tear-down hooks of a test file that uses these helpers; `options` (read when the CSMS
 * starts, after the file's earlier hooks) adds settings, e.g. the contract certificate and OCSP backends.
 */
export function useEvSmartChargingCsms(options: () => Omit<TestCsmsOptions, 'database'> = () => ({})): void {
  beforeAll(async () => {
    csms = await startTestCsms({ ...options(), database: 'postgres' });
    connection = connectApi({ address: csms.grpcAddress });
    client = connection.client(api.SmartChargingServiceDefinition);
  });
  afterAll(async () => {
    connection.close();
    await csms.close();
  });
}

/** A booted station (EVSEs 1 and 2) answering SetChargingProfile Accepted, and a transaction not started yet. */
export async function evStation(): Promise<{ cs: Station201; tx: Tx201 }> {
  const cs = await connect201(csms);
  cs.respond('SetChargingProfile', { status: 'Accepted' });
  expect(
    (
      await booted201(cs, [
        [1, 1],
        [2, 1],
      ])
    ).status,
  ).toBe('Accepted');
  const idToken: V201.IdTokenType = {
    idToken: await addIdToken(csms, 'EV15118', { type: 'ISO14443' }),
    type: 'ISO14443',
  };
  return { cs, tx: new Tx201(cs, { idToken }) };
}

/** Reusable states Authorized and EVConnectedPreSession: the transaction has started on EVSE 1. */
export async function authorizedAndConnected(): Promise<{ cs: Station201; tx: Tx201 }> {
  const { cs, tx } = await evStation();
  const { authorize } = await tx.authorized();
  expect(authorize.idTokenInfo.status).toBe('Accepted');
  await tx.evConnectedPreSession();
  return { cs, tx };
}

/** The mock EV's charging needs: AC three-phase, 32 A, leaving in 4 hours. */
export function acNeeds(evMaxCurrent = 32): V201.ChargingNeedsType {
  return {
    requestedEnergyTransfer: 'AC_three_phase',
    departureTime: at(4 * 3600_000),
    acChargingParameters: { energyAmount: 30_000, evMinCurrent: 6, evMaxCurrent, evMaxVoltage: 400 },
  };
}

/** The `n`-th (from 1) SetChargingProfileRequest the station received, waited for (sent after an answer). */
export async function nthSetChargingProfile(
  cs: Station201,
  n: number,
): Promise<V201.SetChargingProfileRequest> {
  return eventually(() => cs.requests('SetChargingProfile')[n - 1], 30_000);
}

/** The limits of the first schedule of a SetChargingProfileRequest, in period order. */
export function limitsOf(request: V201.SetChargingProfileRequest): number[] {
  return request.chargingProfile.chargingSchedule[0]!.chargingSchedulePeriod.map((p) => p.limit);
}

/** Tool validation of the OCTT: a TxProfile for the configured EVSE and the transaction. */
export function expectTxProfile(request: V201.SetChargingProfileRequest, tx: Tx201): void {
  expect(request.evseId).toBe(tx.evseId);
  expect(request.chargingProfile.chargingProfilePurpose).toBe('TxProfile');
  expect(request.chargingProfile.transactionId).toBe(tx.transactionId);
}

/** The EV's schedule as the station reports it: the CSMS's first schedule, or `schedule`. */
export function evSchedule(
  tx: Tx201,
  schedule: V201.ChargingScheduleType,
): V201.NotifyEVChargingScheduleRequest {
  const { startSchedule, ...rest } = schedule;
  return { evseId: tx.evseId, timeBase: startSchedule ?? at(), chargingSchedule: rest };
}

/** Waits until the CSMS stored the profile (the station's Accepted answer reached the actor's after-command hook). */
export async function storedProfileIds(stationId: string, count: number): Promise<number[]> {
  return eventually(async () => {
    const { profiles } = await client.getChargingProfiles({ stationId });
    return profiles.length >= count ? profiles.map((p) => p.profile!.id) : undefined;
  }, 20_000);
}

/**
 * Reusable state ISO15118SmartCharging: NotifyEVChargingNeeds → Accepted, SetChargingProfile (TxProfile) → Accepted,
 * NotifyEVChargingSchedule with that schedule → Accepted, TransactionEvent ChargingStateChanged / Charging.
 * Returns the CSMS's SetChargingProfileRequest.
 */
export async function iso15118SmartCharging(
  cs: Station201,
  tx: Tx201,
  needs: V201.ChargingNeedsType = acNeeds(),
  maxScheduleTuples = 3,
): Promise<V201.SetChargingProfileRequest> {
  const before = cs.requests('SetChargingProfile').length;
  // Steps 1-2.
  expect(
    await cs.call('NotifyEVChargingNeeds', { evseId: tx.evseId, maxScheduleTuples, chargingNeeds: needs }),
  ).toEqual({ status: 'Accepted' });
  // Steps 3-4.
  const request = await nthSetChargingProfile(cs, before + 1);
  expectTxProfile(request, tx);
  await storedProfileIds(cs.id, 1);
  // Steps 5-6.
  const schedule = request.chargingProfile.chargingSchedule[0]!;
  expect(await cs.call('NotifyEVChargingSchedule', evSchedule(tx, schedule))).toEqual({ status: 'Accepted' });
  // Steps 7-8.
  await tx.energyTransferStarted();
  return request;
}
