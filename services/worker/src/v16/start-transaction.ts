import { createHash } from 'node:crypto';
import { sql, type Database, type Kysely } from '@csms/db';
import type { V16 } from '@csms/ocpp';
import { authorizeIdToken } from '../authorization.js';
import type { HandlerContext } from '../handler.js';
import { INT32_MAX, OCPP16, checkConnectorId, parseTimestamp, toIdTagInfo } from './common.js';

/**
 * StartTransaction (OCPP 1.6 §4.8, §6.45/§6.46). The CSMS issues the transactionId:
 *
 * - It is taken from the `transactions.id` sequence (`nextval`, then one INSERT with that id), so until
 *   2^31-1 transactions it equals `transactions.id`. A 1.6 `integer` is an int32 on most stations, so
 *   the id is folded into 1..2147483647 (`(id - 1) mod (2^31 - 1) + 1`); a folded value this station
 *   already used (its transactions, or 2.0.1 ids that look like numbers) is skipped. Positive ids only:
 *   errata v4.0 §3.54 recommends "unique positive numbers", and -1 is what a station sends when it never
 *   received a transactionId (errata §3.18).
 * - A retry of the same StartTransaction (the station did not get our CALLRESULT, §3.7.1) is recognised
 *   by `start_key`, a hash of (connectorId, idTag, timestamp, meterStart), unique per station: it gets
 *   the same transactionId and nothing new is stored.
 * - The transaction is recorded whatever the authorization status: §6.46 requires a transactionId in
 *   every answer, and with a status other than Accepted the station stops the transaction itself
 *   (StopTransaction reason DeAuthorized when StopTransactionOnInvalidId is true) or only stops the
 *   energy (errata v4.0 §3.17; OCTT TC_037_3_CSMS expects status Invalid, then a StopTransaction).
 * - The identifier is checked again (§4.8 "The Central System MUST verify validity of the identifier",
 *   it may have been authorized offline from a stale cache), now counting an active transaction of the
 *   token anywhere, this station included, as ConcurrentTx (§7.2).
 * - Transaction-related messages arrive in order (§3.7), and a connector has one transaction at a time,
 *   so a still-active 1.6 transaction on the same connector of this station that started before this
 *   one lost its StopTransaction (hard reset, §5.14, or dropped after TransactionMessageAttempts,
 *   §3.7.1). It is ended (state ended, stop_reason Other, meter_stop and ended_at unknown = null) so
 *   that its token is not ConcurrentTx forever; a StopTransaction for it arriving later still records
 *   its stop data.
 */
export async function onStartTransaction(
  ctx: HandlerContext,
  request: V16.StartTransactionRequest,
): Promise<V16.StartTransactionResponse> {
  checkConnectorId(ctx, request.connectorId, 1);
  const startedAt = parseTimestamp(request.timestamp, 'timestamp');
  const startKey = startKeyOf(request);
  const now = ctx.now();
  let reservationId: number | null = request.reservationId ?? null;
  if (reservationId !== null && !isInt32(reservationId)) {
    // §4.8: sanity checks SHOULD NOT keep the CSMS from answering; the column is an int32.
    ctx.log.warn({ reservationId }, 'StartTransaction reservationId out of range; not stored');
    reservationId = null;
  }

  // The actor runs every handler in one database transaction: ctx.db is that transaction, so these
  // writes commit (or roll back) together, before the CALLRESULT is sent.
  const trx = ctx.db;
  const outcome = await (async () => {
    const existing = await trx
      .selectFrom('transactions')
      .select(['transaction_id'])
      .where('station_id', '=', ctx.stationId)
      .where('start_key', '=', startKey)
      .executeTakeFirst();
    if (existing) {
      // Answer the retry as the first time; the transaction does not conflict with itself.
      const decision = await authorizeIdToken(trx, request.idTag, {
        stationId: ctx.stationId,
        now,
        concurrency: 'any',
        excludeTransactionId: existing.transaction_id,
      });
      return {
        created: false,
        transactionId: Number(existing.transaction_id),
        decision,
        superseded: [] as string[],
      };
    }

    const superseded = await endStaleTransactions(trx, ctx.stationId, request.connectorId, startedAt);
    const decision = await authorizeIdToken(trx, request.idTag, {
      stationId: ctx.stationId,
      now,
      concurrency: 'any',
    });
    const { id, transactionId } = await allocateTransactionId(trx, ctx.stationId);
    await trx
      .insertInto('transactions')
      .values({
        id,
        station_id: ctx.stationId,
        ocpp_version: OCPP16,
        transaction_id: String(transactionId),
        evse_id: request.connectorId,
        connector_id: request.connectorId,
        id_token: request.idTag,
        id_token_type: null,
        state: 'active',
        started_at: startedAt,
        ended_at: null,
        meter_start: request.meterStart,
        meter_stop: null,
        stop_reason: null,
        charging_state: null,
        last_seq_no: null,
        remote_start_id: null,
        reservation_id: reservationId,
        start_key: startKey,
      })
      .execute();
    return { created: true, transactionId, decision, superseded };
  })();

  const idTagInfo = toIdTagInfo(ctx, outcome.decision);
  for (const transactionId of outcome.superseded) {
    ctx.log.warn(
      { transactionId, connectorId: request.connectorId },
      'active transaction on this connector ended without StopTransaction: a new transaction started on it',
    );
    ctx.emit('transaction-ended', {
      transactionId: Number(transactionId),
      connectorId: request.connectorId,
      stopReason: 'Other',
      superseded: true,
    });
  }
  if (outcome.created) {
    ctx.emit('transaction-started', {
      transactionId: outcome.transactionId,
      connectorId: request.connectorId,
      idTag: request.idTag,
      authorizationStatus: idTagInfo.status,
      meterStart: request.meterStart,
      timestamp: startedAt.toISOString(),
      reservationId,
    });
  }
  return { transactionId: outcome.transactionId, idTagInfo };
}

/** Identifies a StartTransaction.req so that its retry is recognised (the same message is resent). */
export function startKeyOf(request: V16.StartTransactionRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([request.connectorId, request.idTag, request.timestamp, request.meterStart]))
    .digest('base64url');
}

function isInt32(value: number): boolean {
  return Number.isSafeInteger(value) && value >= -INT32_MAX - 1 && value <= INT32_MAX;
}

/** Folds a `transactions.id` into 1..2^31-1 (identity below 2^31). */
export function foldTransactionId(id: bigint): number {
  return Number((id - 1n) % BigInt(INT32_MAX)) + 1;
}

async function allocateTransactionId(
  db: Kysely<Database>,
  stationId: string,
): Promise<{ id: string; transactionId: number }> {
  // Folding only repeats a value after 2^31-1 allocations, so one try is the rule; the bound is a guard.
  for (let attempt = 0; attempt < 16; attempt++) {
    const { rows } = await sql<{
      id: string;
    }>`select nextval(pg_get_serial_sequence('transactions', 'id'))::text as id`.execute(db);
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('nextval returned no row');
    const transactionId = foldTransactionId(BigInt(id));
    const taken = await db
      .selectFrom('transactions')
      .select('id')
      .where('station_id', '=', stationId)
      .where('transaction_id', '=', String(transactionId))
      .executeTakeFirst();
    if (!taken) return { id, transactionId };
  }
  throw new Error('could not allocate a free OCPP 1.6 transactionId');
}

/** Ends this station's active 1.6 transactions on the connector that started no later than `before`. */
async function endStaleTransactions(
  db: Kysely<Database>,
  stationId: string,
  connectorId: number,
  before: Date,
): Promise<string[]> {
  const rows = await db
    .updateTable('transactions')
    .set({ state: 'ended', stop_reason: 'Other', updated_at: sql<Date>`now()` })
    .where('station_id', '=', stationId)
    .where('ocpp_version', '=', OCPP16)
    .where('connector_id', '=', connectorId)
    .where('state', '=', 'active')
    .where('started_at', '<=', before)
    .returning('transaction_id')
    .execute();
  return rows.map((r) => r.transaction_id);
}
