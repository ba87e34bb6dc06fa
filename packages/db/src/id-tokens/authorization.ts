import type { Kysely } from 'kysely';
import { queryTemplate } from '../query-template.js';
import type { Database } from '../schema.js';
import {
  activeTransactions,
  hasConcurrentTransaction,
  silentSinceOf,
  tokenLimitOf,
  type ConcurrencyPolicy,
} from '../transactions/concurrent-transaction.js';

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
  /**
   * How many active transactions make ConcurrentTx (default one per token, every active transaction
   * counts): the CSMS's configured policy, which the ports / the auth service pass.
   */
  readonly policy?: ConcurrencyPolicy;
}

/**
 * Decides whether an id token may charge: unknown tokens are `Unknown`, stored statuses are returned
 * as they are, an expiry in the past gives `Expired`, and an Accepted token that already has as many
 * active transactions as `options.policy` allows (default one) gives `ConcurrentTx` (OCPP 1.6 §7.2 /
 * 2.0.1 AuthorizationStatusEnumType).
 */
export async function authorizeIdToken(
  db: Kysely<Database>,
  idToken: string,
  options: AuthorizeOptions,
): Promise<AuthorizationDecision> {
  // One statement: the token's row and (up to the limit) its active transactions, which an Accepted token
  // needs next; a CALL's statements are its main cost (BENCHMARKS.md).
  const since = silentSinceOf(options);
  const { excludeTransactionId } = options;
  const template = tokenAndActive({
    otherStation: options.concurrency === 'other-station',
    exclude: excludeTransactionId !== undefined,
    silent: since !== undefined,
  });
  const [row] = (
    await template.run(db, {
      idToken,
      stationId: options.stationId,
      excludeTransactionId: excludeTransactionId ?? '',
      since: since ?? new Date(0),
      limit: tokenLimitOf(options),
    })
  ).rows;
  if (!row) return { status: 'Unknown' };
  const base: { expiresAt?: Date; groupId?: string } = {};
  if (row.expires_at) base.expiresAt = row.expires_at;
  if (row.group_id) base.groupId = row.group_id;
  if (row.type !== null && options.type !== undefined && row.type !== options.type)
    return { status: 'Unknown' };
  if (row.status !== 'Accepted') return { status: row.status, ...base };
  if (row.expires_at && row.expires_at.getTime() <= options.now.getTime())
    return { status: 'Expired', ...base };
  const concurrent = await hasConcurrentTransaction(
    db,
    idToken,
    options,
    row.group_id ?? undefined,
    Number(row.token_active ?? 0),
  );
  if (concurrent) return { status: 'ConcurrentTx', ...base };
  return { status: 'Accepted', ...base };
}

interface TokenQueryShape {
  readonly otherStation: boolean;
  readonly exclude: boolean;
  readonly silent: boolean;
}

interface TokenQueryParams {
  readonly idToken: string;
  readonly stationId: string;
  readonly excludeTransactionId: string;
  readonly since: Date;
  readonly limit: number;
}

/** The token's row with (up to `limit`) its active transactions counted, compiled once per shape of the scope. */
function tokenQueryOf(shape: TokenQueryShape) {
  return queryTemplate((db, p: TokenQueryParams) =>
    db
      .selectFrom('id_tokens')
      .selectAll()
      .select((eb) =>
        eb
          .selectFrom(
            activeTransactions(
              db,
              { idToken: p.idToken },
              {
                stationId: p.stationId,
                concurrency: shape.otherStation ? 'other-station' : 'any',
                ...(shape.exclude ? { excludeTransactionId: p.excludeTransactionId } : {}),
              },
              p.limit,
              shape.silent ? p.since : undefined,
            ).as('active'),
          )
          .select(eb.fn.countAll<string>().as('n'))
          .as('token_active'),
      )
      .where('id_token', '=', p.idToken),
  );
}

const tokenQueries = new Map<string, ReturnType<typeof tokenQueryOf>>();

/** {@link tokenQueryOf}'s template of `shape` (at most eight shapes). */
function tokenAndActive(shape: TokenQueryShape): ReturnType<typeof tokenQueryOf> {
  const key = `${shape.otherStation ? 1 : 0}${shape.exclude ? 1 : 0}${shape.silent ? 1 : 0}`;
  let template = tokenQueries.get(key);
  if (template === undefined) {
    template = tokenQueryOf(shape);
    tokenQueries.set(key, template);
  }
  return template;
}
