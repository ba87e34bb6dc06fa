import { sql, type Kysely } from 'kysely';
import { queryTemplate } from '../query-template.js';
import type { Database } from '../schema.js';
import { eventReadings, readingsSet, type EventReadings } from './energy-register.js';
import { meterValueColumnsInsert, meterValueSetColumns, type MeterValueSetColumns } from './meter-values.js';
import type { TransactionEvent201Record } from './records-v201.js';
import type { TransactionEvent201 } from './transaction-event-201.js';
import { OCPP201 } from './transaction-lookup.js';

/**
 * The periodic 2.0.1 TransactionEvent in one statement (see {@link recordPeriodicTransactionEvent201}), and the
 * row values every recording of a 2.0.1 event shares with it.
 */

/**
 * Whether `request` is a periodic event: an Updated event that carries none of the facts `loadEventFacts`
 * selects (no evse, idToken, chargingState, remoteStartId or reservationId), such as the meter values sent
 * every few seconds while charging, the most frequent event. Applied to a known transaction (no earlier than
 * its started_at, which an earlier event would move while no Started is known), it changes only the row's
 * seqNo and meter readings: the facts the row was last derived from are the same.
 */
export function isPeriodicTransactionEvent201(request: TransactionEvent201): boolean {
  const info = request.transactionInfo;
  return (
    request.eventType === 'Updated' &&
    request.evse === undefined &&
    request.idToken === undefined &&
    request.reservationId === undefined &&
    info.chargingState === undefined &&
    info.remoteStartId === undefined
  );
}

/**
 * Records a periodic event (see {@link isPeriodicTransactionEvent201}) in one statement, which needs no
 * transaction around it (it may be group-committed with other stations' statements): it locks its transaction's
 * row when it is known and started no later than the event, stores the event (unique per station, transactionId
 * and seqNo: a retry, E13, stores nothing), and only when the event is new applies it to the row
 * ({@link readingsSet}) and stores its meter values. Returns undefined, having stored nothing, when the event is
 * not periodic or its transaction's row is not there (or started later): {@link recordTransactionEvent201} then
 * records it in a database transaction.
 */
export async function recordPeriodicTransactionEvent201(
  db: Kysely<Database>,
  stationId: string,
  request: TransactionEvent201,
): Promise<TransactionEvent201Record | undefined> {
  if (!isPeriodicTransactionEvent201(request)) return undefined;
  const result = (
    await periodicEventQuery.run(
      db,
      Object.assign(
        storedEventColumns(stationId, request),
        eventReadings(request),
        eventMeterValueColumns(stationId, request),
      ),
    )
  ).rows[0];
  if (result === undefined) return undefined;
  // The event was stored before (E13): nothing changed.
  if (result.state === null) return {};
  return {
    applied: { created: false, state: result.state, chargingState: result.charging_state, superseded: [] },
  };
}

/**
 * The meter values of a TransactionEvent as columns. They are keyed by the transactionId (unique within the
 * station), not by the row's id or EVSE, so that their dedupe keys are known before the row is read; their
 * transaction_ref, evse_id and connector_id are those of the row the statement updated ({@link UPDATED_ROW}).
 */
export function eventMeterValueColumns(
  stationId: string,
  request: TransactionEvent201,
): MeterValueSetColumns {
  return meterValueSetColumns(
    {
      stationId,
      evseId: null,
      connectorId: null,
      source: 'TransactionEvent',
      meterValues: request.meterValue ?? [],
    },
    `v201:${request.transactionInfo.transactionId}`,
  );
}

/** The row of the `updated` CTE as the place of an event's meter values. */
export const UPDATED_ROW = {
  transactionRef: sql`u.id`,
  evseId: sql`u.evse_id`,
  connectorId: sql`u.connector_id`,
  from: sql`updated u`,
};

/** The statement of {@link recordPeriodicTransactionEvent201}, compiled once. */
const periodicEventQuery = queryTemplate((db, p: StoredEventColumns & EventReadings & MeterValueSetColumns) =>
  db
    .with('target', (db) =>
      db
        .selectFrom('transactions')
        .select('id')
        .where('station_id', '=', p.stationId)
        .where('ocpp_version', '=', OCPP201)
        .where('transaction_id', '=', p.transactionId)
        .where('started_at', '<=', p.timestamp)
        .forUpdate(),
    )
    .with('stored_event', (db) =>
      db
        .insertInto('transaction_events')
        .columns([
          'station_id',
          'transaction_id',
          'seq_no',
          'event_type',
          'trigger_reason',
          'timestamp',
          'offline',
          'payload',
        ])
        .expression((eb) =>
          eb
            .selectFrom('target')
            .select([
              sql<string>`${p.stationId}::text`.as('station_id'),
              sql<string>`${p.transactionId}::text`.as('transaction_id'),
              sql<number>`${p.seqNo}::integer`.as('seq_no'),
              sql<string>`${p.eventType}::text`.as('event_type'),
              sql<string>`${p.triggerReason}::text`.as('trigger_reason'),
              sql<Date>`${p.timestamp}::timestamptz`.as('timestamp'),
              sql<boolean>`${p.offline}::boolean`.as('offline'),
              sql<string>`${p.payload}::jsonb`.as('payload'),
            ]),
        )
        .onConflict((oc) => oc.columns(['station_id', 'transaction_id', 'seq_no']).doNothing())
        .returning('id'),
    )
    .with('updated', (db) =>
      db
        .updateTable('transactions')
        .set(readingsSet(p))
        .where('id', '=', (eb) => eb.selectFrom('target').select('target.id'))
        .where((eb) => eb.exists(eb.selectFrom('stored_event').select('stored_event.id')))
        .returning(['id', 'evse_id', 'connector_id', 'state', 'charging_state']),
    )
    .with('stored_meter_values', (db) => meterValueColumnsInsert(db, p, UPDATED_ROW))
    .selectFrom('target')
    .leftJoin('updated', 'updated.id', 'target.id')
    .select(['updated.state', 'updated.charging_state']),
);

/** A `transaction_events` row's values. */
export interface StoredEventColumns {
  stationId: string;
  transactionId: string;
  seqNo: number;
  eventType: string;
  triggerReason: string;
  timestamp: Date;
  offline: boolean;
  payload: string;
}

export function storedEventColumns(stationId: string, request: TransactionEvent201): StoredEventColumns {
  return {
    stationId,
    transactionId: request.transactionInfo.transactionId,
    seqNo: request.seqNo,
    eventType: request.eventType,
    triggerReason: request.triggerReason,
    timestamp: new Date(request.timestamp),
    offline: request.offline ?? false,
    payload: JSON.stringify(request),
  };
}
