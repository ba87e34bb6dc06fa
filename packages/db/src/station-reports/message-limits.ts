import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** One learned limit of a station (see `station_message_limits`). */
export interface StoredMessageLimit {
  readonly name: string;
  /** null: asked or answered about, no usable value. */
  readonly value: number | null;
  readonly updatedAt: Date;
}

/**
 * A limit to store: its name, value (null = not reported) and how it was learned: from an answer passing through
 * the API, by asking the station, or from the size it took after refusing a larger message (CALLERROR).
 */
export interface MessageLimitWrite {
  readonly name: string;
  readonly value: number | null;
  readonly source: 'answer' | 'asked' | 'refused';
}

/**
 * The stored limits of `names` for a station (absent names were never learned), learned since `since` when given
 * (the station's last firmware change: what it told before may no longer hold).
 */
export async function storedMessageLimits(
  db: Kysely<Database>,
  stationId: string,
  names: readonly string[],
  since?: Date,
): Promise<StoredMessageLimit[]> {
  if (names.length === 0) return [];
  let query = db
    .selectFrom('station_message_limits')
    .select(['name', 'value', 'updated_at'])
    .where('station_id', '=', stationId)
    .where('name', 'in', [...names]);
  if (since !== undefined) query = query.where('updated_at', '>=', since);
  const rows = await query.execute();
  return rows.map((r) => ({ name: r.name, value: r.value, updatedAt: r.updated_at }));
}

/**
 * Stores limits of a station (newer values replace older ones). A station that no longer exists is skipped
 * (the insert selects it), so a deletion racing with an answer is no error.
 */
export async function saveMessageLimits(
  db: Kysely<Database>,
  stationId: string,
  limits: readonly MessageLimitWrite[],
): Promise<void> {
  for (const limit of limits) {
    await db
      .insertInto('station_message_limits')
      .columns(['station_id', 'name', 'value', 'source'])
      .expression(
        db
          .selectFrom('stations')
          .select([
            'id',
            sql<string>`${limit.name}::text`.as('name'),
            sql<number | null>`${limit.value}::integer`.as('value'),
            sql<string>`${limit.source}::text`.as('source'),
          ])
          .where('id', '=', stationId),
      )
      .onConflict((oc) =>
        oc.columns(['station_id', 'name']).doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          source: eb.ref('excluded.source'),
          updated_at: sql`now()`,
        })),
      )
      .execute();
  }
}

/** A device model variable of a 2.0.1 station (component and variable names, optional variable instance). */
export interface DeviceVariableRef {
  readonly component: string;
  readonly variable: string;
  readonly instance?: string;
}

/** The Actual value a NotifyReport gave for a variable (undefined: reported without a value). */
export interface ReportedVariableValue {
  readonly ref: DeviceVariableRef;
  readonly value: string | undefined;
  readonly reportedAt: Date;
}

/** How many report parts are searched for the variables, newest first. */
const REPORT_PARTS_SEARCHED = 20;

/**
 * The newest reported Actual value of each variable in the station's stored NotifyReport parts (B07/B08
 * reportData: component, variable, variableAttribute[]), received since `since` when given; variables no such
 * report mentions are absent.
 */
export async function reportedVariableValues(
  db: Kysely<Database>,
  stationId: string,
  refs: readonly DeviceVariableRef[],
  since?: Date,
): Promise<ReportedVariableValue[]> {
  if (refs.length === 0) return [];
  const patterns = refs.map((ref) =>
    JSON.stringify([
      {
        component: { name: ref.component },
        variable: { name: ref.variable, ...(ref.instance !== undefined ? { instance: ref.instance } : {}) },
      },
    ]),
  );
  let query = db
    .selectFrom('device_reports')
    .select(['report_data', 'received_at'])
    .where('station_id', '=', stationId)
    .where((eb) => eb.or(patterns.map((p) => eb(sql`report_data`, '@>', sql`${p}::jsonb`))));
  if (since !== undefined) query = query.where('received_at', '>=', since);
  const rows = await query
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(REPORT_PARTS_SEARCHED)
    .execute();
  const found: ReportedVariableValue[] = [];
  for (const ref of refs) {
    for (const row of rows) {
      const entry = (row.report_data as unknown[]).find((e) => matches(e, ref));
      if (entry === undefined) continue;
      found.push({ ref, value: actualValueOf(entry), reportedAt: row.received_at });
      break;
    }
  }
  return found;
}

interface ReportEntry {
  component?: { name?: unknown };
  variable?: { name?: unknown; instance?: unknown };
  variableAttribute?: { type?: unknown; value?: unknown }[];
}

function matches(entry: unknown, ref: DeviceVariableRef): boolean {
  const e = entry as ReportEntry;
  return (
    e.component?.name === ref.component &&
    e.variable?.name === ref.variable &&
    (e.variable.instance ?? undefined) === ref.instance
  );
}

/** The value of the Actual attribute (an attribute without type is Actual, B07). */
function actualValueOf(entry: unknown): string | undefined {
  const attributes = (entry as ReportEntry).variableAttribute ?? [];
  const actual = attributes.find((a) => a.type === undefined || a.type === 'Actual');
  return typeof actual?.value === 'string' ? actual.value : undefined;
}
