import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { lockStation } from '../stations/stations.js';
import type { QueuedCommandRow } from './schema.js';

/**
 * Durable queue of CSMS-initiated commands for offline stations (`queued_commands`). The station's
 * actor is the only writer of a station's rows apart from the lazy expiry in {@link findQueuedCommand};
 * every transition is a conditional update on the current status, so two writers can never both win.
 * Times are the database's `now()`, so every process agrees on what has expired.
 */

export interface NewQueuedCommand {
  readonly stationId: string;
  readonly action: string;
  readonly payload: Record<string, unknown>;
  /** The OCPP version the payload was validated for. */
  readonly ocppVersion: string;
  /** CALL timeout for the delivery (undefined: the worker's default). */
  readonly timeoutMs?: number | undefined;
  /** Time to live from now (ms). */
  readonly ttlMs: number;
  /** Most unexpired `queued` commands the station may have; beyond it nothing is inserted. */
  readonly limit: number;
}

export type EnqueueResult =
  | { readonly queued: true; readonly row: QueuedCommandRow }
  | { readonly queued: false; readonly reason: 'queue-full' | 'unknown-station' };

/**
 * Queues a command unless the station already has `limit` unexpired ones queued. Runs in `db` when it
 * is a transaction (the caller's fence check then covers it), else in a transaction of its own.
 */
export async function enqueueCommand(
  db: Kysely<Database>,
  command: NewQueuedCommand,
): Promise<EnqueueResult> {
  const run = async (trx: Kysely<Database>): Promise<EnqueueResult> => {
    // Locking the station row serialises the enqueues of one station (across processes too), so the
    // count below stays true until the insert commits.
    if (!(await lockStation(trx, command.stationId))) return { queued: false, reason: 'unknown-station' };
    const { n } = await trx
      .selectFrom('queued_commands')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('station_id', '=', command.stationId)
      .where('status', '=', 'queued')
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirstOrThrow();
    if (Number(n) >= command.limit) return { queued: false, reason: 'queue-full' };
    const row = await trx
      .insertInto('queued_commands')
      .values({
        station_id: command.stationId,
        action: command.action,
        payload: JSON.stringify(command.payload),
        ocpp_version: command.ocppVersion,
        timeout_ms: command.timeoutMs ?? null,
        status: 'queued',
        expires_at: sql<Date>`now() + ${Math.round(command.ttlMs)}::bigint * interval '1 millisecond'`,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { queued: true, row };
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** Whether the station has commands `queued` (expired or not) or `delivering`: a cheap check before a delivery. */
export async function hasPendingQueuedCommands(db: Kysely<Database>, stationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('queued_commands')
    .select('id')
    .where('station_id', '=', stationId)
    .where('status', 'in', ['queued', 'delivering'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Every command of a station in queue order, whatever its status, as stored (no lazy expiry, unlike
 * {@link findQueuedCommand}): what tests and tooling inspect.
 */
export async function listStationQueuedCommands(
  db: Kysely<Database>,
  stationId: string,
): Promise<QueuedCommandRow[]> {
  return db
    .selectFrom('queued_commands')
    .selectAll()
    .where('station_id', '=', stationId)
    .orderBy('id')
    .execute();
}

/** The station's oldest queued command that has not expired, if any. */
export async function nextQueuedCommand(
  db: Kysely<Database>,
  stationId: string,
): Promise<QueuedCommandRow | undefined> {
  return db
    .selectFrom('queued_commands')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('status', '=', 'queued')
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Claims a queued, unexpired command for delivery (`queued` → `delivering`). Atomic: of two claimants
 * (e.g. a former and a new owner of the station) at most one gets the row; undefined for the other.
 */
export async function claimQueuedCommand(
  db: Kysely<Database>,
  id: string,
): Promise<QueuedCommandRow | undefined> {
  return db
    .updateTable('queued_commands')
    .set({ status: 'delivering', updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .where('expires_at', '>', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
}

/** Records how a delivery ended (`delivering` → `done` / `failed`); false when the row was not delivering. */
export async function finishQueuedCommand(
  db: Kysely<Database>,
  id: string,
  status: 'done' | 'failed',
  outcome: unknown,
): Promise<boolean> {
  const r = await db
    .updateTable('queued_commands')
    .set({ status, outcome: JSON.stringify(outcome), updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'delivering')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Puts a claimed command back (`delivering` → `queued`) when it provably did not reach the station. */
export async function requeueCommand(db: Kysely<Database>, id: string): Promise<boolean> {
  const r = await db
    .updateTable('queued_commands')
    .set({ status: 'queued', updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'delivering')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Marks the station's queued commands whose time has passed `expired`; returns them. */
export async function expireQueuedCommands(
  db: Kysely<Database>,
  stationId: string,
): Promise<QueuedCommandRow[]> {
  return db
    .updateTable('queued_commands')
    .set({ status: 'expired', updated_at: sql<Date>`now()` })
    .where('station_id', '=', stationId)
    .where('status', '=', 'queued')
    .where('expires_at', '<=', sql<Date>`now()`)
    .returningAll()
    .execute();
}

/**
 * Ends the station's `delivering` rows as `failed` with `outcome`: deliveries a previous activation
 * of the station's actor (a crashed or fenced-out worker) began but never recorded. Their CALL may
 * have reached the station, so they are not sent again.
 */
export async function failInterruptedDeliveries(
  db: Kysely<Database>,
  stationId: string,
  outcome: unknown,
): Promise<QueuedCommandRow[]> {
  return db
    .updateTable('queued_commands')
    .set({ status: 'failed', outcome: JSON.stringify(outcome), updated_at: sql<Date>`now()` })
    .where('station_id', '=', stationId)
    .where('status', '=', 'delivering')
    .returningAll()
    .execute();
}

const MAX_BIGINT = 9223372036854775807n;

/**
 * One queued command by id (undefined for an unknown or malformed id). A `queued` row whose time has
 * passed is marked `expired` first, so readers never see a command as waiting that will not be sent.
 */
export async function findQueuedCommand(
  db: Kysely<Database>,
  id: string,
): Promise<QueuedCommandRow | undefined> {
  if (!/^[1-9][0-9]{0,18}$/.test(id) || BigInt(id) > MAX_BIGINT) return undefined;
  await db
    .updateTable('queued_commands')
    .set({ status: 'expired', updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute();
  return db.selectFrom('queued_commands').selectAll().where('id', '=', id).executeTakeFirst();
}
