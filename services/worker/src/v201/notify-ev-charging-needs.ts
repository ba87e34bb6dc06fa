import {
  activeTransactionOnEvse,
  listEvChargingNeeds,
  planEvTxProfile,
  reportedEvseIds,
  storeEvChargingNeeds,
} from '@csms/db';
import type { V201 } from '@csms/ocpp';
import { CallErrorResponse, type HandlerContext } from '../handler.js';
import { checkIds } from './common.js';

/**
 * NotifyEVChargingNeeds (ISO 15118 smart charging: K15 at the start, K17 when the EV renegotiates, K16.FR.12 after a
 * CSMS renegotiation). The needs are stored for the transaction active on the EVSE (the request names no transaction:
 * K15 prerequisite, the transaction starts before the EV's ChargeParameterDiscoveryReq), and the CSMS computes a
 * schedule within the limits it knows (packages/db charging-profiles/ev-tx-profile.ts) and queues it as a
 * SetChargingProfileRequest with a TxProfile for that transaction (K15.FR.07, K17.FR.07, K16.FR.12), sent right after
 * this answer (K15.FR.08: well within 60 s). The schedule is computed before answering, so the answer is `Accepted`
 * (K15.FR.03, K17.FR.03), never `Processing`. `Rejected` (K15.FR.04, K17.FR.04) when no schedule can be given: no
 * transaction on the EVSE (`TxNotFound`; `UnknownEvse` for an EVSE the station never reported), neither AC nor DC
 * parameters (K15.FR.06: `MissingParam`), or a full command queue. Several writes: not in the autocommit set.
 */
export async function onNotifyEVChargingNeeds(
  ctx: HandlerContext,
  request: V201.NotifyEVChargingNeedsRequest,
): Promise<V201.NotifyEVChargingNeedsResponse> {
  checkIds(ctx, { evseId: request.evseId });
  const tx =
    request.evseId > 0 ? await activeTransactionOnEvse(ctx.db, ctx.stationId, request.evseId) : undefined;
  if (!tx) {
    const known = (await reportedEvseIds(ctx.db, ctx.stationId)).includes(request.evseId);
    return rejected(
      known ? 'TxNotFound' : 'UnknownEvse',
      known ? `no transaction is active on EVSE ${request.evseId}` : `EVSE ${request.evseId} is not known`,
    );
  }
  const target = { stationId: ctx.stationId, evseId: request.evseId, transactionId: tx.transaction_id };
  const [earlier] = await listEvChargingNeeds(ctx.db, ctx.stationId, { transactionId: tx.transaction_id });
  const plan = await planEvTxProfile(ctx.db, {
    ...target,
    needs: request.chargingNeeds,
    maxScheduleTuples: request.maxScheduleTuples,
    operatorLimit: earlier?.operator_limit,
    now: ctx.now(),
  });
  const answer: V201.NotifyEVChargingNeedsResponse = plan
    ? await queueProfile(ctx, plan)
    : rejected('MissingParam', 'chargingNeeds has neither AC nor DC charging parameters (K15.FR.06)');
  await storeEvChargingNeeds(ctx.db, {
    ...target,
    chargingNeeds: request.chargingNeeds,
    maxScheduleTuples: request.maxScheduleTuples,
    status: answer.status,
  });
  if (answer.status === 'Accepted')
    ctx.emit('ev-charging-needs', { ...target, profileId: plan?.chargingProfile.id ?? null });
  return answer;
}

/** Queues the SetChargingProfile; a full command queue (nothing written) makes the answer Rejected. */
export async function queueProfile(
  ctx: HandlerContext,
  plan: V201.SetChargingProfileRequest,
): Promise<{ status: 'Accepted' | 'Rejected'; statusInfo?: V201.StatusInfoType }> {
  try {
    await ctx.queueCommand({ action: 'SetChargingProfile', payload: { ...plan } });
    return { status: 'Accepted' };
  } catch (error) {
    if (!(error instanceof CallErrorResponse)) throw error;
    ctx.log.warn({ evseId: plan.evseId, reason: error.description }, 'EV charging schedule not queued');
    return rejected('InternalError', 'the charging schedule could not be queued for the station');
  }
}

function rejected(reasonCode: string, additionalInfo: string) {
  return { status: 'Rejected' as const, statusInfo: { reasonCode, additionalInfo } };
}
