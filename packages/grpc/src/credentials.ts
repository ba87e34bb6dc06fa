import { readFileSync } from 'node:fs';

/**
 * How the gRPC APIs are protected:
 * - `token`: every call carries `authorization: Bearer <token>` (compared in constant time);
 * - `mtls`: TLS with client certificates signed by the given CA (the handshake rejects others);
 * - `none`: no credential (only for development on loopback; the embedded default when no token is set).
 * Health checks (`grpc.health.v1.Health`) never need a credential, so probes work.
 */
export type ApiAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string; readonly tls?: TlsFiles }
  | { readonly kind: 'mtls'; readonly tls: Required<TlsFiles> };

/** PEM file paths. Server: cert+key (and ca for mTLS). Client: ca to trust, cert+key for mTLS. */
export interface TlsFiles {
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly caFile?: string;
}

export interface TlsMaterial {
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly ca?: Buffer;
}

export function readTlsFiles(files: TlsFiles): TlsMaterial {
  return {
    ...(files.certFile ? { cert: readFileSync(files.certFile) } : {}),
    ...(files.keyFile ? { key: readFileSync(files.keyFile) } : {}),
    ...(files.caFile ? { ca: readFileSync(files.caFile) } : {}),
  };
}
