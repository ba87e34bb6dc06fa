import type { V201 } from '@csms/ocpp';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { endedTransactionIds } from '../transactions/ended-transactions.js';
import type { DisplayMessageRow } from './schema.js';

/**
 * The display message catalogue of OCPP 2.0.1 stations (`display_messages`, functional block O): what each
 * station confirmed it holds. Messages enter it when the station accepts them (SetDisplayMessageResponse
 * Accepted; any other status leaves it unchanged) or reports them (NotifyDisplayMessages, message-reports.ts), and
 * leave it when the station accepts their clear (O05) or leaves them out of a report that asked for them.
 */

/** Stores a message the station accepted (SetDisplayMessageResponse Accepted, O01/O02/O06); run it in a transaction. */
export async function storeAcceptedDisplayMessage(
  db: Kysely<Database>,
  stationId: string,
  message: V201.MessageInfoType,
): Promise<void> {
  // O01.FR.16 / O02.FR.18: a new AlwaysFront message replaces the one already set.
  if (message.priority === 'AlwaysFront')
    await db
      .deleteFrom('display_messages')
      .where('station_id', '=', stationId)
      .where('priority', '=', 'AlwaysFront')
      .where('message_id', '<>', message.id)
      .execute();
  await upsertDisplayMessage(db, stationId, message, null);
}

/**
 * Writes `message` as the station's message with its id (O06.FR.01: a message with a known id replaces the old one
 * with all its parameters), confirmed now; `requestId` is the report that confirmed it (null: a set).
 */
export async function upsertDisplayMessage(
  db: Kysely<Database>,
  stationId: string,
  message: V201.MessageInfoType,
  requestId: number | null,
): Promise<void> {
  const values = {
    priority: message.priority,
    state: message.state ?? null,
    start_date_time: message.startDateTime ?? null,
    end_date_time: message.endDateTime ?? null,
    transaction_id: message.transactionId ?? null,
    format: message.message.format,
    language: message.message.language ?? null,
    content: message.message.content,
    display: message.display ? JSON.stringify(message.display) : null,
    message: JSON.stringify(message),
    request_id: requestId,
  };
  await db
    .insertInto('display_messages')
    .values({ station_id: stationId, message_id: message.id, ...values })
    .onConflict((oc) =>
      oc.columns(['station_id', 'message_id']).doUpdateSet({
        ...values,
        confirmed_at: sql<Date>`now()`,
        confirm_seq: sql<string>`nextval('display_message_confirmations')`,
      }),
    )
    .execute();
}

/** Removes a message the station cleared (ClearDisplayMessageResponse Accepted, O05). True when it was stored. */
export async function removeDisplayMessage(
  db: Kysely<Database>,
  stationId: string,
  messageId: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('display_messages')
    .where('station_id', '=', stationId)
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** A filter of the catalogue (combined with AND). */
export interface DisplayMessageFilter {
  readonly ids?: readonly number[];
  readonly priority?: string;
  readonly state?: string;
  readonly transactionId?: string;
}

/**
 * A station's messages matching `filter`, by message id, after `afterId`, at most `limit`. Left out: messages whose
 * endDateTime passed (the station removes them then, O01.FR.07 / O02.FR.07) and messages of a transaction the CSMS
 * recorded as ended (O02.FR.02); a refresh from the station removes their rows.
 */
export async function listDisplayMessages(
  db: Kysely<Database>,
  stationId: string,
  filter: DisplayMessageFilter,
  afterId: number | undefined,
  limit: number,
  now: Date = new Date(),
): Promise<DisplayMessageRow[]> {
  const ofTransactions = await db
    .selectFrom('display_messages')
    .select('transaction_id')
    .distinct()
    .where('station_id', '=', stationId)
    .where('transaction_id', 'is not', null)
    .execute();
  const ended = await endedTransactionIds(
    db,
    stationId,
    ofTransactions.map((r) => r.transaction_id!),
  );
  let query = db
    .selectFrom('display_messages')
    .selectAll()
    .where('station_id', '=', stationId)
    .where((eb) => eb.or([eb('end_date_time', 'is', null), eb('end_date_time', '>', now)]));
  if (ended.length > 0)
    query = query.where((eb) =>
      eb.or([eb('transaction_id', 'is', null), eb('transaction_id', 'not in', ended)]),
    );
  if (filter.ids !== undefined && filter.ids.length > 0)
    query = query.where('message_id', 'in', [...filter.ids]);
  if (filter.priority !== undefined) query = query.where('priority', '=', filter.priority);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  if (filter.transactionId !== undefined) query = query.where('transaction_id', '=', filter.transactionId);
  if (afterId !== undefined) query = query.where('message_id', '>', afterId);
  return query.orderBy('message_id').limit(limit).execute();
}
