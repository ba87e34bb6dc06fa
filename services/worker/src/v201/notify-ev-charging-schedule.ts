import {
  activeTransactionOnEvse,
  evMaximum,
  evScheduleLimits,
  exceedingPeriod,
  listEvChargingNeeds,
  planEvTxProfile,
  reportedEvseIds,
  storeEvChargingSchedule,
  type Electrical,
} from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { checkIds, parseTimestamp } from './common.js';
import { queueProfile } from './notify-ev-charging-needs.js';

/**
 * NotifyEVChargingSchedule (K15.FR.10, K16.FR.05, K17.FR.10): the schedule the EV chose, stored for the transaction
 * active on the EVSE and checked by the CSMS against the limits it set: the transaction's TxProfile (as the CSMS stored
 * it) and the external limits the station notified (ev-schedule.ts `exceedingPeriod`, with a grace for the EV's
 * timeBase). Within them: `Accepted` (K15.FR.11, K16.FR.06, K17.FR.11). Above them: `Rejected` (K15.FR.12, K16.FR.07,
 * K17.FR.12) and a renegotiation as per K16 (K15.FR.13, K16.FR.08, K17.FR.13): a new TxProfile computed from the EV's
 * stored needs, queued for after this answer. No transaction on the EVSE: `Rejected` (`TxNotFound` / `UnknownEvse`).
 */
export async function onNotifyEVChargingSchedule(
  ctx: HandlerContext,
  request: V201.NotifyEVChargingScheduleRequest,
): Promise<V201.NotifyEVChargingScheduleResponse> {
  checkIds(ctx, { evseId: request.evseId });
  const tx =
    request.evseId > 0 ? await activeTransactionOnEvse(ctx.db, ctx.stationId, request.evseId) : undefined;
  if (!tx) {
    const known = (await reportedEvseIds(ctx.db, ctx.stationId)).includes(request.evseId);
    return {
      status: 'Rejected',
      statusInfo: known
        ? { reasonCode: 'TxNotFound', additionalInfo: `no transaction is active on EVSE ${request.evseId}` }
        : { reasonCode: 'UnknownEvse', additionalInfo: `EVSE ${request.evseId} is not known` },
    };
  }
  const target = { stationId: ctx.stationId, evseId: request.evseId, transactionId: tx.transaction_id };
  const [needs] = await listEvChargingNeeds(ctx.db, ctx.stationId, { transactionId: tx.transaction_id });
  const chargingNeeds = needs?.charging_needs as unknown as V201.ChargingNeedsType | undefined;
  // Without stored needs A and W convert as for AC (nominal voltage); DC needs the EV's voltage.
  const electrical: Electrical = (chargingNeeds && evMaximum(chargingNeeds)?.electrical) ?? {
    kind: 'AC',
    voltage: 0,
  };
  const timeBase = parseTimestamp(request.timeBase, 'timeBase');
  const { limits } = await evScheduleLimits(
    ctx.db,
    target,
    request.chargingSchedule.chargingRateUnit,
    electrical,
    ctx.now(),
  );
  const exceeding = exceedingPeriod(request.chargingSchedule, timeBase.getTime(), limits, electrical);
  const status = exceeding === undefined ? 'Accepted' : 'Rejected';
  await storeEvChargingSchedule(ctx.db, {
    ...target,
    timeBase,
    chargingSchedule: request.chargingSchedule,
    status,
  });
  ctx.emit('ev-charging-schedule', { ...target, status });
  if (exceeding === undefined) return { status };
  if (chargingNeeds) {
    const plan = await planEvTxProfile(ctx.db, {
      ...target,
      needs: chargingNeeds,
      maxScheduleTuples: needs?.max_schedule_tuples ?? undefined,
      operatorLimit: needs?.operator_limit,
      now: ctx.now(),
    });
    if (plan) await queueProfile(ctx, plan);
  }
  return {
    status,
    statusInfo: {
      reasonCode: 'InvalidSchedule',
      additionalInfo: `the period starting at ${exceeding} s exceeds the charging schedule the CSMS set`,
    },
  };
}
