import type { Kysely } from 'kysely';
import { createMonitoringTables, dropMonitoringTables } from '../monitoring/tables.js';

// Migrations take Kysely<any> on purpose: they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * `variable_monitors`, `monitoring_report_requests`, `monitoring_settings` and `monitoring_events`: the monitoring
 * of 2.0.1 stations (N02-N08).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await createMonitoringTables(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropMonitoringTables(db);
}
