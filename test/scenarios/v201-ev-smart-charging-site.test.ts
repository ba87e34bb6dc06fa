/**
 * OCPP 2.0.1 ISO 15118 smart charging (K15-K17) within a site's limit: the schedules the CSMS computes for EVs at the
 * stations of one site (SetChargingSite) add up to at most the site's power with the TxProfiles it installed for the
 * site's other active transactions. A whole embedded CSMS on PostgreSQL, ocpp-rpc stations in strict mode (every
 * SetChargingProfileRequest is schema-checked by the station), the SmartChargingService over real gRPC.
 */
import { Status } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import {
  acNeeds,
  authorizedAndConnected,
  client,
  expectTxProfile,
  iso15118SmartCharging,
  limitsOf,
  nthSetChargingProfile,
  storedProfileIds,
  useEvSmartChargingCsms,
} from '../support/ev-smart-charging.js';
import { Tx201 } from '../support/octt-states.js';
import { at, eventually, uniqueId } from '../support/scenario.js';

useEvSmartChargingCsms();

/** AC needs leaving at one shared moment: the EVs' schedules then end together and have one period each. */
const departure = at(4 * 3600_000);
const needs = (evMaxCurrent: number): V201.ChargingNeedsType => ({
  ...acNeeds(evMaxCurrent),
  departureTime: departure,
});

/**
 * Three stations of one site of 22,080 W (32 A on three phases) with a transaction each: A's EV takes 20 A, B's the
 * 12 A left, C's none (a 0 A schedule, stored); the EVs' needs came in that order.
 */
async function threeEvsAtAFullSite() {
  const a = await authorizedAndConnected();
  const b = await authorizedAndConnected();
  const c = await authorizedAndConnected();
  const siteId = uniqueId('SITE');
  await client.setChargingSite({ siteId, maxPowerW: 22_080, stationIds: [a.cs.id, b.cs.id, c.cs.id] });
  expect(limitsOf(await iso15118SmartCharging(a.cs, a.tx, needs(20)))).toEqual([20]);
  expect(limitsOf(await iso15118SmartCharging(b.cs, b.tx, needs(32)))).toEqual([12]);
  expect(
    await c.cs.call('NotifyEVChargingNeeds', {
      evseId: c.tx.evseId,
      maxScheduleTuples: 3,
      chargingNeeds: needs(32),
    }),
  ).toEqual({ status: 'Accepted' });
  expect(limitsOf(await nthSetChargingProfile(c.cs, 1))).toEqual([0]);
  await storedProfileIds(c.cs.id, 1);
  return { siteId, a, b, c };
}

describe('EV schedules within the site limit (K15.FR.07, K16, SetChargingSite)', () => {
  it("shares the site's power with the TxProfiles of its other transactions, and gives it back when they end", async () => {
    const a = await authorizedAndConnected();
    const b = await authorizedAndConnected();
    const outside = await authorizedAndConnected();
    const siteId = uniqueId('SITE');
    // 22,080 W: 32 A per phase on three phases at 230 V (K01.FR.49/50).
    const { site } = await client.setChargingSite({
      siteId,
      maxPowerW: 22_080,
      stationIds: [b.cs.id, a.cs.id],
    });
    expect(site).toMatchObject({ siteId, maxPowerW: 22_080, stationIds: [a.cs.id, b.cs.id].sort() });

    // A's EV takes 20 A (13,800 W); B's EV, which could take 32 A, gets what is left: 12 A (8,280 W).
    expect(limitsOf(await iso15118SmartCharging(a.cs, a.tx, needs(20)))).toEqual([20]);
    expect(limitsOf(await iso15118SmartCharging(b.cs, b.tx, needs(32)))).toEqual([12]);
    // A station of no site is not limited by it.
    expect(limitsOf(await iso15118SmartCharging(outside.cs, outside.tx, needs(32)))).toEqual([32]);

    // A's transaction ends: its TxProfile no longer counts, and the CSMS renegotiates by itself (K16.FR.01): B's EV
    // gets the whole site, the same profile id (it replaces the one in force, K01.FR.05).
    await a.tx.evDisconnected();
    const raised = await nthSetChargingProfile(b.cs, 2);
    expect(limitsOf(raised)).toEqual([32]);
    expectTxProfile(raised, b.tx);
    expect(raised.chargingProfile.id).toBe((await nthSetChargingProfile(b.cs, 1)).chargingProfile.id);
    // The station outside the site was not asked anything.
    expect(outside.cs.requests('SetChargingProfile')).toHaveLength(1);

    // A new transaction on A now shares with B's 32 A (stored once B's station accepted it): nothing is left, so its
    // EV gets a 0 A schedule (it may not draw until the CSMS renegotiates).
    await eventually(async () => {
      const { profiles } = await client.getChargingProfiles({ stationId: b.cs.id });
      return profiles.some((p) => p.profile?.schedules[0]?.periods[0]?.limit === 32) || undefined;
    }, 20_000);
    const next = new Tx201(a.cs, { idToken: a.tx.idToken });
    await next.authorized();
    await next.evConnectedPreSession();
    expect(
      await a.cs.call('NotifyEVChargingNeeds', {
        evseId: next.evseId,
        maxScheduleTuples: 3,
        chargingNeeds: needs(16),
      }),
    ).toEqual({ status: 'Accepted' });
    expect(limitsOf(await nthSetChargingProfile(a.cs, 2))).toEqual([0]);

    // Deleting the site lifts its limit.
    expect(await client.deleteChargingSite({ siteId })).toEqual({});
    await a.cs.call('NotifyEVChargingNeeds', {
      evseId: next.evseId,
      maxScheduleTuples: 3,
      chargingNeeds: needs(16),
    });
    expect(limitsOf(await nthSetChargingProfile(a.cs, 3))).toEqual([16]);
  });

  it("raises the schedules of the site's EVs when the site gets more power, in the order their needs came", async () => {
    const { siteId, a, b, c } = await threeEvsAtAFullSite();

    // 30 A more (20,700 W): B's EV, whose needs came first, is raised to its 32 A; C's gets the 10 A left. A's EV has
    // all it can take: nothing is sent to it.
    await client.setChargingSite({ siteId, maxPowerW: 42_780, stationIds: [a.cs.id, b.cs.id, c.cs.id] });
    expect(limitsOf(await nthSetChargingProfile(b.cs, 2))).toEqual([32]);
    expect(limitsOf(await nthSetChargingProfile(c.cs, 2))).toEqual([10]);
    expect(a.cs.requests('SetChargingProfile')).toHaveLength(1);

    // A's transaction ends: C's EV gets the 20 A it freed.
    await a.tx.evDisconnected();
    expect(limitsOf(await nthSetChargingProfile(c.cs, 3))).toEqual([30]);
  });

  it('keeps the allotment of an EV whose station refuses the raised schedule, and serves the next EVs', async () => {
    const { a, b, c } = await threeEvsAtAFullSite();

    // A's transaction ends. B's EV, first in line, is offered the whole site, which B's station refuses: B keeps its
    // 12 A, and C's EV gets the 20 A left beside them.
    b.cs.respond('SetChargingProfile', { status: 'Rejected' });
    await a.tx.evDisconnected();
    expect(limitsOf(await nthSetChargingProfile(b.cs, 2))).toEqual([32]);
    expect(limitsOf(await nthSetChargingProfile(c.cs, 2))).toEqual([20]);
    const { profiles } = await client.getChargingProfiles({ stationId: b.cs.id });
    expect(profiles.map((p) => p.profile?.schedules[0]?.periods.map((period) => period.limit))).toEqual([
      [12],
    ]);
  });

  it('moves a station between sites, lists them, and refuses bad requests without changing anything', async () => {
    const { cs } = await authorizedAndConnected();
    const first = uniqueId('SITE-A');
    const second = uniqueId('SITE-B');
    await client.setChargingSite({ siteId: first, maxPowerW: 50_000, stationIds: [cs.id] });
    const moved = await client.setChargingSite({ siteId: second, maxPowerW: 11_000.5, stationIds: [cs.id] });
    expect(moved.site?.stationIds).toEqual([cs.id]);
    const listed = await client.listChargingSites({});
    expect(listed.sites.filter((s) => s.siteId === first || s.siteId === second)).toMatchObject([
      { siteId: first, maxPowerW: 50_000, stationIds: [] },
      { siteId: second, maxPowerW: 11_000.5, stationIds: [cs.id] },
    ]);
    expect((await client.listChargingSites({ siteId: second })).sites).toHaveLength(1);

    const bad = await rejection(
      client.setChargingSite({ siteId: ' ', maxPowerW: 0, stationIds: [cs.id, '', cs.id] }),
    );
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field)).toEqual([
      'site_id',
      'max_power_w',
      'station_ids[1]',
      'station_ids[2]',
    ]);
    const tooMuch = await rejection(
      client.setChargingSite({ siteId: first, maxPowerW: Number.POSITIVE_INFINITY, stationIds: [] }),
    );
    expect(tooMuch.violations.map((v) => v.field)).toEqual(['max_power_w']);
    const unknown = await rejection(
      client.setChargingSite({ siteId: first, maxPowerW: 1_000, stationIds: [cs.id, 'NO-SUCH-STATION'] }),
    );
    expect(unknown.code).toBe(Status.NOT_FOUND);
    expect(unknown.message).toMatch(/NO-SUCH-STATION/);
    const gone = await rejection(client.deleteChargingSite({ siteId: uniqueId('NO-SITE') }));
    expect(gone.code).toBe(Status.NOT_FOUND);
    // Nothing changed.
    expect((await client.listChargingSites({ siteId: first })).sites).toMatchObject([
      { siteId: first, maxPowerW: 50_000, stationIds: [] },
    ]);
    expect((await client.listChargingSites({ siteId: second })).sites[0]?.stationIds).toEqual([cs.id]);
  });
});
