import { sql, type Kysely } from 'kysely';
import { queryTemplate } from '../query-template.js';
import type { Database } from '../schema.js';
import type { EvseRef, IdTokenRef, TransactionEvent201 } from './transaction-event-201.js';

/** The parts of a stored event that shape the transaction row (meter values excluded: they are bulky). */
export interface EventFacts {
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

/**
 * The stored events of a transaction that carry something besides meter values (periodic Updated events
 * are the bulk), ascending by seqNo, without their bulky meter values.
 */
export async function loadEventFacts(
  trx: Kysely<Database>,
  stationId: string,
  transactionId: string,
): Promise<EventFacts[]> {
  return (await eventFactsQuery.run(trx, { stationId, transactionId })).rows;
}

/**
 * The facts of one event as {@link loadEventFacts} would read them back once stored (the stored payload is the
 * request itself): for the first event seen of a transaction, whose stored events are that one alone (an event
 * is stored only with its transaction's row, in one statement), so its recording needs no statement to read them.
 */
export function eventFactsOf(request: TransactionEvent201): EventFacts {
  const info = request.transactionInfo;
  return {
    seq_no: request.seqNo,
    event_type: request.eventType,
    trigger_reason: request.triggerReason,
    timestamp: new Date(request.timestamp),
    evse: request.evse ?? null,
    id_token: request.idToken ?? null,
    charging_state: info.chargingState ?? null,
    stopped_reason: info.stoppedReason ?? null,
    remote_start_id: info.remoteStartId ?? null,
    reservation_id: request.reservationId ?? null,
  };
}

const eventFactsQuery = queryTemplate((db, p: { stationId: string; transactionId: string }) =>
  db
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
    .where('station_id', '=', p.stationId)
    .where('transaction_id', '=', p.transactionId)
    .where(
      sql<boolean>`(event_type <> 'Updated'
        or payload->'evse' is not null
        or payload->'idToken' is not null
        or payload->'transactionInfo'->'chargingState' is not null
        or payload->'transactionInfo'->'remoteStartId' is not null
        or payload->'reservationId' is not null)`,
    )
    .orderBy('seq_no'),
);

export interface FoldedFacts {
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
export function foldFacts(facts: readonly EventFacts[]): FoldedFacts {
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
