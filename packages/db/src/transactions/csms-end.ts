import { sql, type Kysely } from 'kysely';
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
function endedSet(endedBy: Exclude<TransactionEndedBy, 'station'>, note: string) {
  return {
    state: 'ended' as const,
    stop_reason: 'Other',
    ended_by: endedBy,
    end_note: note,
    updated_at: sql<Date>`now()`,
  };
}

/**
 * 1.6: ends this station's active transactions on the connector that started no later than `before`:
 * they lost their StopTransaction (hard reset §5.14, or dropped after TransactionMessageAttempts
 * §3.7.1), since a connector runs one transaction at a time. Returns their transactionIds.
 */
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
    .where('station_id', '=', stationId)
    .where('ocpp_version', '=', OCPP16)
    .where('connector_id', '=', connectorId)
    .where('state', '=', 'active')
    .where('started_at', '<=', before)
    .returning('transaction_id')
    .execute();
  for (const row of rows) await deleteEndedTxProfiles(db, stationId, row.transaction_id);
  return rows.map((r) => Number(r.transaction_id));
}

/**
 * 2.0.1: `current` is active on its EVSE, so every other active 2.0.1 transaction of the station on
 * that EVSE that started before it lost its Ended event (an EVSE runs one transaction at a time): it is
 * ended. A transaction that started after `current` is left alone: `current`'s events are the late
 * ones (queued offline, E04.FR.02), and its own Ended follows them. Returns the ended transactionIds.
 */
export async function endSupersededTransactions201(
  db: Kysely<Database>,
  current: TransactionRow,
): Promise<string[]> {
  if (current.state !== 'active' || current.evse_id === null || current.started_at === null) return [];
  const startedAt = current.started_at;
  const rows = await db
    .updateTable('transactions')
    .set(endedSet('csms', `superseded by transaction ${current.transaction_id} on EVSE ${current.evse_id}`))
    .where('station_id', '=', current.station_id)
    .where('ocpp_version', '=', OCPP201)
    .where('evse_id', '=', current.evse_id)
    .where('state', '=', 'active')
    .where('id', '<>', current.id)
    // Same start time: the one the CSMS heard of first (lower id) is the older.
    .where((eb) =>
      eb.or([
        eb('started_at', '<', startedAt),
        eb.and([eb('started_at', '=', startedAt), eb('id', '<', current.id)]),
      ]),
    )
    .returning('transaction_id')
    .execute();
  for (const row of rows) await deleteEndedTxProfiles(db, current.station_id, row.transaction_id);
  return rows.map((r) => r.transaction_id);
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
