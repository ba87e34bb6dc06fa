import type { Seed } from '@csms/config';
import {
  findStation,
  upsertIdToken,
  upsertStation,
  verifyPassword,
  type Database,
  type Kysely,
} from '@csms/db';

/**
 * Loads the seed file's stations and id tokens. Idempotent: running it again changes nothing, and a
 * station's password is re-hashed only when it differs from the stored one.
 */
export async function applySeed(
  db: Kysely<Database>,
  seed: Seed,
): Promise<{ stations: number; idTokens: number }> {
  for (const s of seed.stations) {
    const existing = await findStation(db, s.id);
    const samePassword =
      s.password !== undefined &&
      existing?.password_hash != null &&
      (await verifyPassword(s.password, existing.password_hash));
    await upsertStation(db, {
      id: s.id,
      securityProfile: s.securityProfile ?? 1,
      ...(s.password !== undefined && !samePassword ? { password: s.password } : {}),
      ...(s.bootPolicy !== undefined ? { bootPolicy: s.bootPolicy } : {}),
    });
  }
  for (const t of seed.idTokens) {
    await upsertIdToken(db, {
      idToken: t.idToken,
      type: t.type ?? null,
      status: t.status ?? 'Accepted',
      expiresAt: t.expiresAt ? new Date(t.expiresAt) : null,
      groupId: t.groupId ?? null,
    });
  }
  return { stations: seed.stations.length, idTokens: seed.idTokens.length };
}
