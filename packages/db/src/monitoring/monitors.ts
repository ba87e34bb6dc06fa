import type { V201 } from '@csms/ocpp';
import {
  sql,
  type ExpressionBuilder,
  type Kysely,
  type OnConflictTables,
  type OnConflictUpdateDatabase,
} from 'kysely';
import type { Database } from '../schema.js';
import type { MonitorKind, MonitorSource, VariableMonitorRow } from './schema.js';

/**
 * The variable monitors of OCPP 2.0.1 stations (`variable_monitors`, functional block N): what each station
 * confirmed it holds. A monitor enters the store when the station accepts it (SetMonitoringResult Accepted, with
 * the id the station assigned: N04.FR.08 / N04.FR.11; any other status leaves the store unchanged) or reports it
 * (NotifyMonitoringReport, monitoring-reports.ts), and leaves it when the station answers its clear Accepted or
 * NotFound (N06.FR.01 / N06.FR.02), drops it with a new monitoring base (N03, monitoring-settings.ts), or leaves
 * it out of a report that asked for it.
 */

/** One monitor as the station confirmed it. */
export interface MonitorInput {
  /** The id the station gave it. */
  readonly id: number;
  readonly component: V201.ComponentType;
  readonly variable: V201.VariableType;
  /** MonitorEnumType. */
  readonly type: string;
  readonly value: number;
  readonly severity: number;
  readonly transaction: boolean;
}

function columnsOf(m: MonitorInput) {
  return {
    component_name: m.component.name,
    component_instance: m.component.instance ?? null,
    evse_id: m.component.evse?.id ?? null,
    connector_id: m.component.evse?.connectorId ?? null,
    variable_name: m.variable.name,
    variable_instance: m.variable.instance ?? null,
    type: m.type,
    value: m.value,
    severity: m.severity,
    transaction: m.transaction,
  };
}

/** One monitor per id, the last one given (an insert may not update one row twice). */
function byId(monitors: readonly MonitorInput[]): MonitorInput[] {
  return [...new Map(monitors.map((m) => [m.id, m])).values()];
}

const confirmedNow = {
  confirmed_at: sql<Date>`now()`,
  confirm_seq: sql<string>`nextval('variable_monitor_confirmations')`,
};

/**
 * Stores monitors the station accepted from the CSMS (SetVariableMonitoringResponse Accepted): a CustomMonitor set
 * by the CSMS (N04.FR.15 also for a replaced preconfigured one); one with a known id replaces it (N04.FR.12).
 */
export async function storeSetMonitors(
  db: Kysely<Database>,
  stationId: string,
  monitors: readonly MonitorInput[],
): Promise<void> {
  if (monitors.length === 0) return;
  const origin = { source: 'csms' as const, kind: 'CustomMonitor' as const, request_id: null };
  await db
    .insertInto('variable_monitors')
    .values(
      byId(monitors).map((m) => ({ station_id: stationId, monitor_id: m.id, ...columnsOf(m), ...origin })),
    )
    .onConflict((oc) =>
      oc.columns(['station_id', 'monitor_id']).doUpdateSet((eb) => ({
        ...excludedColumns(eb),
        ...origin,
        ...confirmedNow,
      })),
    )
    .execute();
}

/**
 * Writes monitors the station reported (NotifyMonitoringReport, `requestId`). A row with the same id keeps its
 * source and kind when it is the same component and variable; otherwise (the station reused the id, N04.FR.19:
 * ids may change after a reboot) it becomes a reported monitor of unknown kind.
 */
export async function upsertReportedMonitors(
  db: Kysely<Database>,
  stationId: string,
  monitors: readonly MonitorInput[],
  requestId: number,
): Promise<void> {
  if (monitors.length === 0) return;
  const same = sql<boolean>`(variable_monitors.component_name = excluded.component_name
    and variable_monitors.component_instance is not distinct from excluded.component_instance
    and variable_monitors.evse_id is not distinct from excluded.evse_id
    and variable_monitors.connector_id is not distinct from excluded.connector_id
    and variable_monitors.variable_name = excluded.variable_name
    and variable_monitors.variable_instance is not distinct from excluded.variable_instance)`;
  await db
    .insertInto('variable_monitors')
    .values(
      byId(monitors).map((m) => ({
        station_id: stationId,
        monitor_id: m.id,
        ...columnsOf(m),
        source: 'station' as const,
        kind: null,
        request_id: requestId,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['station_id', 'monitor_id']).doUpdateSet((eb) => ({
        ...excludedColumns(eb),
        source: sql<MonitorSource>`case when ${same} then variable_monitors.source else excluded.source end`,
        kind: sql<MonitorKind | null>`case when ${same} then variable_monitors.kind else null end`,
        request_id: requestId,
        ...confirmedNow,
      })),
    )
    .execute();
}

type ConflictBuilder = ExpressionBuilder<
  OnConflictUpdateDatabase<Database, 'variable_monitors'>,
  OnConflictTables<'variable_monitors'>
>;

/** The conflict update's monitor columns: the proposed row's. */
function excludedColumns(eb: ConflictBuilder) {
  return {
    component_name: eb.ref('excluded.component_name'),
    component_instance: eb.ref('excluded.component_instance'),
    evse_id: eb.ref('excluded.evse_id'),
    connector_id: eb.ref('excluded.connector_id'),
    variable_name: eb.ref('excluded.variable_name'),
    variable_instance: eb.ref('excluded.variable_instance'),
    type: eb.ref('excluded.type'),
    value: eb.ref('excluded.value'),
    severity: eb.ref('excluded.severity'),
    transaction: eb.ref('excluded.transaction'),
  };
}

/** Removes the monitors the station cleared (N06: Accepted or NotFound); returns how many were stored. */
export async function removeMonitors(
  db: Kysely<Database>,
  stationId: string,
  monitorIds: readonly number[],
): Promise<number> {
  if (monitorIds.length === 0) return 0;
  const result = await db
    .deleteFrom('variable_monitors')
    .where('station_id', '=', stationId)
    .where('monitor_id', 'in', [...monitorIds])
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A filter of the stored monitors (combined with AND). */
export interface MonitorFilter {
  readonly componentName?: string;
  readonly variableName?: string;
  readonly evseId?: number;
  readonly types?: readonly string[];
  readonly source?: MonitorSource;
}

/** A station's monitors matching `filter`, by monitor id, after `afterId`, at most `limit`. */
export function listMonitors(
  db: Kysely<Database>,
  stationId: string,
  filter: MonitorFilter,
  afterId: number | undefined,
  limit: number,
): Promise<VariableMonitorRow[]> {
  let query = db.selectFrom('variable_monitors').selectAll().where('station_id', '=', stationId);
  if (filter.componentName !== undefined) query = query.where('component_name', '=', filter.componentName);
  if (filter.variableName !== undefined) query = query.where('variable_name', '=', filter.variableName);
  if (filter.evseId !== undefined) query = query.where('evse_id', '=', filter.evseId);
  if (filter.types !== undefined && filter.types.length > 0)
    query = query.where('type', 'in', [...filter.types]);
  if (filter.source !== undefined) query = query.where('source', '=', filter.source);
  if (afterId !== undefined) query = query.where('monitor_id', '>', afterId);
  return query.orderBy('monitor_id').limit(limit).execute();
}

/** The stored monitors of a station with these ids (for the events that name them). */
export async function findMonitors(
  db: Kysely<Database>,
  stationId: string,
  monitorIds: readonly number[],
): Promise<VariableMonitorRow[]> {
  if (monitorIds.length === 0) return [];
  return db
    .selectFrom('variable_monitors')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('monitor_id', 'in', [...new Set(monitorIds)])
    .execute();
}

/**
 * Records what kind of monitor the station said these are (NotifyEvent eventNotificationType HardWiredMonitor,
 * PreconfiguredMonitor or CustomMonitor). One statement per kind; only rows of another kind change.
 */
export async function recordMonitorKinds(
  db: Kysely<Database>,
  stationId: string,
  kinds: ReadonlyMap<number, MonitorKind>,
): Promise<void> {
  const byKind = new Map<MonitorKind, number[]>();
  for (const [id, kind] of kinds) byKind.set(kind, [...(byKind.get(kind) ?? []), id]);
  for (const [kind, ids] of byKind)
    await db
      .updateTable('variable_monitors')
      .set({ kind })
      .where('station_id', '=', stationId)
      .where('monitor_id', 'in', ids)
      .where((eb) => eb.or([eb('kind', 'is', null), eb('kind', '<>', kind)]))
      .execute();
}
