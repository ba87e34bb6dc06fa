import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * How many active transactions an id token may have before it is ConcurrentTx (OCPP 1.6 §7.2, 2.0.1
 * AuthorizationStatusEnumType). The default (one per token, every active transaction counts) is the
 * rule of both versions; an operator relaxes it for real stations that lose their stops.
 */
export interface ConcurrencyPolicy {
  /** Active transactions a token may have (default 1): the next one is ConcurrentTx. */
  readonly maxConcurrentPerToken: number;
  /**
   * When set, the active transactions of all tokens of the token's group (1.6 parentIdTag / 2.0.1
   * groupIdToken) may number at most this many. Unset (the default): groups are not limited.
   */
  readonly maxConcurrentPerGroup?: number | undefined;
  /**
   * An active transaction the CSMS heard nothing of for longer than this (ms: no event, no meter value,
   * no change of its row) does not count: its station probably lost its stop. Unset: every one counts.
   */
  readonly ignoreSilentAfterMs?: number | undefined;
}

export const DEFAULT_CONCURRENCY_POLICY: ConcurrencyPolicy = Object.freeze({ maxConcurrentPerToken: 1 });

/** What counts as a concurrent transaction of an id token (see `AuthorizeOptions` of the id-tokens domain). */
export interface ConcurrencyScope {
  readonly stationId: string;
  /** `other-station`: only active transactions at other stations; `any`: at any station. */
  readonly concurrency: 'other-station' | 'any';
  /** The transaction being started/updated, which never counts as concurrent with itself. */
  readonly excludeTransactionId?: string;
  /** Default {@link DEFAULT_CONCURRENCY_POLICY}. */
  readonly policy?: ConcurrencyPolicy;
  /** The time the silence of {@link ConcurrencyPolicy.ignoreSilentAfterMs} is measured to. */
  readonly now?: Date;
}

/**
 * Whether the id token has reached its limit of active transactions within `scope` (ConcurrentTx), or,
 * with `groupId` and a group limit, its group has. Reads at most limit rows per check. A caller that
 * already counted the token's own transactions (in the statement that read the token) passes
 * `tokenActive`.
 */
export async function hasConcurrentTransaction(
  db: Kysely<Database>,
  idToken: string,
  scope: ConcurrencyScope,
  groupId?: string,
  tokenActive?: number,
): Promise<boolean> {
  const policy = scope.policy ?? DEFAULT_CONCURRENCY_POLICY;
  const perToken = tokenLimitOf(scope);
  const active = tokenActive ?? (await activeTransactions(db, { idToken }, scope, perToken).execute()).length;
  if (active >= perToken) return true;
  const perGroup = policy.maxConcurrentPerGroup;
  if (groupId === undefined || perGroup === undefined) return false;
  const limit = Math.max(1, perGroup);
  return (await activeTransactions(db, { groupId }, scope, limit).execute()).length >= limit;
}

/** Active transactions a token may have within `scope` before the next is ConcurrentTx. */
export function tokenLimitOf(scope: ConcurrencyScope): number {
  return Math.max(1, (scope.policy ?? DEFAULT_CONCURRENCY_POLICY).maxConcurrentPerToken);
}

/**
 * The query of (up to `limit`) active transactions of a token or of a group's tokens within `scope`: run
 * it, or count it inside another statement.
 */
export function activeTransactions(
  db: Kysely<Database>,
  of: { readonly idToken: string } | { readonly groupId: string },
  scope: ConcurrencyScope,
  limit: number,
  silentSince: Date | undefined = silentSinceOf(scope),
) {
  let q = db.selectFrom('transactions as t').select('t.id').where('t.state', '=', 'active');
  q =
    'idToken' in of
      ? q.where('t.id_token', '=', of.idToken)
      : q.where('t.id_token', 'in', (eb) =>
          eb.selectFrom('id_tokens').select('id_token').where('group_id', '=', of.groupId),
        );
  if (scope.concurrency === 'other-station') q = q.where('t.station_id', '<>', scope.stationId);
  if (scope.excludeTransactionId !== undefined) {
    const exclude = scope.excludeTransactionId;
    q = q.where((eb) =>
      eb.or([eb('t.station_id', '<>', scope.stationId), eb('t.transaction_id', '<>', exclude)]),
    );
  }
  if (silentSince !== undefined) {
    // updated_at moves with every 2.0.1 event; 1.6 meter values only add meter_values rows.
    q = q.where((eb) =>
      eb.or([
        eb('t.updated_at', '>', silentSince),
        eb.exists(
          eb
            .selectFrom('meter_values as m')
            .select(sql`1`.as('one'))
            .whereRef('m.transaction_ref', '=', 't.id')
            .where('m.received_at', '>', silentSince),
        ),
      ]),
    );
  }
  return q.limit(limit);
}

/**
 * Since when an active transaction must have been heard of to count (`scope.policy.ignoreSilentAfterMs` before
 * `scope.now`); undefined when every active transaction counts.
 */
export function silentSinceOf(scope: ConcurrencyScope): Date | undefined {
  const silentMs = scope.policy?.ignoreSilentAfterMs;
  return silentMs === undefined ? undefined : new Date((scope.now ?? new Date()).getTime() - silentMs);
}
