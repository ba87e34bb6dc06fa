import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

// scrypt parameters (RFC 7914): N=2^14, r=8, p=1 costs ~16 MiB and tens of ms per check, which bounds
// brute force while keeping a boot storm of thousands of Basic-auth upgrades affordable.
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

/**
 * OCPP 1.6 keeps the Basic-auth password in the AuthorizationKey configuration key as up to 40
 * hexadecimal digits of a binary key (Security Whitepaper A00.FR.205); a station may send it as that
 * hex text or as the raw bytes (which the edge turns into upper-case hex). Hex digits are therefore
 * compared case-insensitively: a password made only of an even number of hex digits is upper-cased
 * before hashing and before checking. Other passwords are used exactly as given.
 */
export function normalizePassword(password: string): string {
  return password.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(password) ? password.toUpperCase() : password;
}

/** Hashes a station password as `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(normalizePassword(password), salt, KEYLEN, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a password against a {@link hashPassword} hash in constant time. False on any malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltText, keyText] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyText, 'base64url');
  if (expected.length === 0) return false;
  const key = await scrypt(normalizePassword(password), Buffer.from(saltText, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return timingSafeEqual(key, expected);
}
