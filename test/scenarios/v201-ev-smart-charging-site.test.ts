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
 * Three stations of one site of 22,080 W (32 A on three phases) with a transaction each, whose EVs' needs came in
 * that order: A's EV takes 20 A; B's gets the 12 A left, then A's is lowered and B's raised to their equal shares of
 * 16 A; C's gets the 0 A left, then all three are set to a third: 7,360 W, 10.6 A (rounded down to 0.1 A).
 */
async function threeEvsAtAFullSite() {
  const a = await authorizedAndConnected();
  const b = await authorizedAndConnected();
  const c = await authorizedAndConnected();
  const siteId = uniqueId('SITE');
  await client.setChargingSite({ siteId, maxPowerW: 22_080, stationIds: [a.cs.id, b.cs.id, c.cs.id] });
  expect(limitsOf(await iso15118SmartCharging(a.cs, a.tx, needs(20)))).toEqual([20]);
  expect(limitsOf(await iso15118SmartCharging(b.cs, b.tx, needs(32)))).toEqual([12]);
  expect(limitsOf(await nthSetChargingProfile(a.cs, 2))).toEqual([16]);
  expect(limitsOf(await nthSetChargingProfile(b.cs, 2))).toEqual([16]);
  expect(
    await c.cs.call('NotifyEVChargingNeeds', {
      evseId: c.tx.evseId,
      maxScheduleTuples: 3,
      chargingNeeds: needs(32),
    }),
  ).toEqual({ status: 'Accepted' });
  expect(limitsOf(await nthSetChargingProfile(c.cs, 1))).toEqual([0]);
  expect(limitsOf(await nthSetChargingProfile(a.cs, 3))).toEqual([10.6]);
  expect(limitsOf(await nthSetChargingProfile(b.cs, 3))).toEqual([10.6]);
  expect(limitsOf(await nthSetChargingProfile(c.cs, 2))).toEqual([10.6]);
  await storedLimit(c.cs.id, 10.6);
  return { siteId, a, b, c };
}

/** Waits until the CSMS stored a profile of the station whose schedule's first limit is `limit`. */
async function storedLimit(stationId: string, limit: number): Promise<void> {
  await eventually(async () => {
    const { profiles } = await client.getChargingProfiles({ stationId });
    return profiles.some((p) => p.profile?.schedules[0]?.periods[0]?.limit === limit) || undefined;
  }, 20_000);
}

describe('EV schedules within the site limit (K15.FR.07, K16, SetChargingSite)', () => {
  it("shares the site's power equally among its EVs, and gives it back when a transaction ends", async () => {
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

    // A's EV takes 20 A (13,800 W); B's EV, which could take 32 A, first gets what is left: 12 A (8,280 W). Then the
    // CSMS renegotiates by itself (K16.FR.01) to equal shares: A's EV is lowered to 16 A first, then B's raised to 16 A,
    // with the same profile ids (each replaces the one in force, K01.FR.05).
    expect(limitsOf(await iso15118SmartCharging(a.cs, a.tx, needs(20)))).toEqual([20]);
    const first = await iso15118SmartCharging(b.cs, b.tx, needs(32));
    expect(limitsOf(first)).toEqual([12]);
    const lowered = await nthSetChargingProfile(a.cs, 2);
    expect(limitsOf(lowered)).toEqual([16]);
    expectTxProfile(lowered, a.tx);
    const shared = await nthSetChargingProfile(b.cs, 2);
    expect(limitsOf(shared)).toEqual([16]);
    expect(shared.chargingProfile.id).toBe(first.chargingProfile.id);
    // A station of no site is not limited by it.
    expect(limitsOf(await iso15118SmartCharging(outside.cs, outside.tx, needs(32)))).toEqual([32]);

    // A's transaction ends: its TxProfile no longer counts, and B's EV gets the whole site.
    await a.tx.evDisconnected();
    const raised = await nthSetChargingProfile(b.cs, 3);
    expect(limitsOf(raised)).toEqual([32]);
    expectTxProfile(raised, b.tx);
    expect(raised.chargingProfile.id).toBe(first.chargingProfile.id);
    // The station outside the site was not asked anything more.
    expect(outside.cs.requests('SetChargingProfile')).toHaveLength(1);

    // A new transaction on A (once B's 32 A is stored): nothing is left, so its EV first gets a 0 A schedule; then B's
    // EV is lowered to 16 A and the newcomer's raised to the other 16 A.
    await storedLimit(b.cs.id, 32);
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
    expect(limitsOf(await nthSetChargingProfile(a.cs, 3))).toEqual([0]);
    expect(limitsOf(await nthSetChargingProfile(b.cs, 4))).toEqual([16]);
    expect(limitsOf(await nthSetChargingProfile(a.cs, 4))).toEqual([16]);

    // Deleting the site lifts its limit.
    await storedLimit(a.cs.id, 16);
    expect(await client.deleteChargingSite({ siteId })).toEqual({});
    await a.cs.call('NotifyEVChargingNeeds', {
      evseId: next.evseId,
      maxScheduleTuples: 3,
      chargingNeeds: needs(32),
    });
    expect(limitsOf(await nthSetChargingProfile(a.cs, 5))).toEqual([32]);
  });

  it("raises the schedules of the site's EVs when the site gets more power, each to its share", async () => {
    const { siteId, a, b, c } = await threeEvsAtAFullSite();

    // 20,700 W more (42,780 W, 62 A): A's EV gets all it can take (20 A), B's and C's share the rest (21 A each).
    await client.setChargingSite({ siteId, maxPowerW: 42_780, stationIds: [a.cs.id, b.cs.id, c.cs.id] });
    expect(limitsOf(await nthSetChargingProfile(a.cs, 4))).toEqual([20]);
    expect(limitsOf(await nthSetChargingProfile(b.cs, 4))).toEqual([21]);
    expect(limitsOf(await nthSetChargingProfile(c.cs, 3))).toEqual([21]);

    // A's transaction ends: B's and C's EVs share the whole site, 31 A each.
    await a.tx.evDisconnected();
    expect(limitsOf(await nthSetChargingProfile(b.cs, 5))).toEqual([31]);
    expect(limitsOf(await nthSetChargingProfile(c.cs, 4))).toEqual([31]);
    expect(a.cs.requests('SetChargingProfile')).toHaveLength(4);
  });

  it('keeps the allotment of an EV whose station refuses the raised schedule, and serves the next EVs', async () => {
    const { a, b, c } = await threeEvsAtAFullSite();

    // A's transaction ends. B's EV, first in line, is offered its share of 16 A, which B's station refuses: B keeps its
    // 10.6 A, and C's EV is raised to its 16 A all the same.
    b.cs.respond('SetChargingProfile', { status: 'Rejected' });
    await a.tx.evDisconnected();
    expect(limitsOf(await nthSetChargingProfile(b.cs, 4))).toEqual([16]);
    expect(limitsOf(await nthSetChargingProfile(c.cs, 3))).toEqual([16]);
    const { profiles } = await client.getChargingProfiles({ stationId: b.cs.id });
    expect(profiles.map((p) => p.profile?.schedules[0]?.periods.map((period) => period.limit))).toEqual([
      [10.6],
    ]);
  });

  it("lets an EV whose minimum does not fit wait, and lowers the EVs when the site's power falls", async () => {
    const a = await authorizedAndConnected();
    const b = await authorizedAndConnected();
    const c = await authorizedAndConnected();
    const siteId = uniqueId('SITE');
    const stationIds = [a.cs.id, b.cs.id, c.cs.id];
    // 9,000 W (13 A on three phases); each EV needs at least 6 A (4,140 W) to charge.
    await client.setChargingSite({ siteId, maxPowerW: 9_000, stationIds });
    expect(limitsOf(await iso15118SmartCharging(a.cs, a.tx, needs(32)))).toEqual([13]);
    expect(limitsOf(await iso15118SmartCharging(b.cs, b.tx, needs(32)))).toEqual([0]);
    // Two minimums fit: 4,500 W each, 6.5 A (rounded down).
    expect(limitsOf(await nthSetChargingProfile(a.cs, 2))).toEqual([6.5]);
    expect(limitsOf(await nthSetChargingProfile(b.cs, 2))).toEqual([6.5]);
    await storedLimit(b.cs.id, 6.5);
    // A third does not: C's EV keeps the 0 A it was given and waits.
    expect(limitsOf(await iso15118SmartCharging(c.cs, c.tx, needs(32)))).toEqual([0]);

    // A's transaction ends: C's EV is admitted at B's share. Nothing else was sent to A and B meanwhile (the passes
    // after C's needs and after A's end are done once C's schedule arrives: they run one at a time).
    await a.tx.evDisconnected();
    expect(limitsOf(await nthSetChargingProfile(c.cs, 2))).toEqual([6.5]);
    await storedLimit(c.cs.id, 6.5);
    expect(a.cs.requests('SetChargingProfile')).toHaveLength(2);
    expect(b.cs.requests('SetChargingProfile')).toHaveLength(2);

    // The site's power falls to 6,000 W: only one minimum fits. C's EV, whose needs came last, is lowered to 0 A first,
    // then B's raised to the whole 6,000 W (8.6 A).
    await client.setChargingSite({ siteId, maxPowerW: 6_000, stationIds });
    expect(limitsOf(await nthSetChargingProfile(c.cs, 3))).toEqual([0]);
    expect(limitsOf(await nthSetChargingProfile(b.cs, 3))).toEqual([8.6]);
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
