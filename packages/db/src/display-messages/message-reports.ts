import type { PrunedTable } from '../prune-batch.js';
import type { V201 } from '@csms/ocpp';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { upsertDisplayMessage } from './display-messages.js';
import type { DisplayMessageCriteria, DisplayMessageRequestRow } from './schema.js';

/**
 * The reports of display messages (O03/O04): a GetDisplayMessagesRequest asks a station for its messages matching
 * criteria; it answers Accepted and sends them in NotifyDisplayMessagesRequests with the request's requestId
 * (O03.FR.05, O04.FR.06) and tbc on every part but the last (O03.FR.04, O04.FR.05), or answers Unknown when none
 * match (O03.FR.06, O04.FR.02). The station's report is the truth for its request's criteria: every reported
 * message is written to the catalogue as reported, and once the report is whole the catalogue's messages matching
 * the criteria that the station did not report are removed (unless confirmed after the request was made: a
 * message set meanwhile).
 */

/**
 * Records a GetDisplayMessagesRequest about to be sent, with its criteria, so that its report can be reconciled.
 * False when this station already has a request with that requestId (pick another).
 */
export async function startDisplayMessageRequest(
  db: Kysely<Database>,
  stationId: string,
  requestId: number,
  criteria: DisplayMessageCriteria,
): Promise<boolean> {
  const result = await db
    .insertInto('display_message_requests')
    .values({
      station_id: stationId,
      request_id: requestId,
      criteria: JSON.stringify(criteria),
      complete: false,
    })
    .onConflict((oc) => oc.columns(['station_id', 'request_id']).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** A station's request with that requestId, if recorded. */
export function findDisplayMessageRequest(
  db: Kysely<Database>,
  stationId: string,
  requestId: number,
): Promise<DisplayMessageRequestRow | undefined> {
  return db
    .selectFrom('display_message_requests')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('request_id', '=', requestId)
    .executeTakeFirst();
}

/**
 * Records the station's GetDisplayMessagesResponse. Unknown means it holds no message matching the criteria
 * (O03.FR.06, O04.FR.02) and sends no report: the matching messages leave the catalogue and the request is
 * complete. Run it in a transaction.
 */
export async function recordDisplayMessagesAnswer(
  db: Kysely<Database>,
  stationId: string,
  requestId: number,
  status: V201.GetDisplayMessagesStatusEnumType,
): Promise<void> {
  const row = await db
    .updateTable('display_message_requests')
    .set({ status })
    .where('station_id', '=', stationId)
    .where('request_id', '=', requestId)
    .returningAll()
    .executeTakeFirst();
  if (row && status === 'Unknown' && !row.complete) await reconcile(db, row);
}

/** One NotifyDisplayMessagesRequest as a station sent it. */
export interface DisplayMessagesPart {
  readonly stationId: string;
  readonly requestId: number;
  readonly messages: readonly V201.MessageInfoType[];
  /** More parts follow (O03.FR.04). */
  readonly tbc: boolean;
}

/**
 * Stores one part of a report in the catalogue; on its last part (tbc false) reconciles the catalogue with the
 * whole report for the request's criteria, once (a retried last part changes nothing more). A report for a
 * requestId the CSMS did not record (a GetDisplayMessagesRequest sent another way) has unknown criteria: its
 * messages are written, nothing is removed. Run it in the CALL's transaction.
 */
export async function storeDisplayMessagesPart(
  db: Kysely<Database>,
  part: DisplayMessagesPart,
): Promise<void> {
  for (const message of part.messages)
    await upsertDisplayMessage(db, part.stationId, message, part.requestId);
  if (part.tbc) return;
  await db
    .insertInto('display_message_requests')
    .values({ station_id: part.stationId, request_id: part.requestId, criteria: null, complete: false })
    .onConflict((oc) => oc.columns(['station_id', 'request_id']).doNothing())
    .execute();
  const request = await db
    .selectFrom('display_message_requests')
    .selectAll()
    .where('station_id', '=', part.stationId)
    .where('request_id', '=', part.requestId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (!request.complete) await reconcile(db, request);
}

/**
 * Marks the request complete and, when its criteria are known, removes the catalogue's messages matching them that
 * the report did not confirm and that were confirmed before the request was made.
 */
async function reconcile(db: Kysely<Database>, request: DisplayMessageRequestRow): Promise<void> {
  const criteria = request.criteria;
  if (criteria !== null) {
    let stale = db
      .deleteFrom('display_messages')
      .where('station_id', '=', request.station_id)
      .where((eb) =>
        eb(
          'confirm_seq',
          '<',
          eb
            .selectFrom('display_message_requests as r')
            .select('r.seq')
            .where('r.station_id', '=', request.station_id)
            .where('r.request_id', '=', request.request_id),
        ),
      )
      .where((eb) => eb.or([eb('request_id', 'is', null), eb('request_id', '<>', request.request_id)]));
    if (criteria.id !== undefined && criteria.id.length > 0)
      stale = stale.where('message_id', 'in', [...criteria.id]);
    if (criteria.priority !== undefined) stale = stale.where('priority', '=', criteria.priority);
    if (criteria.state !== undefined) stale = stale.where('state', '=', criteria.state);
    await stale.execute();
  }
  await db
    .updateTable('display_message_requests')
    .set({ complete: true })
    .where('station_id', '=', request.station_id)
    .where('request_id', '=', request.request_id)
    .execute();
}

/** History of this domain the retention sweep prunes: the bookkeeping of old GetDisplayMessages requests. */
export const DISPLAY_MESSAGE_HISTORY: readonly PrunedTable[] = [
  { table: 'display_message_requests', column: 'created_at' },
];
