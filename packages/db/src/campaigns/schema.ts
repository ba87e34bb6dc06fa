import type { Generated, Selectable } from 'kysely';
import type { CreatedAt, Json, Timestamp, UpdatedAt } from '../column-types.js';

export type CampaignKind = 'firmware_update' | 'log_upload';
export type CampaignState = 'running' | 'completed' | 'canceled';
export type CampaignStationStatus =
  'pending' | 'sent' | 'accepted' | 'rejected' | 'offline' | 'failed' | 'succeeded' | 'canceled';

/** A firmware update or log upload over a set of stations (csms.firmware.v1.FirmwareService). */
export interface CampaignsTable {
  id: Generated<string>;
  kind: CampaignKind;
  /** running → completed (every station final) / canceled. */
  state: CampaignState;
  /** The firmware update or log upload parameters, as given (times as ISO 8601). */
  parameters: Json<Record<string, unknown>>;
  max_concurrency: number;
  station_count: number;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  completed_at: Timestamp | null;
  /** The service instance sending the commands, and until when its lease holds (renewed while sending). */
  runner: string | null;
  lease_until: Timestamp | null;
}

/** One station of a campaign: its command and the progress its status notifications report. */
export interface CampaignStationsTable {
  id: Generated<string>;
  campaign_id: string;
  /** Not a foreign key: unknown ids are listed (as failed) and history outlives a deleted station. */
  station_id: string;
  status: CampaignStationStatus;
  reason: string | null;
  /** The OCPP action sent (UpdateFirmware, SignedUpdateFirmware, GetLog, GetDiagnostics). */
  action: string | null;
  ocpp_version: string | null;
  /** From `campaign_request_id_seq`, one per send; null for commands without a requestId. */
  request_id: number | null;
  filename: string | null;
  /** The latest status notification for this command (e.g. Downloading) and when it arrived. */
  notification_status: string | null;
  notification_at: Timestamp | null;
  sent_at: Timestamp | null;
  updated_at: UpdatedAt;
}

export interface CampaignTables {
  campaigns: CampaignsTable;
  campaign_stations: CampaignStationsTable;
}

export type CampaignRow = Selectable<CampaignsTable>;
export type CampaignStationRow = Selectable<CampaignStationsTable>;
