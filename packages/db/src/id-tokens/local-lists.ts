import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { LocalAuthListEntryRow, LocalAuthListEntryStatus } from './schema.js';

/**
 * The local authorization list each station accepted (1.6 §5.15 / 2.0.1 D01-D02): its version and its
 * entries, as the auth service stores them once the station answered a SendLocalList with Accepted.
 */

/** An entry to store; `status` undefined = remove the token (differential update). */
export interface LocalListChange {
  readonly idToken: string;
  readonly type: string | null;
  readonly status: LocalAuthListEntryStatus | undefined;
  readonly expiresAt: Date | null;
  readonly groupId: string | null;
}

export interface StoredLocalList {
  /** 0 = no list. */
  readonly version: number;
  readonly updatedAt: Date | undefined;
}

/** The stored local list version of a station (0 when none was ever accepted). */
export async function storedListVersion(db: Kysely<Database>, stationId: string): Promise<StoredLocalList> {
  const row = await db
    .selectFrom('local_auth_lists')
    .select(['version', 'updated_at'])
    .where('station_id', '=', stationId)
    .executeTakeFirst();
  return { version: row?.version ?? 0, updatedAt: row?.updated_at };
}

export async function storedListEntries(
  db: Kysely<Database>,
  stationId: string,
): Promise<LocalAuthListEntryRow[]> {
  return db
    .selectFrom('local_auth_list_entries')
    .selectAll()
    .where('station_id', '=', stationId)
    .orderBy('id_token')
    .execute();
}

/**
 * Stores the update the station accepted, moving the version from `fromVersion` to `toVersion` in one
 * transaction. False (nothing stored) when the stored version is no longer `fromVersion`: another update
 * of the same list committed in between.
 */
export async function commitListUpdate(
  db: Kysely<Database>,
  update: {
    readonly stationId: string;
    readonly fromVersion: number;
    readonly toVersion: number;
    readonly full: boolean;
    readonly entries: readonly LocalListChange[];
  },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const { stationId } = update;
    // Locks the list's row (or, for the first version, claims it by inserting) so that two updates of
    // one station serialise here and the loser sees the version moved on.
    if (update.fromVersion === 0) {
      const inserted = await trx
        .insertInto('local_auth_lists')
        .values({ station_id: stationId, version: update.toVersion })
        .onConflict((oc) => oc.column('station_id').doNothing())
        .returning('version')
        .executeTakeFirst();
      if (!inserted) {
        const moved = await trx
          .updateTable('local_auth_lists')
          .set({ version: update.toVersion, updated_at: sql<Date>`now()` })
          .where('station_id', '=', stationId)
          .where('version', '=', 0)
          .executeTakeFirst();
        if (moved.numUpdatedRows === 0n) return false;
      }
    } else {
      const moved = await trx
        .updateTable('local_auth_lists')
        .set({ version: update.toVersion, updated_at: sql<Date>`now()` })
        .where('station_id', '=', stationId)
        .where('version', '=', update.fromVersion)
        .executeTakeFirst();
      if (moved.numUpdatedRows === 0n) return false;
    }
    if (update.full)
      await trx.deleteFrom('local_auth_list_entries').where('station_id', '=', stationId).execute();
    const removed = update.entries.filter((e) => e.status === undefined).map((e) => e.idToken);
    if (removed.length > 0)
      await trx
        .deleteFrom('local_auth_list_entries')
        .where('station_id', '=', stationId)
        .where('id_token', 'in', removed)
        .execute();
    const rows = update.entries.flatMap((e) =>
      e.status === undefined
        ? []
        : [
            {
              station_id: stationId,
              id_token: e.idToken,
              type: e.type,
              status: e.status,
              expires_at: e.expiresAt,
              group_id: e.groupId,
            },
          ],
    );
    if (rows.length > 0)
      await trx
        .insertInto('local_auth_list_entries')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['station_id', 'id_token']).doUpdateSet((eb) => ({
            type: eb.ref('excluded.type'),
            status: eb.ref('excluded.status'),
            expires_at: eb.ref('excluded.expires_at'),
            group_id: eb.ref('excluded.group_id'),
          })),
        )
        .execute();
    return true;
  });
}
