import { createHash } from 'node:crypto';
import { sql, type Kysely, type QueryCreator, type RawBuilder } from 'kysely';
import { queryTemplate } from '../query-template.js';
import type { Database } from '../schema.js';
import { findV16Transaction, OCPP16 } from './transaction-lookup.js';

/**
 * Recording of charging transactions and meter values, shared by the station actors (embedded mode:
 * called with the actor's open database transaction) and the transaction service (distributed mode:
 * its record RPCs). Every function takes the executor it must write with and opens no transaction of
 * its own, so a caller can put all effects of one OCPP CALL into one database transaction.
 */

/** One OCPP MeterValue (1.6 MeterValue / 2.0.1 MeterValueType), as the station sent it. */
export interface MeterValueSet {
  /** ISO 8601 timestamp of the sample set. */
  readonly timestamp: string;
  readonly sampledValue: readonly unknown[];
}

export interface StoreMeterValuesInput {
  readonly stationId: string;
  /** transactions.id when the values belong to a transaction. */
  readonly transactionRef: string | null;
  readonly evseId: number | null;
  readonly connectorId: number | null;
  /** The action that carried them: MeterValues, StartTransaction, StopTransaction, TransactionEvent. */
  readonly source: string;
  readonly meterValues: readonly MeterValueSet[];
}

/**
 * Stores meter values; a set that was stored before (same source, transaction, connector, timestamp
 * and values: a station retrying after a lost CALLRESULT) is skipped. Returns how many were new.
 */
export async function storeMeterValues(db: Kysely<Database>, input: StoreMeterValuesInput): Promise<number> {
  if (input.meterValues.length === 0) return 0;
  const result = await meterValuesStore.run(db, meterValueColumns(input));
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * {@link storeMeterValues} as a deferred write (see `deferredWrite`): inside a transaction on PostgreSQL it leaves
 * with the transaction's next statement or its commit; for a caller that does not need the count.
 */
export async function deferMeterValues(db: Kysely<Database>, input: StoreMeterValuesInput): Promise<void> {
  if (input.meterValues.length === 0) return;
  await meterValuesStore.defer(db, meterValueColumns(input));
}

/** {@link storeMeterValues}'s statement, compiled once (one shape for any number of sets). */
const meterValuesStore = queryTemplate((db, p: MeterValueColumns) => meterValueColumnsInsert(db, p));

/** Meter value sets of one station and source as columns, one array per varying column. */
export interface MeterValueSetColumns {
  readonly stationId: string;
  readonly source: string;
  readonly timestamps: readonly string[];
  /** Each set's sampledValue as JSON text. */
  readonly sampledValues: readonly string[];
  readonly dedupeKeys: readonly string[];
}

/** A set of meter values as columns: the same station, transaction and connector, one array per column. */
export interface MeterValueColumns extends MeterValueSetColumns {
  readonly transactionRef: string | null;
  readonly evseId: number | null;
  readonly connectorId: number | null;
}

/**
 * `input` as {@link MeterValueColumns} (the dedupe keys of {@link meterValueRows}, or with
 * `transactionKey` standing for the transaction in them: see {@link meterValueRows}).
 */
export function meterValueColumns(
  input: StoreMeterValuesInput,
  transactionKey: string = input.transactionRef ?? '',
): MeterValueColumns {
  return Object.assign(meterValueSetColumns(input, transactionKey), {
    transactionRef: input.transactionRef,
    evseId: input.evseId,
    connectorId: input.connectorId,
  });
}

/**
 * `input`'s sets as {@link MeterValueSetColumns}, keyed by `transactionKey` and `input`'s EVSE and connector
 * (see {@link meterValueRows}), for an insert that takes their place from elsewhere (see {@link MeterValuePlace}).
 */
export function meterValueSetColumns(
  input: Omit<StoreMeterValuesInput, 'transactionRef'>,
  transactionKey: string,
): MeterValueSetColumns {
  const rows = meterValueRows(input, transactionKey);
  return {
    stationId: input.stationId,
    source: input.source,
    timestamps: rows.map((r) => r.timestamp),
    sampledValues: rows.map((r) => r.sampled_values),
    dedupeKeys: rows.map((r) => r.dedupe_key),
  };
}

/**
 * Where inserted meter values belong, as SQL expressions: their transaction_ref, evse_id and connector_id, read
 * from `from` (a relation of the statement, e.g. a CTE's rows) when given.
 */
export interface MeterValuePlace {
  readonly transactionRef: RawBuilder<unknown>;
  readonly evseId: RawBuilder<unknown>;
  readonly connectorId: RawBuilder<unknown>;
  readonly from?: RawBuilder<unknown>;
}

/**
 * The insert of meter values (a set stored before is skipped) with one statement shape for any number of sets (`unnest` of
 * one array per varying column; none inserts nothing): for a {@link queryTemplate} (`c` may hold its
 * parameter stand-ins). `place`: where the rows belong (by default `c`'s transactionRef, evseId and connectorId).
 */
export function meterValueColumnsInsert<DB extends Database>(
  db: QueryCreator<DB>,
  c: MeterValueSetColumns & Partial<MeterValueColumns>,
  place: Partial<MeterValuePlace> = {},
) {
  const transactionRef = place.transactionRef ?? sql`${c.transactionRef}::bigint`;
  const evseId = place.evseId ?? sql`${c.evseId}::integer`;
  const connectorId = place.connectorId ?? sql`${c.connectorId}::integer`;
  const from = place.from ? sql`${place.from}, ` : sql``;
  return db
    .insertInto('meter_values')
    .columns([
      'station_id',
      'transaction_ref',
      'evse_id',
      'connector_id',
      'source',
      'timestamp',
      'sampled_values',
      'dedupe_key',
    ])
    .expression(
      sql`select ${c.stationId}::text, ${transactionRef}, ${evseId}, ${connectorId}, ${c.source}::text,
        v.ts, v.sv::jsonb, v.dk
        from ${from}unnest(${c.timestamps}::timestamptz[], ${c.sampledValues}::text[], ${c.dedupeKeys}::text[])
        as v(ts, sv, dk)`,
    )
    .onConflict((oc) => oc.columns(['station_id', 'dedupe_key']).doNothing());
}

/**
 * Each of `input`'s sets as its timestamp, sampledValue as JSON text and dedupe key (the varying columns of
 * {@link meterValueColumnsInsert}'s rows). `transactionKey` stands for the transaction
 * in the dedupe key: the transactions.id, or for 1.6 MeterValues the station's transactionId (`v16:<id>`,
 * as unique within the station and known before the insert, so the row's link is resolved in the same
 * statement).
 */
function meterValueRows(input: Omit<StoreMeterValuesInput, 'transactionRef'>, transactionKey: string) {
  return input.meterValues.map((mv) => {
    const sampled = JSON.stringify(mv.sampledValue);
    const dedupeKey = createHash('sha256')
      .update(
        [
          input.source,
          transactionKey,
          input.evseId ?? '',
          input.connectorId ?? '',
          mv.timestamp,
          sampled,
        ].join('\u0000'),
      )
      .digest('base64url');
    return { timestamp: mv.timestamp, sampled_values: sampled, dedupe_key: dedupeKey };
  });
}

export interface RecordMeterValuesInput {
  readonly stationId: string;
  /**
   * OCPP 1.6 MeterValues: the transactionId the values name. They are linked to this station's 1.6
   * transaction of that id; an unknown id (e.g. -1, errata v4.0 §3.18) stores them unlinked.
   * Absent for values outside a transaction (1.6 without transactionId, 2.0.1 MeterValues J01).
   */
  readonly v16TransactionId?: number;
  readonly evseId: number | null;
  readonly connectorId: number | null;
  /** The action that carried them (MeterValues). */
  readonly source: string;
  readonly meterValues: readonly MeterValueSet[];
}

export interface MeterValuesRecord {
  /** With `v16TransactionId`: whether this station has that transaction (the values are linked). */
  readonly transactionFound?: boolean;
  /** Sets stored now (0 for a retry). */
  readonly stored: number;
}

/**
 * Records a MeterValues message (1.6 §4.7 / 2.0.1 J01); a retried message stores nothing new. With a 1.6
 * transactionId the link to the transaction is looked up inside the insert (one statement: a CALL's
 * statements are its main cost, BENCHMARKS.md); only a retry that stores nothing asks again whether the
 * transaction exists.
 */
export async function recordMeterValues(
  db: Kysely<Database>,
  input: RecordMeterValuesInput,
): Promise<MeterValuesRecord> {
  const { v16TransactionId } = input;
  if (v16TransactionId === undefined)
    return { stored: await storeMeterValues(db, Object.assign({}, input, { transactionRef: null })) };
  if (input.meterValues.length === 0) {
    return {
      transactionFound: (await findV16Transaction(db, input.stationId, v16TransactionId)) !== undefined,
      stored: 0,
    };
  }
  const inserted = (
    await v16MeterValuesInsert.run(
      db,
      Object.assign(
        meterValueColumns(Object.assign({}, input, { transactionRef: null }), `v16:${v16TransactionId}`),
        {
          v16TransactionId: String(v16TransactionId),
        },
      ),
    )
  ).rows;
  const [first] = inserted;
  const transactionFound =
    first !== undefined
      ? first.transaction_ref !== null
      : (await findV16Transaction(db, input.stationId, v16TransactionId)) !== undefined;
  return { transactionFound, stored: inserted.length };
}

/**
 * {@link recordMeterValues}' insert of 1.6 MeterValues naming a transactionId, compiled once: each row's
 * transaction_ref is this station's 1.6 transaction of that id (NULL when it has none), looked up in the same
 * statement; the inserted rows' links tell whether it was found.
 */
const v16MeterValuesInsert = queryTemplate(
  (db, p: MeterValueColumns & { readonly v16TransactionId: string }) =>
    meterValueColumnsInsert(db, p, {
      transactionRef: sql`(select t.id from transactions t where t.station_id = ${p.stationId}
        and t.ocpp_version = ${OCPP16} and t.transaction_id = ${p.v16TransactionId})`,
    }).returning('transaction_ref'),
);
