import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type QueryCreator,
  type RawBuilder,
  type SqlBool,
} from 'kysely';
import { deleteEndedTxProfiles } from '../charging-profiles/profiles.js';
import type { Database } from '../schema.js';
import type { TransactionEndedBy, TransactionRow } from './schema.js';
import { OCPP16, OCPP201 } from './transaction-lookup.js';

/**
 * Transactions the CSMS or an operator ends although the station never reported their end. They get
 * state ended, stop_reason Other (a value of both 1.6 Reason and 2.0.1 ReasonEnumType), `ended_by` and a
 * note; ended_at and meter_stop stay unknown (null) until the station's own stop arrives, which is still
 * recorded (see recordStopTransaction16 and recordTransactionEvent201). Their TxProfiles are forgotten
 * in the same database transaction (K02.FR.05).
 */
function endedSet(endedBy: Exclude<TransactionEndedBy, 'station'>, note: string | RawBuilder<string>) {
  return {
    state: 'ended' as const,
    stop_reason: 'Other',
    ended_by: endedBy,
    end_note: note,
    updated_at: sql<Date>`now()`,
  };
}

/**
 * 1.6: this station's active transactions on the connector that started no later than `before`: a start there
 * supersedes them (they lost their StopTransaction: hard reset §5.14, or dropped after TransactionMessageAttempts
 * §3.7.1), since a connector runs one transaction at a time.
 */
export function supersededBy16(
  eb: ExpressionBuilder<Database, 'transactions'>,
  stationId: string,
  connectorId: number,
  before: Date,
): Expression<SqlBool> {
  return eb.and([
    eb('transactions.station_id', '=', stationId),
    eb('transactions.ocpp_version', '=', OCPP16),
    eb('transactions.connector_id', '=', connectorId),
    eb('transactions.state', '=', 'active'),
    eb('transactions.started_at', '<=', before),
  ]);
}

/** 1.6: ends the transactions a start on the connector supersedes ({@link supersededBy16}). Returns their transactionIds. */
export async function endSupersededTransactions16(
  db: Kysely<Database>,
  stationId: string,
  connectorId: number,
  before: Date,
  newTransactionId: number,
): Promise<number[]> {
  const rows = await db
    .updateTable('transactions')
    .set(endedSet('csms', `superseded by transaction ${newTransactionId} on connector ${connectorId}`))
    .where((eb) => supersededBy16(eb, stationId, connectorId, before))
    .returning('transaction_id')
    .execute();
  for (const row of rows) await deleteEndedTxProfiles(db, stationId, row.transaction_id);
  return rows.map((r) => Number(r.transaction_id));
}

/**
 * 2.0.1: when the event's row (`u`, the `updated` CTE of the statement that applies an event, records-v201.ts) is
 * active on an EVSE, every other active 2.0.1 transaction of the station on that EVSE that started before it lost
 * its Ended event (an EVSE runs one transaction at a time): it is ended. A transaction that started after it is
 * left alone: this one's events are the late ones (queued offline, E04.FR.02), and its own Ended follows them. A
 * data-modifying CTE of that statement (one round trip fewer for a Started event than a statement of its own),
 * returning the ended transactionIds; `supersede` false skips it. Their TxProfiles are the caller's to forget.
 */
export function supersededOnEvse201(
  db: QueryCreator<Database & { updated: TransactionRow }>,
  supersede: unknown,
) {
  return (
    db
      .updateTable('transactions as t')
      .from('updated as u')
      .set(
        endedSet(
          'csms',
          sql<string>`'superseded by transaction ' || u.transaction_id || ' on EVSE ' || u.evse_id`,
        ),
      )
      .where(sql<boolean>`${supersede}::boolean`)
      .where('u.state', '=', 'active')
      .where('u.evse_id', 'is not', null)
      .where('u.started_at', 'is not', null)
      .whereRef('t.station_id', '=', 'u.station_id')
      .where('t.ocpp_version', '=', OCPP201)
      .whereRef('t.evse_id', '=', 'u.evse_id')
      .where('t.state', '=', 'active')
      .whereRef('t.id', '<>', 'u.id')
      // Same start time: the one the CSMS heard of first (lower id) is the older.
      .where((eb) =>
        eb.or([
          eb('t.started_at', '<', eb.ref('u.started_at')),
          eb.and([eb('t.started_at', '=', eb.ref('u.started_at')), eb('t.id', '<', eb.ref('u.id'))]),
        ]),
      )
      .returning('t.transaction_id')
  );
}

export type OperatorEndOutcome =
  | { readonly kind: 'not-found' }
  /** It had ended before (by its station, the CSMS or an operator): nothing changed. */
  | { readonly kind: 'already-ended'; readonly row: TransactionRow }
  | { readonly kind: 'ended'; readonly row: TransactionRow };

/**
 * Ends an active transaction on an operator's word (the EndTransaction API), e.g. one whose station
 * never reported its stop: ended_by operator, end_note = the operator's reason. Run it in a database
 * transaction (the row update and the TxProfile deletion commit together).
 */
export async function endTransactionByOperator(
  db: Kysely<Database>,
  input: { readonly stationId: string; readonly transactionId: string; readonly reason: string },
): Promise<OperatorEndOutcome> {
  const row = await db
    .updateTable('transactions')
    .set(endedSet('operator', input.reason))
    .where('station_id', '=', input.stationId)
    .where('transaction_id', '=', input.transactionId)
    .where('state', '=', 'active')
    .returningAll()
    .executeTakeFirst();
  if (row) {
    await deleteEndedTxProfiles(db, input.stationId, input.transactionId);
    return { kind: 'ended', row };
  }
  const existing = await db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', input.stationId)
    .where('transaction_id', '=', input.transactionId)
    .executeTakeFirst();
  return existing ? { kind: 'already-ended', row: existing } : { kind: 'not-found' };
}
