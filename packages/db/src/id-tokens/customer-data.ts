import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { LocalAuthListEntryRow } from './schema.js';

/** A token's entry on a station's stored local list, with that list's version. */
export type StationListEntryRow = LocalAuthListEntryRow & { readonly version: number };

/**
 * The entries of `idToken` on the stored local authorization lists of every station, ordered by station: what
 * the CSMS holds about a customer besides the id token record (2.0.1 N09 / N10).
 */
export async function localListEntriesOfIdToken(
  db: Kysely<Database>,
  idToken: string,
): Promise<StationListEntryRow[]> {
  return db
    .selectFrom('local_auth_list_entries as e')
    .leftJoin('local_auth_lists as l', 'l.station_id', 'e.station_id')
    .selectAll('e')
    .select((eb) => eb.fn.coalesce('l.version', eb.lit(0)).as('version'))
    .where('e.id_token', '=', idToken)
    .orderBy('e.station_id')
    .execute();
}
