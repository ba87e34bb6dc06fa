import {
  FINAL_STATUSES,
  type CampaignRow,
  type CampaignStationRow,
  type CampaignStationStatus,
} from '@csms/db';
import { firmwareV1 } from '@csms/grpc';
import type { FirmwareParameters, LogParameters } from './campaign-parameters.js';

const { CampaignKind, CampaignState, LogType, StationStatus } = firmwareV1;

export const STATION_STATUS: Readonly<Record<CampaignStationStatus, firmwareV1.StationStatus>> = {
  pending: StationStatus.STATION_STATUS_PENDING,
  sent: StationStatus.STATION_STATUS_SENT,
  accepted: StationStatus.STATION_STATUS_ACCEPTED,
  rejected: StationStatus.STATION_STATUS_REJECTED,
  offline: StationStatus.STATION_STATUS_OFFLINE,
  failed: StationStatus.STATION_STATUS_FAILED,
  succeeded: StationStatus.STATION_STATUS_SUCCEEDED,
  canceled: StationStatus.STATION_STATUS_CANCELED,
};

/** The database status of an API status; undefined for UNSPECIFIED / unknown values. */
export function stationStatusOf(status: firmwareV1.StationStatus): CampaignStationStatus | undefined {
  return (Object.keys(STATION_STATUS) as CampaignStationStatus[]).find((s) => STATION_STATUS[s] === status);
}

const time = (value: string | undefined) => (value === undefined ? undefined : new Date(value));

export function toCampaign(
  row: CampaignRow,
  counts: ReadonlyMap<CampaignStationStatus, number>,
): firmwareV1.Campaign {
  const statusCounts = (Object.keys(STATION_STATUS) as CampaignStationStatus[])
    .filter((s) => (counts.get(s) ?? 0) > 0)
    .map((s) => ({ status: STATION_STATUS[s], count: counts.get(s)! }));
  const doneCount = FINAL_STATUSES.reduce((sum, s) => sum + (counts.get(s) ?? 0), 0);
  let firmwareUpdate: firmwareV1.FirmwareUpdate | undefined;
  let logUpload: firmwareV1.LogUpload | undefined;
  if (row.kind === 'firmware_update') {
    const p = row.parameters as unknown as FirmwareParameters;
    firmwareUpdate = {
      location: p.location,
      retrieveTime: time(p.retrieveTime),
      installTime: time(p.installTime),
      retries: p.retries,
      retryIntervalSeconds: p.retryIntervalSeconds,
      signingCertificate: p.signingCertificate ?? '',
      signature: p.signature ?? '',
    };
  } else {
    const p = row.parameters as unknown as LogParameters;
    logUpload = {
      logType: p.logType === 'diagnostics' ? LogType.LOG_TYPE_DIAGNOSTICS : LogType.LOG_TYPE_SECURITY,
      remoteLocation: p.remoteLocation,
      oldestTime: time(p.oldestTime),
      latestTime: time(p.latestTime),
      retries: p.retries,
      retryIntervalSeconds: p.retryIntervalSeconds,
    };
  }
  return {
    id: row.id,
    kind:
      row.kind === 'firmware_update'
        ? CampaignKind.CAMPAIGN_KIND_FIRMWARE_UPDATE
        : CampaignKind.CAMPAIGN_KIND_LOG_UPLOAD,
    state:
      row.state === 'running'
        ? CampaignState.CAMPAIGN_STATE_RUNNING
        : row.state === 'completed'
          ? CampaignState.CAMPAIGN_STATE_COMPLETED
          : CampaignState.CAMPAIGN_STATE_CANCELED,
    stationCount: row.station_count,
    statusCounts,
    doneCount,
    maxConcurrency: row.max_concurrency,
    firmwareUpdate,
    logUpload,
    createTime: row.created_at,
    updateTime: row.updated_at,
    completeTime: row.completed_at ?? undefined,
  };
}

export function toCampaignStation(row: CampaignStationRow): firmwareV1.CampaignStation {
  return {
    stationId: row.station_id,
    status: STATION_STATUS[row.status],
    reason: row.reason ?? '',
    action: row.action ?? '',
    requestId: row.request_id ?? 0,
    filename: row.filename ?? '',
    notificationStatus: row.notification_status ?? '',
    notificationTime: row.notification_at ?? undefined,
    sendTime: row.sent_at ?? undefined,
    updateTime: row.updated_at,
  };
}
