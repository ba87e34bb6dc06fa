import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Campaign commands a station replaced with a newer one of the same kind. A station that answers a new
 * UpdateFirmware / SignedUpdateFirmware / GetLog with AcceptedCanceled canceled the update or upload in progress
 * to take the new one (2.0.1 L01.FR.24, L02.FR.15, N01.FR.12; 1.6 security whitepaper L01.FR.26, N01.FR.11), and
 * a log upload it canceled is also reported by LogStatusNotification AcceptedCanceled (2.0.1 N01.FR.20).
 */

/** A command that superseded the station's earlier ones of the same kind. */
export interface SupersedingCommand {
  /** The `campaign_stations` row of the new command (its station is the one whose earlier rows end). */
  readonly rowId: string;
  /** The actions of the commands it supersedes (e.g. UpdateFirmware and SignedUpdateFirmware). */
  readonly actions: readonly string[];
  /** Stored on the rows it ends; names the superseding request. */
  readonly reason: string;
}

/**
 * Ends as `canceled` (with the reason given) the rows of the new command's station, in any campaign, whose
 * command is one of `actions`, is still in progress (`sent` / `accepted`) and was sent before the new one.
 * Final rows (the station already reported, e.g. DownloadFailed) stay as they are. Returns the campaigns
 * touched, to be completed when nothing else is pending.
 */
export async function cancelSupersededCommands(
  db: Kysely<Database>,
  command: SupersedingCommand,
): Promise<string[]> {
  if (command.actions.length === 0) return [];
  const rows = await db
    .updateTable('campaign_stations as earlier')
    .from('campaign_stations as newer')
    .set({ status: 'canceled', reason: command.reason, updated_at: sql`now()` })
    .where('newer.id', '=', command.rowId)
    .whereRef('earlier.station_id', '=', 'newer.station_id')
    .where('earlier.action', 'in', command.actions)
    .where('earlier.status', 'in', ['sent', 'accepted'])
    // Earlier than the new command's own claim: a command claimed later (another campaign's, still on its way
    // to the station) is not one the station can have canceled.
    .whereRef('earlier.sent_at', '<', 'newer.sent_at')
    .returning('earlier.campaign_id')
    .execute();
  return [...new Set(rows.map((r) => r.campaign_id))];
}

/** The command sent to a row's station right after it (the one that can have superseded it). */
export interface LaterCommand {
  readonly id: string;
  readonly campaign_id: string;
  readonly action: string | null;
  readonly request_id: number | null;
}

/**
 * The first command of `actions` sent to the row's station after the row's own, in any campaign: the one the
 * station canceled the row's command for when it reports AcceptedCanceled on it. Undefined when there is none
 * (the new request did not come from a campaign).
 */
export function findNextCommand(
  db: Kysely<Database>,
  rowId: string,
  actions: readonly string[],
): Promise<LaterCommand | undefined> {
  if (actions.length === 0) return Promise.resolve(undefined);
  return db
    .selectFrom('campaign_stations as later')
    .innerJoin('campaign_stations as row', (join) =>
      join.onRef('later.station_id', '=', 'row.station_id').onRef('later.sent_at', '>', 'row.sent_at'),
    )
    .select(['later.id', 'later.campaign_id', 'later.action', 'later.request_id'])
    .where('row.id', '=', rowId)
    .where('later.action', 'in', actions)
    .orderBy('later.sent_at')
    .orderBy('later.id')
    .limit(1)
    .executeTakeFirst();
}
