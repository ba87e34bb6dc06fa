import type { V201 } from '@csms/ocpp';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { MonitorKind, MonitoringSettingsRow } from './schema.js';

/**
 * The monitoring base (N03) and level (N05) of 2.0.1 stations (`monitoring_settings`), written when the station
 * answers Accepted; any other answer leaves them unchanged.
 */

/**
 * Records a monitoring base the station accepted (N03.FR.01) and drops the monitors it no longer has: FactoryDefault
 * deletes every custom monitor, overruled preconfigured ones included (N03.FR.04), HardWiredOnly every custom and
 * preconfigured one (N03.FR.05); All leaves them (N03.FR.03). A monitor whose kind the CSMS does not know is not
 * confirmed to remain after FactoryDefault or HardWiredOnly and is dropped too (a refresh reports it again). Run it
 * in a transaction. Returns how many monitors were dropped.
 */
export async function recordMonitoringBase(
  db: Kysely<Database>,
  stationId: string,
  base: V201.MonitoringBaseEnumType,
): Promise<number> {
  await db
    .insertInto('monitoring_settings')
    .values({ station_id: stationId, monitoring_base: base, monitoring_base_at: sql<Date>`now()` })
    .onConflict((oc) =>
      oc.column('station_id').doUpdateSet({
        monitoring_base: base,
        monitoring_base_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
  if (base === 'All') return 0;
  const result = await db
    .deleteFrom('variable_monitors')
    .where('station_id', '=', stationId)
    .where((eb) => eb.or([eb('kind', 'is', null), eb('kind', 'not in', keptBy(base))]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The monitor kinds a monitoring base other than All keeps (N03.FR.04 / N03.FR.05). */
function keptBy(base: 'FactoryDefault' | 'HardWiredOnly'): MonitorKind[] {
  return base === 'FactoryDefault' ? ['HardWiredMonitor', 'PreconfiguredMonitor'] : ['HardWiredMonitor'];
}

/** How many stored monitors {@link recordMonitoringBase} would drop for `base` now. */
export async function monitorsDroppedBy(
  db: Kysely<Database>,
  stationId: string,
  base: V201.MonitoringBaseEnumType,
): Promise<number> {
  if (base === 'All') return 0;
  const row = await db
    .selectFrom('variable_monitors')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('station_id', '=', stationId)
    .where((eb) => eb.or([eb('kind', 'is', null), eb('kind', 'not in', keptBy(base))]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Records a monitoring level (severity 0..9) the station accepted (N05.FR.01). */
export async function recordMonitoringLevel(
  db: Kysely<Database>,
  stationId: string,
  severity: number,
): Promise<void> {
  await db
    .insertInto('monitoring_settings')
    .values({ station_id: stationId, monitoring_level: severity, monitoring_level_at: sql<Date>`now()` })
    .onConflict((oc) =>
      oc.column('station_id').doUpdateSet({
        monitoring_level: severity,
        monitoring_level_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
}

/** The station's monitoring base and level as last accepted, if any was. */
export function findMonitoringSettings(
  db: Kysely<Database>,
  stationId: string,
): Promise<MonitoringSettingsRow | undefined> {
  return db
    .selectFrom('monitoring_settings')
    .selectAll()
    .where('station_id', '=', stationId)
    .executeTakeFirst();
}
