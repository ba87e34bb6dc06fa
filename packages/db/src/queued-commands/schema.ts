import type { Generated, Selectable } from 'kysely';
import type { CreatedAt, Json, NullableJson, Timestamp, UpdatedAt } from '../column-types.js';

export type QueuedCommandStatus = 'queued' | 'delivering' | 'done' | 'expired' | 'failed';

/**
 * CSMS-initiated commands kept durably for an offline station (`whenOffline: 'queue'`) and delivered,
 * in `id` order, through its actor's outbound queue when it is back.
 */
export interface QueuedCommandsTable {
  id: Generated<string>;
  station_id: string;
  action: string;
  /** The CALL payload, validated against `ocpp_version`'s request schema when queued. */
  payload: Json<Record<string, unknown>>;
  /** The station's OCPP version when the command was queued. */
  ocpp_version: string;
  /** How long to wait for the station's answer once sent; null = the worker's default. */
  timeout_ms: number | null;
  /** queued → delivering → done (CALLRESULT) / failed (anything else); queued → expired. */
  status: QueuedCommandStatus;
  expires_at: Timestamp;
  /** The command's outcome (a `CommandOutcome` of @csms/bus) once done or failed; null before. */
  outcome: NullableJson;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface QueuedCommandTables {
  queued_commands: QueuedCommandsTable;
}

export type QueuedCommandRow = Selectable<QueuedCommandsTable>;
