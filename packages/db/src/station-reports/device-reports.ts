import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Stores a SecurityEventNotification (2.0.1 A04, 1.6 Security Whitepaper §5.15) once per (station,
 * type, timestamp): stations queue these with guaranteed delivery (A04.FR.02), so one may arrive twice.
 * Returns true when it was new.
 */
export async function storeSecurityEvent(
  db: Kysely<Database>,
  event: {
    readonly stationId: string;
    readonly type: string;
    readonly timestamp: Date;
    readonly techInfo: string | null;
  },
): Promise<boolean> {
  const result = await db
    .insertInto('security_events')
    .values({
      station_id: event.stationId,
      type: event.type,
      timestamp: event.timestamp,
      tech_info: event.techInfo,
    })
    .onConflict((oc) => oc.columns(['station_id', 'type', 'timestamp']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Stores one NotifyReport part (2.0.1 B07/B08) once per (station, requestId, seqNo); true when new. */
export async function storeDeviceReport(
  db: Kysely<Database>,
  part: {
    readonly stationId: string;
    readonly requestId: number;
    readonly seqNo: number;
    readonly generatedAt: Date;
    readonly tbc: boolean;
    readonly reportData: readonly unknown[];
  },
): Promise<boolean> {
  const r = await db
    .insertInto('device_reports')
    .values({
      station_id: part.stationId,
      request_id: part.requestId,
      seq_no: part.seqNo,
      generated_at: part.generatedAt,
      tbc: part.tbc,
      report_data: JSON.stringify(part.reportData),
    })
    .onConflict((oc) => oc.columns(['station_id', 'request_id', 'seq_no']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Stores one NotifyEvent (2.0.1 N07/N08) once per (station, generatedAt, seqNo); true when new. */
export async function storeDeviceEvent(
  db: Kysely<Database>,
  event: {
    readonly stationId: string;
    readonly seqNo: number;
    readonly generatedAt: Date;
    readonly tbc: boolean;
    readonly eventData: readonly unknown[];
  },
): Promise<boolean> {
  const r = await db
    .insertInto('device_events')
    .values({
      station_id: event.stationId,
      seq_no: event.seqNo,
      generated_at: event.generatedAt,
      tbc: event.tbc,
      event_data: JSON.stringify(event.eventData),
    })
    .onConflict((oc) => oc.columns(['station_id', 'generated_at', 'seq_no']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}
