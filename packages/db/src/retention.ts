import { REPORTED_PROFILE_HISTORY } from './charging-profiles/reported-profiles.js';
import { DISPLAY_MESSAGE_HISTORY } from './display-messages/message-reports.js';
import { MONITORING_HISTORY } from './monitoring/monitoring-reports.js';
import { deleteBatchOlderThan, type PrunedTable } from './prune-batch.js';
import type { Database } from './schema.js';
import { SECURITY_EVENT_HISTORY, STATION_REPORT_HISTORY } from './station-reports/notifications.js';
import type { Kysely } from 'kysely';

/** The history tables of the domains, pruned after CSMS_REPORT_RETENTION_DAYS. */
export const HISTORY_TABLES: readonly PrunedTable[] = [
  ...STATION_REPORT_HISTORY,
  ...MONITORING_HISTORY,
  ...DISPLAY_MESSAGE_HISTORY,
  ...REPORTED_PROFILE_HISTORY,
];

/** Rows dated before these are deleted (absent: kept). */
export interface RetentionCutoffs {
  readonly history?: Date;
  readonly securityEvents?: Date;
}

/**
 * Deletes the history older than the cutoffs, table by table in batches of `batch` rows until none is left or
 * `stopped()` says so; returns the rows deleted per table (tables with none are absent).
 */
export async function pruneHistory(
  db: Kysely<Database>,
  cutoffs: RetentionCutoffs,
  batch: number,
  stopped: () => boolean = () => false,
): Promise<Record<string, number>> {
  const work: Array<[PrunedTable, Date]> = [
    ...(cutoffs.history ? HISTORY_TABLES.map((t): [PrunedTable, Date] => [t, cutoffs.history!]) : []),
    ...(cutoffs.securityEvents
      ? SECURITY_EVENT_HISTORY.map((t): [PrunedTable, Date] => [t, cutoffs.securityEvents!])
      : []),
  ];
  const deleted: Record<string, number> = {};
  for (const [table, before] of work) {
    for (;;) {
      if (stopped()) return deleted;
      const n = await deleteBatchOlderThan(db, table, before, batch);
      if (n > 0) deleted[table.table] = (deleted[table.table] ?? 0) + n;
      if (n < batch) break;
    }
  }
  return deleted;
}
