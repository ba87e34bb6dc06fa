import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { EdgeTlsOptions } from './edge-options.js';

/** The parts of the TLS options that make the secure context (what `EdgeServer.setTls` replaces). */
export function secureContextOptions(tls: EdgeTlsOptions) {
  return {
    key: tls.key,
    cert: tls.cert,
    ...(tls.ca !== undefined ? { ca: tls.ca as string | Buffer | Array<string | Buffer> } : {}),
    minVersion: tls.minVersion ?? 'TLSv1.2',
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
