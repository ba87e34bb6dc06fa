import { createHash } from 'node:crypto';
import {
  autoRegisterStation,
  findStation,
  isCertificateRevoked,
  normalizePassword,
  raiseSecurityProfile,
  verifyPassword,
  type Database,
  type Kysely,
} from '@csms/db';
import type { StationCredentialStore, StationCredentials } from '@csms/edge';

/**
 * The edge's view of station credentials, backed by the stations table.
 *
 * Password hashes are deliberately slow (scrypt), which would make a reconnect storm of thousands of
 * stations CPU-bound. Successful checks are therefore remembered per (station, stored hash): a repeat
 * login with the same password skips scrypt, and any password change (new stored hash) invalidates the
 * entry by construction. Only a SHA-256 of the password is kept in memory, never the password.
 */
export class DbCredentialStore implements StationCredentialStore {
  readonly #db: Kysely<Database>;
  readonly #verified = new Map<string, string>();
  readonly #maxEntries: number;

  constructor(db: Kysely<Database>, options: { maxCachedLogins?: number } = {}) {
    this.#db = db;
    this.#maxEntries = options.maxCachedLogins ?? 200_000;
  }

  /** One read of the station's row serves both the profile and the password check of an upgrade. */
  async lookup(stationId: string): Promise<StationCredentials | undefined> {
    const row = await findStation(this.#db, stationId);
    if (!row) return undefined;
    return {
      securityProfile: row.security_profile as 0 | 1 | 2 | 3,
      checkPassword: (password) => this.#checkPassword(stationId, row.password_hash, password),
      certificateRevoked: (fingerprint) => isCertificateRevoked(this.#db, fingerprint),
    };
  }

  async #checkPassword(stationId: string, passwordHash: string | null, password: string): Promise<boolean> {
    if (!passwordHash) return false;
    const key = `${stationId}\u0000${passwordHash}`;
    const digest = createHash('sha256').update(normalizePassword(password)).digest('base64url');
    if (this.#verified.get(key) === digest) return true;
    const ok = await verifyPassword(password, passwordHash);
    if (ok) {
      if (this.#verified.size >= this.#maxEntries) {
        // Drop the oldest entry (Map keeps insertion order): bounded memory.
        const oldest = this.#verified.keys().next().value;
        if (oldest !== undefined) this.#verified.delete(oldest);
      }
      this.#verified.set(key, digest);
    }
    return ok;
  }

  autoRegister(stationId: string, securityProfile: 0 | 1 | 2 | 3): Promise<void> {
    return autoRegisterStation(this.#db, stationId, securityProfile);
  }

  async raiseSecurityProfile(stationId: string, securityProfile: 0 | 1 | 2 | 3): Promise<void> {
    await raiseSecurityProfile(this.#db, stationId, securityProfile);
  }
}
