import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { TariffPrices } from './cost.js';
import type { TariffRow } from './schema.js';

/** A tariff as the domain reads and writes it (numbers, not the numeric columns' strings). */
export interface Tariff extends TariffPrices {
  readonly id: string;
  readonly displayText: string;
  /** Language (RFC 5646) → text. */
  readonly displayTexts: Readonly<Record<string, string>>;
  readonly stationId: string | null;
  readonly evseId: number | null;
  readonly idTokenGroup: string | null;
  readonly createdAt?: Date;
  readonly updatedAt?: Date;
}

/** The fields an update may change (the scope is fixed: delete and create to move a tariff). */
export type TariffChanges = Partial<
  Pick<Tariff, 'currency' | 'pricePerKwh' | 'pricePerHour' | 'flatFee' | 'taxRatePercent' | 'displayText'>
> & { readonly displayTexts?: Readonly<Record<string, string>> };

/** PostgreSQL SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** How long a process trusts its last look at whether any tariff exists (ms). */
const TARIFFS_LOOK_MS = 5_000;
/** Bumped by every tariff write of this process: its own changes are seen at once. */
let tariffWrites = 0;
const tariffsLook = new WeakMap<
  object,
  { readonly until: number; readonly writes: number; readonly defined: boolean }
>();

/**
 * Whether any tariff is defined, read at most once per {@link TARIFFS_LOOK_MS} per database handle and its
 * transactions: without tariffs (a CSMS that does not price charging) Authorize and TransactionEvent pay no tariff
 * reads. A tariff written by this process is seen at once, one written by another process (the transaction
 * service) within that time.
 */
export async function anyTariffDefined(db: Kysely<Database>): Promise<boolean> {
  // Keyed by the handle's adapter, which its transactions share (a CALL's `db` is a new transaction object).
  const key = db.getExecutor().adapter;
  const last = tariffsLook.get(key);
  if (last !== undefined && last.until > Date.now() && last.writes === tariffWrites) return last.defined;
  // Only an answer is shared, never a look still on its way: that look runs on another connection or transaction
  // than the caller's, and on a one-connection database (PGlite) a transaction awaiting a look queued behind itself
  // would wait forever.
  const writes = tariffWrites;
  const until = Date.now() + TARIFFS_LOOK_MS;
  const defined = (await db.selectFrom('tariffs').select('id').limit(1).executeTakeFirst()) !== undefined;
  tariffsLook.set(key, { until, writes, defined });
  return defined;
}

/**
 * Stores a new tariff; `exists` when its id or its scope is taken (one tariff per scope), `no-station` when
 * its station is not registered.
 */
export async function createTariff(
  db: Kysely<Database>,
  tariff: Tariff,
): Promise<{ created: Tariff } | { refused: 'id-exists' | 'scope-exists' | 'no-station' }> {
  try {
    const row = await db
      .insertInto('tariffs')
      .values({
        id: tariff.id,
        ...priceColumns(tariff),
        display_text: tariff.displayText,
        display_texts: JSON.stringify(tariff.displayTexts),
        station_id: tariff.stationId,
        evse_id: tariff.evseId,
        id_token_group: tariff.idTokenGroup,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    tariffWrites += 1;
    return { created: tariffOf(row) };
  } catch (error) {
    const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
    if (e.code === UNIQUE_VIOLATION)
      return { refused: String(e.constraint ?? e.message).includes('scope') ? 'scope-exists' : 'id-exists' };
    if (e.code === '23503') return { refused: 'no-station' };
    throw error;
  }
}

/** Changes a tariff; undefined when there is none with that id. */
export async function updateTariff(
  db: Kysely<Database>,
  id: string,
  changes: TariffChanges,
): Promise<Tariff | undefined> {
  const row = await db
    .updateTable('tariffs')
    .set({
      ...priceColumns(changes),
      ...(changes.displayText !== undefined ? { display_text: changes.displayText } : {}),
      ...(changes.displayTexts !== undefined ? { display_texts: JSON.stringify(changes.displayTexts) } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  tariffWrites += 1;
  return row && tariffOf(row);
}

export async function deleteTariff(db: Kysely<Database>, id: string): Promise<boolean> {
  const r = await db.deleteFrom('tariffs').where('id', '=', id).executeTakeFirst();
  tariffWrites += 1;
  return r.numDeletedRows > 0n;
}

export async function findTariff(db: Kysely<Database>, id: string): Promise<Tariff | undefined> {
  const row = await db.selectFrom('tariffs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && tariffOf(row);
}

export interface TariffQuery {
  readonly limit: number;
  /** Only the tariffs scoped to this station. */
  readonly stationId?: string;
  /** Keyset: ids after this one (ordered by id). */
  readonly afterId?: string;
}

export async function listTariffs(db: Kysely<Database>, query: TariffQuery): Promise<Tariff[]> {
  let q = db.selectFrom('tariffs').selectAll();
  if (query.stationId !== undefined) q = q.where('station_id', '=', query.stationId);
  if (query.afterId !== undefined) q = q.where('id', '>', query.afterId);
  const rows = await q.orderBy('id').limit(query.limit).execute();
  return rows.map(tariffOf);
}

/** Where a tariff is looked up for: a station, optionally an EVSE of it and the driver's id-token group. */
export interface TariffScope {
  readonly stationId: string;
  readonly evseId?: number | null;
  readonly idTokenGroup?: string | null;
}

/**
 * The tariff that applies, most specific first: the id-token group's, then the station's EVSE's, then the
 * station's, then the default; undefined when none does. One statement.
 */
export async function findApplicableTariff(
  db: Kysely<Database>,
  scope: TariffScope,
): Promise<Tariff | undefined> {
  const group = scope.idTokenGroup ?? null;
  const evse = scope.evseId ?? null;
  const row = await db
    .selectFrom('tariffs')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('station_id', 'is', null), eb('id_token_group', 'is', null)]),
        eb.and([
          eb('station_id', '=', scope.stationId),
          evse === null
            ? eb('evse_id', 'is', null)
            : eb.or([eb('evse_id', 'is', null), eb('evse_id', '=', evse)]),
        ]),
        ...(group !== null ? [eb('id_token_group', '=', group)] : []),
      ]),
    )
    .orderBy(
      sql`case when id_token_group is not null then 0 when evse_id is not null then 1
        when station_id is not null then 2 else 3 end`,
    )
    .limit(1)
    .executeTakeFirst();
  return row && tariffOf(row);
}

/**
 * For a caller that does not know the driver's group yet: the tariff that applies without a group (station EVSE,
 * station, default) and whether any group tariff exists (only then is the group worth looking up). One statement:
 * the best row of each kind (`distinct on`).
 */
export async function findTariffWithoutGroup(
  db: Kysely<Database>,
  scope: Omit<TariffScope, 'idTokenGroup'>,
): Promise<{ readonly tariff?: Tariff; readonly groupTariffs: boolean }> {
  const evse = scope.evseId ?? null;
  const grouped = sql<boolean>`(id_token_group is not null)`;
  const rows = await db
    .selectFrom('tariffs')
    .distinctOn(grouped)
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('id_token_group', 'is not', null),
        eb.and([eb('station_id', 'is', null), eb('id_token_group', 'is', null)]),
        eb.and([
          eb('station_id', '=', scope.stationId),
          evse === null
            ? eb('evse_id', 'is', null)
            : eb.or([eb('evse_id', 'is', null), eb('evse_id', '=', evse)]),
        ]),
      ]),
    )
    .orderBy(grouped)
    .orderBy(sql`case when evse_id is not null then 1 when station_id is not null then 2 else 3 end`)
    .execute();
  const best = rows.find((r) => r.id_token_group === null);
  return {
    ...(best ? { tariff: tariffOf(best) } : {}),
    groupTariffs: rows.some((r) => r.id_token_group !== null),
  };
}

function priceColumns(p: Partial<TariffPrices>) {
  return {
    ...(p.currency !== undefined ? { currency: p.currency } : {}),
    ...(p.pricePerKwh !== undefined ? { price_per_kwh: p.pricePerKwh } : {}),
    ...(p.pricePerHour !== undefined ? { price_per_hour: p.pricePerHour } : {}),
    ...(p.flatFee !== undefined ? { flat_fee: p.flatFee } : {}),
    ...(p.taxRatePercent !== undefined ? { tax_rate_percent: p.taxRatePercent } : {}),
  } as {
    currency: string;
    price_per_kwh: number;
    price_per_hour: number;
    flat_fee: number;
    tax_rate_percent: number;
  };
}

function tariffOf(row: TariffRow): Tariff {
  return {
    id: row.id,
    currency: row.currency,
    pricePerKwh: Number(row.price_per_kwh),
    pricePerHour: Number(row.price_per_hour),
    flatFee: Number(row.flat_fee),
    taxRatePercent: Number(row.tax_rate_percent),
    displayText: row.display_text,
    displayTexts: row.display_texts,
    stationId: row.station_id,
    evseId: row.evse_id,
    idTokenGroup: row.id_token_group,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
