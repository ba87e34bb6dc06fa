import type { Kysely } from 'kysely';
import { findIdToken } from './id-tokens.js';
import type { Database } from './schema.js';

/** The CSMS's verdict on an id token (OCPP 2.0.1 AuthorizationStatusEnumType; 1.6 maps Unknown→Invalid). */
export type AuthorizationStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx' | 'Unknown';

export interface AuthorizationDecision {
  readonly status: AuthorizationStatus;
  readonly expiresAt?: Date;
  /** 1.6 parentIdTag / 2.0.1 groupIdToken. */
  readonly groupId?: string;
}

export interface AuthorizeOptions {
  readonly stationId: string;
  readonly now: Date;
  /** 2.0.1 IdTokenEnumType of the presented token; a stored type must match. */
  readonly type?: string;
  /**
   * What counts as a concurrent transaction: `other-station` for Authorize (the token may be presented
   * again at the same station to stop its own transaction), `any` when starting a new transaction.
   */
  readonly concurrency: 'other-station' | 'any';
  /** The transaction being started/updated, which never counts as concurrent with itself. */
  readonly excludeTransactionId?: string;
}

/**
 * Decides whether an id token may charge: unknown tokens are `Unknown`, stored statuses are returned
 * as they are, an expiry in the past gives `Expired`, and an Accepted token already in an active
 * transaction gives `ConcurrentTx` (OCPP 1.6 §7.2 / 2.0.1 AuthorizationStatusEnumType).
 */
export async function authorizeIdToken(
  db: Kysely<Database>,
  idToken: string,
  options: AuthorizeOptions,
): Promise<AuthorizationDecision> {
  const row = await findIdToken(db, idToken);
  if (!row) return { status: 'Unknown' };
  const base = {
    ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
    ...(row.group_id ? { groupId: row.group_id } : {}),
  };
  if (row.type !== null && options.type !== undefined && row.type !== options.type)
    return { status: 'Unknown' };
  if (row.status !== 'Accepted') return { status: row.status, ...base };
  if (row.expires_at && row.expires_at.getTime() <= options.now.getTime())
    return { status: 'Expired', ...base };
  let q = db
    .selectFrom('transactions')
    .select('id')
    .where('id_token', '=', idToken)
    .where('state', '=', 'active');
  if (options.concurrency === 'other-station') q = q.where('station_id', '<>', options.stationId);
  if (options.excludeTransactionId !== undefined) {
    const exclude = options.excludeTransactionId;
    q = q.where((eb) =>
      eb.or([eb('station_id', '<>', options.stationId), eb('transaction_id', '<>', exclude)]),
    );
  }
  const concurrent = await q.limit(1).executeTakeFirst();
  if (concurrent) return { status: 'ConcurrentTx', ...base };
  return { status: 'Accepted', ...base };
}
