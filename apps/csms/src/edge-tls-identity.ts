import { createPrivateKey } from 'node:crypto';
import type { EdgeTlsOptions } from '@csms/edge';
import type { TlsFileContents, TlsFiles } from './tls-reloader.js';

/**
 * The edge's TLS options from the files' contents. With the second pair (CSMS_TLS_ECDSA_*) the edge gets one
 * certificate and key of each type, and OpenSSL picks per handshake: an ECDSA certificate for
 * TLS_ECDHE_ECDSA_WITH_AES_*_GCM_*, the RSA one for TLS_RSA_WITH_AES_*_GCM_* (2.0.1 A00.FR.318 / A00.FR.421).
 */
export function edgeTlsOf(contents: TlsFileContents, requestClientCert: boolean | undefined): EdgeTlsOptions {
  const { cert, key, ca, ecdsa } = contents;
  return {
    cert: ecdsa ? [cert, ecdsa.cert] : cert,
    key: ecdsa ? [key, ecdsa.key] : key,
    ...(ca !== undefined ? { ca } : {}),
    ...(requestClientCert !== undefined ? { requestClientCert } : {}),
  };
}

/** The inverse of {@link edgeTlsOf} for options read from files (Buffers), in the same order. */
export function contentsOf(tls: EdgeTlsOptions): TlsFileContents {
  const [cert, ecdsaCert] = [tls.cert].flat() as Buffer[];
  const [key, ecdsaKey] = [tls.key].flat() as Buffer[];
  if (!cert || !key) throw new Error('edge TLS: no certificate or key');
  return {
    cert,
    key,
    ...(tls.ca !== undefined ? { ca: tls.ca as Buffer } : {}),
    ...(ecdsaCert && ecdsaKey ? { ecdsa: { cert: ecdsaCert, key: ecdsaKey } } : {}),
  };
}

/**
 * With the second pair, the main key must be RSA and the second one ECDSA: two certificates of one key type cannot
 * both be served (OpenSSL keeps one per type), and the names say which is which. Empty when fine or single.
 */
export function keyTypeProblems(contents: TlsFileContents, files: TlsFiles): string[] {
  if (!contents.ecdsa || !files.ecdsa) return [];
  const problems: string[] = [];
  const ecdsa = keyType(contents.ecdsa.key);
  if (ecdsa !== 'ec')
    problems.push(
      `CSMS_TLS_ECDSA_KEY_FILE=${files.ecdsa.keyFile}: expected an ECDSA (EC) key, found ${ecdsa}`,
    );
  const main = keyType(contents.key);
  if (main !== 'rsa')
    problems.push(
      `CSMS_TLS_KEY_FILE=${files.keyFile}: expected an RSA key next to CSMS_TLS_ECDSA_KEY_FILE (one certificate ` +
        `per key type), found ${main}`,
    );
  return problems;
}

function keyType(pem: Buffer): string {
  try {
    return createPrivateKey(pem).asymmetricKeyType ?? 'an unknown key type';
  } catch {
    return 'no readable PEM private key';
  }
}
