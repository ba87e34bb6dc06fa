import { transactionEnergyWh, type MeterValueRow, type TransactionRow } from '@csms/db';
import { transactionV1 } from '@csms/grpc';

const { TransactionState } = transactionV1;

/** A transactions row as the API's Transaction message. */
export function toApiTransaction(row: TransactionRow): transactionV1.Transaction {
  const energyWh = transactionEnergyWh(row);
  return {
    id: String(row.id),
    stationId: row.station_id,
    ocppVersion: row.ocpp_version,
    transactionId: row.transaction_id,
    ...(row.evse_id !== null ? { evseId: row.evse_id } : {}),
    ...(row.connector_id !== null ? { connectorId: row.connector_id } : {}),
    idToken: row.id_token ?? '',
    idTokenType: row.id_token_type ?? '',
    state:
      row.state === 'active'
        ? TransactionState.TRANSACTION_STATE_ACTIVE
        : TransactionState.TRANSACTION_STATE_ENDED,
    startTime: row.started_at ?? undefined,
    endTime: row.ended_at ?? undefined,
    ...(row.meter_start !== null ? { meterStartWh: row.meter_start } : {}),
    ...(row.meter_stop !== null ? { meterStopWh: row.meter_stop } : {}),
    stopReason: row.stop_reason ?? '',
    chargingState: row.charging_state ?? '',
    ...(row.last_seq_no !== null ? { lastSeqNo: row.last_seq_no } : {}),
    ...(row.remote_start_id !== null ? { remoteStartId: row.remote_start_id } : {}),
    ...(row.reservation_id !== null ? { reservationId: row.reservation_id } : {}),
    createTime: row.created_at,
    updateTime: row.updated_at,
    endedBy: row.ended_by ?? '',
    endNote: row.end_note ?? '',
    ...(energyWh !== undefined ? { energyWh } : {}),
  };
}

/** A meter_values row as the API's MeterValue message. */
export function toApiMeterValue(row: MeterValueRow): transactionV1.MeterValue {
  const sampled = Array.isArray(row.sampled_values) ? row.sampled_values : [];
  return {
    id: String(row.id),
    stationId: row.station_id,
    transactionId: row.transaction_ref !== null ? String(row.transaction_ref) : '',
    ...(row.evse_id !== null ? { evseId: row.evse_id } : {}),
    ...(row.connector_id !== null ? { connectorId: row.connector_id } : {}),
    time: row.timestamp,
    source: row.source,
    // Struct entries must be objects; OCPP sampled values always are.
    sampledValues: sampled.filter(
      (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v),
    ),
    receiveTime: row.received_at,
  };
}
