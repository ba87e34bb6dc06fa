import { sql, type Kysely } from 'kysely';
import type { Database, TransactionRow } from './schema.js';
import { deleteEndedTxProfiles } from './ended-tx-profiles.js';
import { OCPP201, storeMeterValues } from './transaction-records.js';

/** OCPP 2.0.1 EVSEType. */
export interface EvseRef {
  readonly id: number;
  readonly connectorId?: number;
}

/** OCPP 2.0.1 IdTokenType (the parts the transaction row keeps). */
export interface IdTokenRef {
  readonly idToken: string;
  readonly type: string;
}

/** OCPP 2.0.1 SampledValueType (the parts the meter readings of the row need). */
export interface SampledValue201 {
  readonly value: number;
  readonly context?: string;
  readonly measurand?: string;
  readonly phase?: string;
  readonly location?: string;
  readonly unitOfMeasure?: { readonly unit?: string; readonly multiplier?: number };
}

export interface MeterValue201 {
  readonly timestamp: string;
  readonly sampledValue: readonly SampledValue201[];
}

/** A TransactionEventRequest (OCPP 2.0.1), schema-validated and with valid timestamps. */
export interface TransactionEvent201 {
  readonly eventType: string;
  readonly timestamp: string;
  readonly triggerReason: string;
  readonly seqNo: number;
  readonly offline?: boolean;
  readonly reservationId?: number;
  readonly transactionInfo: {
    readonly transactionId: string;
    readonly chargingState?: string;
    readonly stoppedReason?: string;
    readonly remoteStartId?: number;
  };
  readonly idToken?: IdTokenRef;
  readonly evse?: EvseRef;
  readonly meterValue?: readonly MeterValue201[];
}

export interface TransactionEvent201Record {
  /**
   * Set when the event was new and applied; absent for a retry of an event stored before (same
   * station, transactionId and seqNo, E13): nothing changed.
   */
  readonly applied?: {
    /** The event created the transactions row (it is the first seen of this transaction). */
    readonly created: boolean;
    readonly state: 'active' | 'ended';
    readonly chargingState: string | null;
  };
}

/**
 * Records a 2.0.1 TransactionEvent (E01-E15, J02). Every event is stored in `transaction_events`,
 * unique per (station, transactionId, seqNo): a retried event (E13) changes nothing. The `transactions`
 * row is created by the first event seen for a transactionId, whatever its eventType: events queued
 * offline (E04.FR.02, E08.FR.06, E11.FR.02, E12.FR.02) may arrive late and out of order, and Updated
 * messages may even be dropped (E04.FR.07), so an Updated or Ended can be the first the CSMS hears of a
 * transaction.
 *
 * The row is therefore derived so that it does not depend on the arrival order (the transaction's
 * events are its source of truth):
 * - `state` is ended once any Ended event was seen; `ended_at` / `stop_reason` come from it (a missing
 *   stoppedReason means Local: E06.FR.09, E07.FR.04);
 * - `started_at` is the Started event's timestamp, or the earliest event timestamp until Started is seen;
 * - `evse_id` / `connector_id` and `charging_state` are those of the highest seqNo that carries them
 *   (E01.FR.16: evse is sent once; E02.FR.13: chargingState on every change);
 * - `id_token` is the token that authorized the transaction: the lowest seqNo carrying an idToken that
 *   is not a StopAuthorized (E07.FR.02 reports the stopping token, which may be another member of the
 *   group, C09.FR.03); a stopping token is recorded only while no other is known;
 * - `meter_start` is the Energy.Active.Import.Register sample with context Transaction.Begin (in Started,
 *   or in an Updated when the EVSE was not known at start: E01.FR.09 / E01.FR.17), else the earliest
 *   register sample of the Started event; `meter_stop` is the Ended event's Transaction.End register
 *   sample (E06.FR.11), else its latest register sample; values are converted to Wh;
 * - `last_seq_no` is the highest seqNo seen; `remote_start_id` / `reservation_id` the first sent.
 *
 * The caller authorizes the event's idToken separately.
 */
export async function recordTransactionEvent201(
  db: Kysely<Database>,
  stationId: string,
  request: TransactionEvent201,
): Promise<TransactionEvent201Record> {
  const timestamp = new Date(request.timestamp);
  const inserted = await db
    .insertInto('transaction_events')
    .values({
      station_id: stationId,
      transaction_id: request.transactionInfo.transactionId,
      seq_no: request.seqNo,
      event_type: request.eventType,
      trigger_reason: request.triggerReason,
      timestamp,
      offline: request.offline ?? false,
      payload: JSON.stringify(request),
    })
    .onConflict((oc) => oc.columns(['station_id', 'transaction_id', 'seq_no']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return {};
  const { row, created } = await applyEvent(db, stationId, request, timestamp);
  return { applied: { created, state: row.state, chargingState: row.charging_state } };
}

/** The parts of a stored event that shape the transaction row (meter values excluded: they are bulky). */
interface EventFacts {
  readonly seq_no: number;
  readonly event_type: string;
  readonly trigger_reason: string;
  readonly timestamp: Date;
  readonly evse: EvseRef | null;
  readonly id_token: IdTokenRef | null;
  readonly charging_state: string | null;
  readonly stopped_reason: string | null;
  readonly remote_start_id: number | null;
  readonly reservation_id: number | null;
}

async function applyEvent(
  trx: Kysely<Database>,
  stationId: string,
  request: TransactionEvent201,
  timestamp: Date,
): Promise<{ row: TransactionRow; created: boolean }> {
  const transactionId = request.transactionInfo.transactionId;
  const created = await trx
    .insertInto('transactions')
    .values({ station_id: stationId, ocpp_version: OCPP201, transaction_id: transactionId, state: 'active' })
    .onConflict((oc) => oc.columns(['station_id', 'transaction_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  const existing = await trx
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('transaction_id', '=', transactionId)
    .forUpdate()
    .executeTakeFirstOrThrow();

  // Only events that carry something besides meter values (periodic Updated events are the bulk).
  const facts: EventFacts[] = await trx
    .selectFrom('transaction_events')
    .select([
      'seq_no',
      'event_type',
      'trigger_reason',
      'timestamp',
      sql<EvseRef | null>`payload->'evse'`.as('evse'),
      sql<IdTokenRef | null>`payload->'idToken'`.as('id_token'),
      sql<string | null>`payload->'transactionInfo'->>'chargingState'`.as('charging_state'),
      sql<string | null>`payload->'transactionInfo'->>'stoppedReason'`.as('stopped_reason'),
      sql<number | null>`(payload->'transactionInfo'->>'remoteStartId')::integer`.as('remote_start_id'),
      sql<number | null>`(payload->>'reservationId')::integer`.as('reservation_id'),
    ])
    .where('station_id', '=', stationId)
    .where('transaction_id', '=', transactionId)
    .where(
      sql<boolean>`(event_type <> 'Updated'
        or payload->'evse' is not null
        or payload->'idToken' is not null
        or payload->'transactionInfo'->'chargingState' is not null
        or payload->'transactionInfo'->'remoteStartId' is not null
        or payload->'reservationId' is not null)`,
    )
    .orderBy('seq_no')
    .execute();
  const f = foldFacts(facts);

  const samples = energyRegisterSamples(request.meterValue ?? []);
  let meterStart = existing.meter_start;
  const begin = samples.filter((s) => s.context === 'Transaction.Begin');
  if (begin.length > 0) meterStart = earliest(begin).wh;
  else if (request.eventType === 'Started' && meterStart === null && samples.length > 0)
    meterStart = earliest(samples).wh;
  let meterStop = existing.meter_stop;
  if (request.eventType === 'Ended' && samples.length > 0) {
    const end = samples.filter((s) => s.context === 'Transaction.End');
    meterStop = latest(end.length > 0 ? end : samples).wh;
  }

  const startedAt =
    f.started?.timestamp ??
    (existing.started_at && existing.started_at.getTime() <= timestamp.getTime()
      ? existing.started_at
      : timestamp);
  const token = f.authorizingToken ?? f.stoppingToken;
  const row = await trx
    .updateTable('transactions')
    .set({
      state: f.ended ? 'ended' : 'active',
      started_at: startedAt,
      ended_at: f.ended?.timestamp ?? null,
      stop_reason: f.ended ? (f.ended.stopped_reason ?? 'Local') : null,
      evse_id: f.evse?.id ?? null,
      connector_id: f.evse?.connectorId ?? null,
      id_token: token?.idToken ?? null,
      id_token_type: token?.type ?? null,
      charging_state: f.chargingState,
      last_seq_no:
        existing.last_seq_no === null ? request.seqNo : Math.max(existing.last_seq_no, request.seqNo),
      remote_start_id: f.remoteStartId,
      reservation_id: f.reservationId,
      meter_start: meterStart,
      meter_stop: meterStop,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (row.state === 'ended' && existing.state !== 'ended')
    await deleteEndedTxProfiles(trx, stationId, transactionId);

  await storeMeterValues(trx, {
    stationId,
    transactionRef: String(row.id),
    evseId: row.evse_id,
    connectorId: row.connector_id,
    source: 'TransactionEvent',
    meterValues: request.meterValue ?? [],
  });
  return { row, created: created !== undefined };
}

interface FoldedFacts {
  started?: EventFacts;
  ended?: EventFacts;
  evse?: EvseRef;
  chargingState: string | null;
  authorizingToken?: IdTokenRef;
  stoppingToken?: IdTokenRef;
  remoteStartId: number | null;
  reservationId: number | null;
}

/** Folds a transaction's events (ascending seqNo) into the values of its row. */
function foldFacts(facts: readonly EventFacts[]): FoldedFacts {
  const out: FoldedFacts = { chargingState: null, remoteStartId: null, reservationId: null };
  for (const e of facts) {
    if (e.event_type === 'Started') out.started ??= e;
    if (e.event_type === 'Ended') out.ended ??= e;
    if (e.evse) {
      // A later evse without connectorId on the same EVSE keeps the connector known before.
      const keep = out.evse?.id === e.evse.id ? out.evse.connectorId : undefined;
      const connectorId = e.evse.connectorId ?? keep;
      out.evse = { id: e.evse.id, ...(connectorId !== undefined ? { connectorId } : {}) };
    }
    if (e.charging_state !== null) out.chargingState = e.charging_state;
    if (e.id_token) {
      if (e.trigger_reason === 'StopAuthorized') out.stoppingToken ??= e.id_token;
      else out.authorizingToken ??= e.id_token;
    }
    out.remoteStartId ??= e.remote_start_id;
    out.reservationId ??= e.reservation_id;
  }
  return out;
}

export interface RegisterSample {
  readonly wh: number;
  readonly at: number;
  readonly context: string;
}

const REGISTER = 'Energy.Active.Import.Register';

/**
 * The total (not per-phase) Energy.Active.Import.Register readings at the outlet, in Wh. Defaults per
 * SampledValueType: measurand Energy.Active.Import.Register, context Sample.Periodic, location Outlet,
 * unit Wh, multiplier 0 (10^multiplier). Readings in other units than Wh / kWh are ignored.
 */
export function energyRegisterSamples(meterValues: readonly MeterValue201[]): RegisterSample[] {
  const out: RegisterSample[] = [];
  for (const mv of meterValues) {
    const at = new Date(mv.timestamp).getTime();
    for (const sv of mv.sampledValue) {
      if ((sv.measurand ?? REGISTER) !== REGISTER || sv.phase !== undefined) continue;
      if ((sv.location ?? 'Outlet') !== 'Outlet') continue;
      const unit = sv.unitOfMeasure?.unit ?? 'Wh';
      const exponent = (sv.unitOfMeasure?.multiplier ?? 0) + (unit === 'kWh' ? 3 : 0);
      if (unit !== 'Wh' && unit !== 'kWh') continue;
      const wh = Math.round(sv.value * 10 ** exponent * 1e6) / 1e6;
      out.push({ wh, at, context: sv.context ?? 'Sample.Periodic' });
    }
  }
  return out;
}

function earliest(samples: readonly RegisterSample[]): RegisterSample {
  return samples.reduce((a, b) => (b.at < a.at ? b : a));
}

function latest(samples: readonly RegisterSample[]): RegisterSample {
  return samples.reduce((a, b) => (b.at >= a.at ? b : a));
}
