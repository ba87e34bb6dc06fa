import { sql, type Kysely } from 'kysely';
import type { Database, IdTokenRow, IdTokenStatus } from './schema.js';

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
