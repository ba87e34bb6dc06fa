import { findStation, listEvChargingNeeds, listEvChargingSchedules } from '@csms/db';
import { ApiErrors, RequestViolations, requireStationId, type smartChargingV1 as api } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { fromOcpp } from './ocpp-enums.js';
import { fromV201Schedule } from './profile-v201.js';

/**
 * ListEvCharging: what EVs sent through a station for ISO 15118 smart charging (K15-K17), the latest charging needs
 * and chosen schedule per transaction, as the station's actor stored them, with the CSMS's answers.
 */
export async function listEvCharging(
  deps: { readonly db: Parameters<typeof findStation>[0] },
  request: api.ListEvChargingRequest,
): Promise<api.ListEvChargingResponse> {
  const { db } = deps;
  requireStationId(request.stationId);
  const v = new RequestViolations();
  if (request.evseId !== undefined) v.check(request.evseId >= 0, 'evse_id', 'must be >= 0');
  v.throwIfAny('invalid ListEvCharging request');
  if (!(await findStation(db, request.stationId))) throw ApiErrors.notFound('station', request.stationId);
  const filter = {
    ...(request.evseId !== undefined ? { evseId: request.evseId } : {}),
    ...(request.transactionId !== undefined ? { transactionId: request.transactionId } : {}),
  };
  const [needs, schedules] = await Promise.all([
    listEvChargingNeeds(db, request.stationId, filter),
    listEvChargingSchedules(db, request.stationId, filter),
  ]);
  const byTx = new Map<string, api.EvCharging>();
  const entry = (transactionId: string, evseId: number): api.EvCharging => {
    const found = byTx.get(transactionId);
    if (found) return found;
    const created: api.EvCharging = {
      stationId: request.stationId,
      evseId,
      transactionId,
      chargingNeedsJson: '',
      needsStatus: '',
      needsTime: undefined,
      operatorLimitUnit: fromOcpp.rateUnit(undefined),
      evSchedule: undefined,
      evScheduleTimeBase: undefined,
      evScheduleStatus: '',
      evScheduleTime: undefined,
    };
    byTx.set(transactionId, created);
    return created;
  };
  for (const row of needs) {
    Object.assign(entry(row.transaction_id, row.evse_id), {
      chargingNeedsJson: JSON.stringify(row.charging_needs),
      ...(row.max_schedule_tuples !== null ? { maxScheduleTuples: row.max_schedule_tuples } : {}),
      needsStatus: row.status,
      needsTime: new Date(row.received_at),
      ...(row.operator_limit
        ? {
            operatorLimit: row.operator_limit.limit,
            operatorLimitUnit: fromOcpp.rateUnit(row.operator_limit.chargingRateUnit),
          }
        : {}),
    });
  }
  for (const row of schedules) {
    Object.assign(entry(row.transaction_id, row.evse_id), {
      evSchedule: fromV201Schedule(row.charging_schedule as unknown as V201.ChargingScheduleType),
      evScheduleTimeBase: new Date(row.time_base),
      evScheduleStatus: row.status,
      evScheduleTime: new Date(row.received_at),
    });
  }
  return { transactions: [...byTx.values()] };
}
