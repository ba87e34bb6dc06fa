import { activeTransactionOnEvse, listEvChargingNeeds, planEvTxProfile, setEvOperatorLimit } from '@csms/db';
import {
  ApiErrors,
  abortable,
  requireOcppVersion,
  RequestViolations,
  requireStationId,
  smartChargingV1 as api,
  type CallContext,
} from '@csms/grpc';
import { findStationOcppVersion } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import { statusInfoOf } from './composite-schedule.js';
import type { SmartChargingServiceDeps } from './deps.js';
import { ocpp } from './ocpp-enums.js';
import { fromV201Profile } from './profile-v201.js';
import { callStation } from './station-call.js';

/**
 * RenegotiateChargingSchedule (OCPP 2.0.1 K16, renegotiation initiated by the CSMS): the TxProfile for the EV charging
 * in the EVSE's active transaction, computed from its stored charging needs (K15/K17) and the limits the CSMS knows
 * with the operator's ceiling (packages/db charging-profiles/ev-tx-profile.ts, the computation the station's actor
 * uses for NotifyEVChargingNeeds), sent as SetChargingProfileRequest (K16.FR.01). The station's actor stores it when
 * the station accepts it (its after-command hook). The ceiling is kept with the needs for the transaction's later
 * schedules (K16.FR.12, K17).
 */
export async function renegotiateChargingSchedule(
  deps: SmartChargingServiceDeps,
  request: api.RenegotiateChargingScheduleRequest,
  context: CallContext,
): Promise<api.RenegotiateChargingScheduleResponse> {
  const { db } = deps;
  requireStationId(request.stationId);
  const unit = ocpp.rateUnit(request.limitUnit);
  const v = new RequestViolations();
  v.check(request.evseId > 0, 'evse_id', 'must be > 0 (a TxProfile is for an EVSE, K01.FR.16)');
  if (request.limit !== undefined) {
    v.check(request.limit >= 0 && Number.isFinite(request.limit), 'limit', 'must be a number >= 0');
    v.check(unit !== undefined, 'limit_unit', 'required with limit');
    v.check(!request.clearLimit, 'clear_limit', 'not with limit');
  }
  v.throwIfAny('invalid RenegotiateChargingSchedule request');
  requireOcppVersion(request.stationId, await findStationOcppVersion(db, request.stationId), ['ocpp2.0.1']);
  const tx = await activeTransactionOnEvse(db, request.stationId, request.evseId);
  if (!tx)
    throw ApiErrors.failedPrecondition(
      'NO_TRANSACTION',
      `no transaction is active on EVSE ${request.evseId} of station ${request.stationId}`,
      { stationId: request.stationId, evseId: String(request.evseId) },
    );
  const [needs] = await listEvChargingNeeds(db, request.stationId, { transactionId: tx.transaction_id });
  const noNeeds = () =>
    ApiErrors.failedPrecondition(
      'NO_EV_CHARGING_NEEDS',
      `the EV in transaction ${tx.transaction_id} sent no usable charging needs (NotifyEVChargingNeeds, ISO 15118)`,
      { stationId: request.stationId, transactionId: tx.transaction_id },
    );
  if (!needs) throw noNeeds();
  const operatorLimit = request.clearLimit
    ? null
    : request.limit !== undefined && unit !== undefined
      ? { limit: request.limit, chargingRateUnit: unit }
      : needs.operator_limit;
  if (operatorLimit !== needs.operator_limit)
    await setEvOperatorLimit(db, request.stationId, tx.transaction_id, operatorLimit);
  const plan = await planEvTxProfile(db, {
    stationId: request.stationId,
    evseId: request.evseId,
    transactionId: tx.transaction_id,
    needs: needs.charging_needs as unknown as V201.ChargingNeedsType,
    maxScheduleTuples: needs.max_schedule_tuples ?? undefined,
    operatorLimit,
    now: new Date(),
  });
  if (!plan) throw noNeeds();
  const answer = await abortable(
    callStation<V201.SetChargingProfileResponse>(
      deps.stations,
      request.stationId,
      'SetChargingProfile',
      plan,
    ),
    context.signal,
  );
  return {
    status:
      answer.status === 'Accepted'
        ? api.ChargingProfileStatus.CHARGING_PROFILE_STATUS_ACCEPTED
        : api.ChargingProfileStatus.CHARGING_PROFILE_STATUS_REJECTED,
    statusInfo: statusInfoOf(answer.statusInfo),
    profile: fromV201Profile(plan.chargingProfile),
    transactionId: tx.transaction_id,
  };
}
