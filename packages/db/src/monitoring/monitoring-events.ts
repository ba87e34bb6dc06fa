import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { MonitoringEventRow } from './schema.js';

/**
 * The monitor events of NotifyEventRequests (N07 alerts, N08 periodic events), `monitoring_events`: each eventData
 * that names the variableMonitoringId that triggered it (N07.FR.06), kept with the monitor's severity as the CSMS
 * knew it when the event arrived. The NotifyEvent itself is stored as received in device_events (station-reports).
 */

/** One monitor event of a NotifyEventRequest. */
export interface MonitoringEventInput {
  readonly eventId: number;
  readonly monitorId: number;
  /** The monitor's severity, null when the CSMS holds no such monitor. */
  readonly severity: number | null;
  readonly trigger: string;
  readonly notificationType: string;
  readonly cleared: boolean;
  readonly actualValue: string;
  readonly componentName: string;
  readonly variableName: string;
  readonly timestamp: Date;
}

/**
 * Stores the monitor events of one NotifyEventRequest (station, generatedAt, seqNo) in one statement, once per
 * eventId (a retried NotifyEvent stores nothing new). Returns how many were new.
 */
export async function storeMonitoringEvents(
  db: Kysely<Database>,
  notifyEvent: { readonly stationId: string; readonly generatedAt: Date; readonly seqNo: number },
  events: readonly MonitoringEventInput[],
): Promise<number> {
  if (events.length === 0) return 0;
  const result = await db
    .insertInto('monitoring_events')
    .values(
      events.map((e) => ({
        station_id: notifyEvent.stationId,
        generated_at: notifyEvent.generatedAt,
        seq_no: notifyEvent.seqNo,
        event_id: e.eventId,
        monitor_id: e.monitorId,
        severity: e.severity,
        trigger: e.trigger,
        notification_type: e.notificationType,
        cleared: e.cleared,
        actual_value: e.actualValue,
        component_name: e.componentName,
        variable_name: e.variableName,
        timestamp: e.timestamp,
      })),
    )
    .onConflict((oc) => oc.columns(['station_id', 'generated_at', 'seq_no', 'event_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

/** A station's monitor events, newest first, at most `limit` (of one monitor when `monitorId` is given). */
export function listMonitoringEvents(
  db: Kysely<Database>,
  stationId: string,
  limit: number,
  monitorId?: number,
): Promise<MonitoringEventRow[]> {
  let query = db.selectFrom('monitoring_events').selectAll().where('station_id', '=', stationId);
  if (monitorId !== undefined) query = query.where('monitor_id', '=', monitorId);
  return query.orderBy('timestamp', 'desc').orderBy('event_id', 'desc').limit(limit).execute();
}
