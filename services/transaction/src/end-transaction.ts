import { Subjects, type CommandOutcome } from '@csms/bus';
import { endTransactionByOperator, OCPP16, type TransactionRow } from '@csms/db';
import { ApiErrors, RequestViolations, transactionV1 } from '@csms/grpc';
import type { TransactionServiceDeps } from './deps.js';
import { toApiTransaction } from './transaction-view.js';

const { StationStopStatus } = transactionV1;
type Deps = Pick<TransactionServiceDeps, 'db' | 'bus' | 'stations' | 'logger'>;

/** The longest reason an operator may give (kept as the transaction's end_note). */
export const MAX_END_REASON_LENGTH = 255;
/** OCPP transactionIds are at most 36 characters (2.0.1 identifierString; 1.6 integers are shorter). */
const MAX_TRANSACTION_ID_LENGTH = 36;

/**
 * EndTransaction: an operator ends a transaction the station never reported the end of, so that its id
 * token is no longer ConcurrentTx (issue #15). The database end commits first (the transactions domain,
 * `endTransactionByOperator`) and is published as `transaction-ended`; the optional stop request to the
 * station follows, and its answer does not undo the end. The station's own stop, if it comes, is still
 * recorded (1.6 StopTransaction, 2.0.1 Ended).
 */
export async function endTransaction(
  deps: Deps,
  request: transactionV1.EndTransactionRequest,
): Promise<transactionV1.EndTransactionResponse> {
  checkRequest(request);
  const reason = request.reason.trim();
  const outcome = await deps.db.transaction().execute((trx) =>
    endTransactionByOperator(trx, {
      stationId: request.stationId,
      transactionId: request.transactionId,
      reason,
    }),
  );
  const name = `${request.stationId}/${request.transactionId}`;
  if (outcome.kind === 'not-found') throw ApiErrors.notFound('transaction', name);
  if (outcome.kind === 'already-ended')
    throw ApiErrors.failedPrecondition(
      'TRANSACTION_ALREADY_ENDED',
      `transaction ${name} has already ended (ended by ${outcome.row.ended_by ?? 'station'})`,
      { stationId: request.stationId, transactionId: request.transactionId },
    );
  const row = outcome.row;
  deps.logger.warn(
    { stationId: row.station_id, transactionId: row.transaction_id, reason },
    'transaction ended by an operator',
  );
  await publishEnded(deps, row, reason);
  const stop = request.stopAtStation
    ? await stopAtStation(deps, row)
    : { status: StationStopStatus.STATION_STOP_STATUS_UNSPECIFIED, detail: '' };
  return {
    transaction: toApiTransaction(row),
    stationStopStatus: stop.status,
    stationStopDetail: stop.detail,
  };
}

function checkRequest(request: transactionV1.EndTransactionRequest): void {
  const v = new RequestViolations();
  v.stationId('station_id', request.stationId);
  if (request.transactionId === '') v.add('transaction_id', 'required');
  else
    v.check(
      request.transactionId.length <= MAX_TRANSACTION_ID_LENGTH,
      'transaction_id',
      `must be at most ${MAX_TRANSACTION_ID_LENGTH} characters`,
    );
  const reason = request.reason.trim();
  if (reason === '') v.add('reason', 'required: why the transaction is ended');
  else
    v.check(
      reason.length <= MAX_END_REASON_LENGTH,
      'reason',
      `must be at most ${MAX_END_REASON_LENGTH} characters`,
    );
  v.throwIfAny('invalid EndTransaction request');
}

/** The ended transaction's OCPP transactionId: 1.6 an integer, 2.0.1 the station's string. */
function ocppTransactionId(row: TransactionRow): number | string {
  return row.ocpp_version === OCPP16 ? Number(row.transaction_id) : row.transaction_id;
}

/**
 * `transaction-ended` on the station event stream, shaped like the actors' (see the worker's 1.6
 * start/stop handlers), so stream clients learn of the end whoever made it.
 */
async function publishEnded(deps: Deps, row: TransactionRow, reason: string): Promise<void> {
  const event = {
    transactionId: ocppTransactionId(row),
    ...(row.ocpp_version === OCPP16 ? { connectorId: row.connector_id } : { evseId: row.evse_id }),
    stopReason: row.stop_reason,
    endedBy: 'operator',
    note: reason,
    stationId: row.station_id,
    type: 'transaction-ended',
    at: new Date().toISOString(),
  };
  await deps.bus
    .publish(Subjects.event(row.station_id, 'transaction-ended'), event)
    .catch((error: unknown) =>
      deps.logger.warn({ err: error, stationId: row.station_id }, 'could not publish transaction-ended'),
    );
}

/** Asks the station to stop the transaction (1.6 §5.12 RemoteStopTransaction, 2.0.1 F03 RequestStopTransaction). */
async function stopAtStation(
  deps: Deps,
  row: TransactionRow,
): Promise<{ status: transactionV1.StationStopStatus; detail: string }> {
  const v16 = row.ocpp_version === OCPP16;
  const outcome = await deps.stations.call(
    row.station_id,
    v16 ? 'RemoteStopTransaction' : 'RequestStopTransaction',
    { transactionId: ocppTransactionId(row) },
    { ocppVersion: v16 ? 'ocpp1.6' : 'ocpp2.0.1' },
  );
  return stopStatusOf(outcome);
}

function stopStatusOf(outcome: CommandOutcome): {
  status: transactionV1.StationStopStatus;
  detail: string;
} {
  switch (outcome.status) {
    case 'result':
      return outcome.payload.status === 'Accepted'
        ? { status: StationStopStatus.STATION_STOP_STATUS_ACCEPTED, detail: '' }
        : { status: StationStopStatus.STATION_STOP_STATUS_REJECTED, detail: '' };
    case 'offline':
      return { status: StationStopStatus.STATION_STOP_STATUS_OFFLINE, detail: '' };
    case 'call-error':
    case 'invalid-request':
    case 'invalid-response':
      return {
        status: StationStopStatus.STATION_STOP_STATUS_FAILED,
        detail: `${outcome.status} ${outcome.code}: ${outcome.description}`,
      };
    case 'refused':
      return {
        status: StationStopStatus.STATION_STOP_STATUS_FAILED,
        detail: `refused ${outcome.reason}: ${outcome.description}`,
      };
    case 'not-supported':
      return {
        status: StationStopStatus.STATION_STOP_STATUS_FAILED,
        detail: `not-supported: ${outcome.description}`,
      };
    case 'timeout':
    case 'disconnected':
    case 'queued': // never: the call is not queued (no whenOffline)
      return { status: StationStopStatus.STATION_STOP_STATUS_FAILED, detail: outcome.status };
  }
}
