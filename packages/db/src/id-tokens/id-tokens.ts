import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { IdTokenRow, IdTokenStatus } from './schema.js';

export interface IdTokenRecord {
  readonly idToken: string;
  /** 2.0.1 IdTokenEnumType; null/undefined matches any type. */
  readonly type?: string | null;
  readonly status: IdTokenStatus;
  readonly expiresAt?: Date | null;
  readonly groupId?: string | null;
}

/** Creates or replaces an id token (idempotent). */
export async function upsertIdToken(db: Kysely<Database>, t: IdTokenRecord): Promise<void> {
  const values = {
    type: t.type ?? null,
    status: t.status,
    expires_at: t.expiresAt ?? null,
    group_id: t.groupId ?? null,
  };
  await db
    .insertInto('id_tokens')
    .values({ id_token: t.idToken, ...values })
    .onConflict((oc) => oc.column('id_token').doUpdateSet({ ...values, updated_at: sql<Date>`now()` }))
    .execute();
}

export async function findIdToken(db: Kysely<Database>, idToken: string): Promise<IdTokenRow | undefined> {
  return db.selectFrom('id_tokens').selectAll().where('id_token', '=', idToken).executeTakeFirst();
}

export async function deleteIdToken(db: Kysely<Database>, idToken: string): Promise<boolean> {
  const r = await db.deleteFrom('id_tokens').where('id_token', '=', idToken).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Inserts a new id token; undefined when the token is stored already (nothing changes then). */
export async function insertIdToken(db: Kysely<Database>, t: IdTokenRecord): Promise<IdTokenRow | undefined> {
  return db
    .insertInto('id_tokens')
    .values({
      id_token: t.idToken,
      type: t.type ?? null,
      status: t.status,
      expires_at: t.expiresAt ?? null,
      group_id: t.groupId ?? null,
    })
    .onConflict((oc) => oc.column('id_token').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The fields of an id token to change: undefined keeps a field, null clears it. */
export interface IdTokenChanges {
  readonly type?: string | null;
  readonly status?: IdTokenStatus;
  readonly expiresAt?: Date | null;
  readonly groupId?: string | null;
}

/** Changes some fields of a stored id token; undefined when it is not stored. */
export async function updateIdToken(
  db: Kysely<Database>,
  idToken: string,
  changes: IdTokenChanges,
): Promise<IdTokenRow | undefined> {
  return db
    .updateTable('id_tokens')
    .set({
      ...(changes.type !== undefined ? { type: changes.type } : {}),
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.expiresAt !== undefined ? { expires_at: changes.expiresAt } : {}),
      ...(changes.groupId !== undefined ? { group_id: changes.groupId } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id_token', '=', idToken)
    .returningAll()
    .executeTakeFirst();
}

export interface IdTokenQuery {
  readonly limit: number;
  /** Only tokens after this one (exclusive), in token order. */
  readonly afterIdToken?: string;
  readonly status?: IdTokenStatus;
  readonly groupId?: string;
  readonly idTokenPrefix?: string;
}

/** A page of id tokens ordered by value, optionally filtered. */
export async function listIdTokens(db: Kysely<Database>, query: IdTokenQuery): Promise<IdTokenRow[]> {
  let q = db.selectFrom('id_tokens').selectAll().orderBy('id_token').limit(query.limit);
  if (query.afterIdToken !== undefined) q = q.where('id_token', '>', query.afterIdToken);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.groupId !== undefined) q = q.where('group_id', '=', query.groupId);
  if (query.idTokenPrefix) {
    // LIKE with the prefix's wildcards escaped (tokens may contain '_' or '%').
    const escaped = query.idTokenPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    q = q.where('id_token', 'like', `${escaped}%`);
  }
  return q.execute();
}
