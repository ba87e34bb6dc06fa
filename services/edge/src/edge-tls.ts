import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { DEFAULT_CIPHERS } from 'node:tls';
import type { EdgeTlsOptions } from './edge-options.js';

/**
 * The TLS 1.2 suites OCPP requires of a CSMS (2.0.1 A00.FR.318 / A00.FR.421, 1.6 Security Whitepaper), by their
 * OpenSSL names: TLS_ECDHE_ECDSA_WITH_AES_128/256_GCM_* (an ECDSA certificate) and TLS_RSA_WITH_AES_128/256_GCM_*
 * (an RSA certificate).
 */
export const OCPP_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
] as const;

/**
 * Node's default list (its TLS 1.3 suites included) plus the OCPP suites: today's default has them through `HIGH`,
 * named here so that a changed default cannot drop them. Added last: the least preferred (TLS_RSA has no forward
 * secrecy).
 */
export function edgeCiphers(): string {
  const defaults = DEFAULT_CIPHERS.split(':');
  return [...defaults, ...OCPP_CIPHERS.filter((c) => !defaults.includes(c))].join(':');
}

/**
 * Two certificates must have different key types (one RSA, one ECDSA) and a key each: OpenSSL keeps one certificate
 * per key type, so a second one of the same type would silently replace the first, and a key without its
 * certificate would leave its suites unavailable without an error.
 */
function checkKeyTypes(tls: EdgeTlsOptions): void {
  const keys = [tls.key].flat().map((k) => createPrivateKey(k).asymmetricKeyType ?? 'unknown');
  const certs = [tls.cert].flat().map((c) => new X509Certificate(c).publicKey.asymmetricKeyType ?? 'unknown');
  const sorted = (types: string[]): string => [...types].sort().join(', ');
  if (new Set(keys).size !== keys.length || sorted(keys) !== sorted(certs))
    throw new Error(
      `edge TLS: certificates (${sorted(certs)}) and keys (${sorted(keys)}) must be one certificate and key per ` +
        'key type (rsa, ec)',
    );
}

/** The parts of the TLS options that make the secure context (what `EdgeServer.setTls` replaces). */
export function secureContextOptions(tls: EdgeTlsOptions) {
  if (Array.isArray(tls.key) || Array.isArray(tls.cert)) checkKeyTypes(tls);
  return {
    key: tls.key as string | Buffer | Array<string | Buffer>,
    cert: tls.cert as string | Buffer | Array<string | Buffer>,
    ...(tls.ca !== undefined ? { ca: tls.ca as string | Buffer | Array<string | Buffer> } : {}),
    minVersion: tls.minVersion ?? 'TLSv1.2',
    ciphers: edgeCiphers(),
  };
}

/**
 * The HTTPS server of a wss edge (security profiles 2 and 3). The TLS handshake never fails on a missing or
 * untrusted client certificate (`rejectUnauthorized: false`): the edge decides per station at the upgrade,
 * because profile 1/2 stations share the port with profile 3 ones.
 */
export function createTlsServer(tls: EdgeTlsOptions): Server {
  return createHttpsServer({
    ...secureContextOptions(tls),
    requestCert: tls.requestClientCert ?? true,
    rejectUnauthorized: false,
  });
}
