import type { PrunedTable } from '../prune-batch.js';
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { Database } from '../schema.js';
import { upsertReportedMonitors, type MonitorInput } from './monitors.js';
import type {
  MonitoringReportCriteria,
  MonitoringReportRequestRow,
  ReportComponentVariable,
  VariableMonitorRow,
} from './schema.js';

/**
 * The monitoring reports (N02): a GetMonitoringReportRequest asks a station for its monitors matching
 * monitoringCriteria and componentVariables; it answers Accepted and sends them in NotifyMonitoringReportRequests with
 * the request's requestId (N02.FR.04) and tbc on every part but the last, or EmptyResultSet when none match
 * (N02.FR.10), or Rejected / NotSupported (N02.FR.02). The station's report is the truth for its request's filter:
 * every reported monitor is written to the store as reported, and once the report is whole the stored monitors
 * matching the filter that the station did not report are removed (unless confirmed after the request was made: a
 * monitor set meanwhile).
 */

/** Which monitor types a MonitoringCriterionEnumType selects (N02.FR.12-14). */
const CRITERION_TYPES: Readonly<Record<string, readonly string[]>> = {
  ThresholdMonitoring: ['UpperThreshold', 'LowerThreshold'],
  DeltaMonitoring: ['Delta'],
  PeriodicMonitoring: ['Periodic', 'PeriodicClockAligned'],
};

type MonitorsBuilder = ExpressionBuilder<Database, 'variable_monitors'>;

/**
 * The condition a stored monitor meets when a GetMonitoringReportRequest with `criteria` covers it: one of the
 * criteria's monitor types (none = any type) AND one of the component variables (none = any), where a component or
 * variable part the entry leaves out matches every value (N02.FR.16-21).
 */
function coveredBy(eb: MonitorsBuilder, criteria: MonitoringReportCriteria): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  const criterionList = criteria.monitoringCriteria ?? [];
  if (criterionList.length > 0)
    conditions.push(
      eb.or(criterionList.flatMap((c) => CRITERION_TYPES[c] ?? []).map((type) => eb('type', '=', type))),
    );
  const entries = criteria.componentVariable ?? [];
  if (entries.length > 0) conditions.push(eb.or(entries.map((entry) => entryCovers(eb, entry))));
  return eb.and(conditions);
}

function entryCovers(eb: MonitorsBuilder, entry: ReportComponentVariable): Expression<SqlBool> {
  const { component, variable } = entry;
  const parts: Expression<SqlBool>[] = [eb('component_name', '=', component.name)];
  if (component.instance !== undefined) parts.push(eb('component_instance', '=', component.instance));
  if (component.evse !== undefined) {
    parts.push(eb('evse_id', '=', component.evse.id));
    if (component.evse.connectorId !== undefined)
      parts.push(eb('connector_id', '=', component.evse.connectorId));
  }
  if (variable !== undefined) {
    parts.push(eb('variable_name', '=', variable.name));
    if (variable.instance !== undefined) parts.push(eb('variable_instance', '=', variable.instance));
  }
  return eb.and(parts);
}

/** A station's stored monitors that a request with `criteria` covers, by monitor id, at most `limit`. */
export function listCoveredMonitors(
  db: Kysely<Database>,
  stationId: string,
  criteria: MonitoringReportCriteria,
  limit: number,
): Promise<VariableMonitorRow[]> {
  return db
    .selectFrom('variable_monitors')
    .selectAll()
    .where('station_id', '=', stationId)
    .where((eb) => coveredBy(eb, criteria))
    .orderBy('monitor_id')
    .limit(limit)
    .execute();
}

/**
 * Records a GetMonitoringReportRequest about to be sent, with its filter, so that its report can be reconciled.
 * False when this station already has a request with that requestId (pick another).
 */
export async function startMonitoringReportRequest(
  db: Kysely<Database>,
  stationId: string,
  requestId: number,
  criteria: MonitoringReportCriteria,
): Promise<boolean> {
  const result = await db
    .insertInto('monitoring_report_requests')
    .values({ station_id: stationId, request_id: requestId, criteria: JSON.stringify(criteria) })
    .onConflict((oc) => oc.columns(['station_id', 'request_id']).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** A station's request with that requestId, if recorded. */
export function findMonitoringReportRequest(
  db: Kysely<Database>,
  stationId: string,
  requestId: number,
): Promise<MonitoringReportRequestRow | undefined> {
  return db
    .selectFrom('monitoring_report_requests')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('request_id', '=', requestId)
    .executeTakeFirst();
}

/**
 * Records the station's GetMonitoringReportResponse. EmptyResultSet means it holds no monitor matching the filter
 * (N02.FR.10) and sends no report: the matching monitors leave the store and the request is complete. Rejected and
 * NotSupported send no report either: the request is complete and the store unchanged. Run it in a transaction.
 */
export async function recordMonitoringReportAnswer(
  db: Kysely<Database>,
  stationId: string,
  requestId: number,
  status: string,
): Promise<void> {
  const row = await db
    .updateTable('monitoring_report_requests')
    .set({ status })
    .where('station_id', '=', stationId)
    .where('request_id', '=', requestId)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined || row.complete || status === 'Accepted') return;
  if (status === 'EmptyResultSet') await reconcile(db, row);
  else await markComplete(db, row);
}

/** One NotifyMonitoringReportRequest as a station sent it. */
export interface MonitoringReportPart {
  readonly stationId: string;
  readonly requestId: number;
  readonly monitors: readonly MonitorInput[];
  /** More parts follow. */
  readonly tbc: boolean;
}

/**
 * Stores one part of a report; on its last part (tbc false) reconciles the store with the whole report for the
 * request's filter, once (a retried last part changes nothing more). A report for a requestId the CSMS did not
 * record (a GetMonitoringReportRequest sent another way) has an unknown filter: its monitors are written, nothing is
 * removed. Run it in the CALL's transaction.
 */
export async function storeMonitoringReportPart(
  db: Kysely<Database>,
  part: MonitoringReportPart,
): Promise<void> {
  await upsertReportedMonitors(db, part.stationId, part.monitors, part.requestId);
  if (part.tbc) return;
  await db
    .insertInto('monitoring_report_requests')
    .values({ station_id: part.stationId, request_id: part.requestId, criteria: null })
    .onConflict((oc) => oc.columns(['station_id', 'request_id']).doNothing())
    .execute();
  const request = await db
    .selectFrom('monitoring_report_requests')
    .selectAll()
    .where('station_id', '=', part.stationId)
    .where('request_id', '=', part.requestId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (!request.complete) await reconcile(db, request);
}

/**
 * Marks the request complete and, when its filter is known, removes the stored monitors it covers that its report
 * did not confirm and that were confirmed before the request was made.
 */
async function reconcile(db: Kysely<Database>, request: MonitoringReportRequestRow): Promise<void> {
  const criteria = request.criteria;
  if (criteria !== null)
    await db
      .deleteFrom('variable_monitors')
      .where('station_id', '=', request.station_id)
      .where((eb) =>
        eb(
          'confirm_seq',
          '<',
          eb
            .selectFrom('monitoring_report_requests as r')
            .select('r.seq')
            .where('r.station_id', '=', request.station_id)
            .where('r.request_id', '=', request.request_id),
        ),
      )
      .where((eb) => eb.or([eb('request_id', 'is', null), eb('request_id', '<>', request.request_id)]))
      .where((eb) => coveredBy(eb, criteria))
      .execute();
  await markComplete(db, request);
}

async function markComplete(db: Kysely<Database>, request: MonitoringReportRequestRow): Promise<void> {
  await db
    .updateTable('monitoring_report_requests')
    .set({ complete: true })
    .where('station_id', '=', request.station_id)
    .where('request_id', '=', request.request_id)
    .execute();
}

/** History of this domain the retention sweep prunes: monitor events and the bookkeeping of old report requests. */
export const MONITORING_HISTORY: readonly PrunedTable[] = [
  { table: 'monitoring_events', column: 'received_at' },
  { table: 'monitoring_report_requests', column: 'created_at' },
];
