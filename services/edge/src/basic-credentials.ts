/** What an `Authorization` request header carries, as far as the edge is concerned. */
export type PresentedBasicCredentials =
  | { readonly kind: 'none' }
  /** An `Authorization` header that is not a well-formed Basic credential (or another scheme). */
  | { readonly kind: 'malformed' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// C0 controls and DEL: a password that contains them is binary, not text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Parses an HTTP Basic `Authorization` header (RFC 7617): `Basic base64(user-id ":" password)`, split at the
 * first colon. The username is taken as is (no percent-decoding: it must equal the decoded station identity,
 * A00.FR.204 / A00.FR.303).
 *
 * The password is passed on as text when its bytes are UTF-8 without control characters (2.0.1 A00.FR.205: "sent
 * as a UTF-8 encoded string"; 1.6 stations that send the hexadecimal AuthorizationKey as text). Otherwise it is
 * a raw binary key — OCPP-J 1.6 §6.2.2: "The password is a 20-byte key" — and is passed on as uppercase hex, the
 * representation of the AuthorizationKey configuration key (OCPP-J 1.6 errata §3.12), so a credential store can
 * compare it with the configured key. Pure; never throws.
 */
export function parseBasicAuthorization(header: string | undefined): PresentedBasicCredentials {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const match = /^\s*basic\s+(\S+)\s*$/i.exec(header);
  const encoded = match?.[1];
  if (encoded === undefined || !BASE64.test(encoded)) return { kind: 'malformed' };
  const bytes = Buffer.from(encoded, 'base64');
  const colon = bytes.indexOf(0x3a);
  if (colon < 0) return { kind: 'malformed' };
  let username: string;
  try {
    username = utf8.decode(bytes.subarray(0, colon));
  } catch {
    return { kind: 'malformed' };
  }
  const passwordBytes = bytes.subarray(colon + 1);
  return { kind: 'basic', username, password: passwordText(passwordBytes) };
}

function passwordText(bytes: Uint8Array): string {
  try {
    const text = utf8.decode(bytes);
    if (!CONTROL.test(text)) return text;
  } catch {
    // not UTF-8: a binary key
  }
  return Buffer.from(bytes).toString('hex').toUpperCase();
}
