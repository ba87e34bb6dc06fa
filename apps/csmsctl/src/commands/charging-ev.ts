import type { Command } from 'commander';
import { smartChargingV1 } from '@csms/grpc';
import { UNIT, evseOption, periods, schedules, type Ctx } from './charging-shared.js';

/**
 * ISO 15118 smart charging (OCPP 2.0.1 K15-K17): `charging ev <station>` lists what EVs sent (ListEvCharging), and
 * `charging renegotiate <station> <evse>` makes the CSMS send the EVSE's transaction a new schedule (K16,
 * RenegotiateChargingSchedule).
 */
export function addEvCharging(charging: Command, ctx: Ctx): void {
  charging
    .command('ev <station>')
    .description('the charging needs EVs sent (ISO 15118) and the schedules they chose, per transaction')
    .option('--evse <n>', 'only this EVSE', evseOption)
    .option('--transaction <id>', 'only this transaction')
    .action(async (station: string, o: { evse?: number; transaction?: string }) => {
      const c = ctx();
      const r = await c
        .client(smartChargingV1.SmartChargingServiceDefinition)
        .listEvCharging({ stationId: station, evseId: o.evse, transactionId: o.transaction }, c.call());
      c.out.table(
        smartChargingV1.ListEvChargingResponse.toJSON(r),
        ['evse', 'transaction', 'needs', 'answer', 'operator limit', 'EV schedule', 'answer'],
        r.transactions.map((t) => [
          t.evseId,
          t.transactionId,
          t.chargingNeedsJson,
          t.needsStatus,
          t.operatorLimit === undefined ? '' : `${t.operatorLimit}${UNIT.name(t.operatorLimitUnit)}`,
          t.evSchedule ? periods(t.evSchedule.periods, t.evSchedule.chargingRateUnit) : '',
          t.evScheduleStatus,
        ]),
      );
    });
  charging
    .command('renegotiate <station> <evse>')
    .description(
      "sends the EVSE's ISO 15118 transaction a new schedule for its EV (K16), optionally with a ceiling",
    )
    .option('--limit <value>', 'a ceiling for the schedule, kept for the transaction (with --unit)', Number)
    .option('--unit <unit>', `the ceiling's unit: ${UNIT.choices.join(' or ')}`, UNIT.parse)
    .option('--clear-limit', 'remove the ceiling set before')
    .action(
      async (
        station: string,
        evse: string,
        o: { limit?: number; unit?: smartChargingV1.ChargingRateUnit; clearLimit?: boolean },
      ) => {
        const c = ctx();
        const r = await c.client(smartChargingV1.SmartChargingServiceDefinition).renegotiateChargingSchedule(
          {
            stationId: station,
            evseId: Number(evse),
            limit: o.limit,
            limitUnit: o.unit ?? smartChargingV1.ChargingRateUnit.CHARGING_RATE_UNIT_UNSPECIFIED,
            clearLimit: o.clearLimit === true,
          },
          c.call(),
        );
        c.out.table(
          smartChargingV1.RenegotiateChargingScheduleResponse.toJSON(r),
          ['status', 'transaction', 'profile', 'schedule'],
          [
            [
              smartChargingV1.chargingProfileStatusToJSON(r.status),
              r.transactionId,
              r.profile?.id,
              schedules(r.profile),
            ],
          ],
        );
      },
    );
}
