import type { Command } from 'commander';
import { smartChargingV1 } from '@csms/grpc';
import { SOURCE, evseOption, periods, type Ctx } from './charging-shared.js';

/**
 * `charging limits <station>`: the external charging limits a 2.0.1 station reported (NotifyChargingLimit, K11, K12,
 * K14) and did not release (ClearedChargingLimit, K13); ListExternalChargingLimits, the station is not asked.
 */
export function addLimits(charging: Command, ctx: Ctx): void {
  charging
    .command('limits <station>')
    .description(
      'the external charging limits a 2.0.1 station reported (EMS, grid operator, ...) and did not release',
    )
    .option('--evse <n>', 'only limits on this EVSE (0 = station-wide)', evseOption)
    .action(async (station: string, o: { evse?: number }) => {
      const c = ctx();
      const r = await c
        .client(smartChargingV1.SmartChargingServiceDefinition)
        .listExternalChargingLimits({ stationId: station, evseId: o.evse }, c.call());
      c.out.table(
        smartChargingV1.ListExternalChargingLimitsResponse.toJSON(r),
        ['evse', 'source', 'grid critical', 'schedules', 'received'],
        r.limits.map((l) => [
          l.evseId,
          SOURCE[l.chargingLimitSource] ?? '',
          l.isGridCritical,
          l.schedules
            .map(
              (s) =>
                `${s.startSchedule ? `${s.startSchedule.toISOString()} ` : ''}${periods(s.periods, s.chargingRateUnit)}`,
            )
            .join(' | '),
          l.updateTime,
        ]),
      );
    });
}
