import type { StationApi } from '@csms/bus';
import { findQueuedCommand, type Database, type Kysely, type QueuedCommandRow } from '@csms/db';
import {
  answerOf,
  ApiErrors,
  RequestViolations,
  abortable,
  type CallContext,
  type stationV1,
} from '@csms/grpc';
import type { StationLimits } from '@csms/station-limits';
import { callOptionsOf } from './call-options.js';

// The generic-call RPCs of `csms.station.v1.StationService`: a CALL of any action, and a queued one's fate.

const ACTION_PATTERN = /^[A-Za-z0-9]{1,64}$/;

/**
 * Call: sends a CALL of any action; the station's answer, or the queued command when it is offline (the one
 * field of the response that applies is set). Sent as given (never split); a GetVariables / GetConfiguration
 * answer teaches the station's per-message limits it mentions.
 */
export async function callStation(
  stations: StationApi,
  limits: StationLimits,
  request: stationV1.CallRequest,
  context: CallContext,
): Promise<stationV1.DeepPartial<stationV1.CallResponse>> {
  const v = new RequestViolations();
  v.stationId('station_id', request.stationId);
  v.check(ACTION_PATTERN.test(request.action), 'action', 'an OCPP action name, e.g. "Reset"');
  v.throwIfAny('invalid call');
  const options = callOptionsOf(request.options);
  const outcome = await abortable(
    stations.call(request.stationId, request.action, request.payload ?? {}, options),
    context.signal,
  );
  const answer = answerOf(request.stationId, request.action, outcome);
  if (answer.kind === 'result')
    await limits.learnFromAnswer(request.stationId, request.action, answer.payload);
  return answer.kind === 'result'
    ? { payload: answer.payload }
    : { queued: { id: answer.id, expireTime: answer.expireTime } };
}

/** GetQueuedCall: the state (and outcome, once delivered) of a call queued for an offline station. */
export async function getQueuedCall(
  db: Kysely<Database>,
  request: stationV1.GetQueuedCallRequest,
): Promise<stationV1.GetQueuedCallResponse> {
  if (!/^[0-9]{1,19}$/.test(request.id))
    throw ApiErrors.invalidArgument('invalid queued call id', [
      { field: 'id', description: 'the id returned in CallResponse.queued' },
    ]);
  const row = await findQueuedCommand(db, request.id);
  if (!row) throw ApiErrors.notFound('queued call', request.id);
  return queuedCallView(row);
}

function queuedCallView(row: QueuedCommandRow): stationV1.GetQueuedCallResponse {
  return {
    id: row.id,
    stationId: row.station_id,
    action: row.action,
    state: row.status,
    createTime: row.created_at,
    expireTime: row.expires_at,
    outcome: (row.outcome as Record<string, unknown> | null) ?? undefined,
  };
}
