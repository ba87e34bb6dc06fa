import type { Command } from 'commander';
import { smartChargingV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import { collect } from '../parse.js';
import type { Ctx } from './charging-shared.js';

/**
 * Sites: `charging site-set <site> --max-power <W> [--station <id>]...` (SetChargingSite), `charging sites [site]`
 * (ListChargingSites), `charging site-delete <site>` (DeleteChargingSite). A site's limit caps the schedules the CSMS
 * computes for ISO 15118 EVs at its stations (K15-K17) together with the site's other transactions' TxProfiles.
 */
export function addSites(charging: Command, ctx: Ctx): void {
  charging
    .command('site-set <site>')
    .description(
      "creates or replaces a site: its stations (exactly those given; a station of another site moves) and the power the CSMS's EV schedules there may add up to",
    )
    .requiredOption('--max-power <watts>', 'the most power, in W, > 0', parseWatts)
    .option('--station <id>', 'a station of the site (repeatable; none: a site without stations)', collect)
    .action(async (site: string, o: { maxPower: number; station?: string[] }) => {
      const c = ctx();
      const r = await c
        .client(smartChargingV1.SmartChargingServiceDefinition)
        .setChargingSite({ siteId: site, maxPowerW: o.maxPower, stationIds: o.station ?? [] }, c.call());
      const s = r.site!;
      c.out.record(smartChargingV1.SetChargingSiteResponse.toJSON(r), [
        ['site', s.siteId],
        ['max power (W)', s.maxPowerW],
        ['stations', s.stationIds.join(', ')],
        ['updated', s.updateTime],
      ]);
    });
  charging
    .command('sites [site]')
    .description('the sites, their power limits and stations')
    .action(async (site: string | undefined) => {
      const c = ctx();
      const r = await c
        .client(smartChargingV1.SmartChargingServiceDefinition)
        .listChargingSites({ siteId: site }, c.call());
      c.out.table(
        smartChargingV1.ListChargingSitesResponse.toJSON(r),
        ['site', 'max power (W)', 'stations', 'updated'],
        r.sites.map((s) => [s.siteId, s.maxPowerW, s.stationIds.join(', '), s.updateTime]),
      );
    });
  charging
    .command('site-delete <site>')
    .description('deletes a site (its stations then belong to none)')
    .action(async (site: string) => {
      const c = ctx();
      await c
        .client(smartChargingV1.SmartChargingServiceDefinition)
        .deleteChargingSite({ siteId: site }, c.call());
      c.out.line({ deleted: site }, `deleted site ${site}`);
    });
}

function parseWatts(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--max-power must be a number of watts > 0, got "${value}"`);
  return n;
}
