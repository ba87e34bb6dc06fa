import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  ca: string;
  serverKey: string;
  serverCert: string;
  /** A second server certificate for the same names from the same CA, with its own key (a renewal). */
  renewed: { key: string; cert: string };
  /** Client certificates signed by the CA, by CN. */
  clients: Record<string, { key: string; cert: string }>;
  /** A self-signed certificate for CN=CP3 (not from the CA). */
  rogue: { key: string; cert: string };
}

/**
 * A throw-away CA, a server certificate for 127.0.0.1 / localhost (and a renewal of it), client certificates (CN CP3, OTHER,
 * NEW3) signed by the CA and a rogue self-signed one, made with openssl in `dir`.
 */
export function makePki(dir: string): Pki {
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/O=Test CSO/CN=Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const leaf = (name: string, subject: string, ext: string): { key: string; cert: string } => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
    return {
      key: readFileSync(join(dir, `${name}.key`), 'utf8'),
      cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
    };
  };
  const server = leaf(
    'server',
    '/O=Test CSO/CN=localhost',
    'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  const renewed = leaf(
    'server-renewed',
    '/O=Test CSO/CN=localhost',
    'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  const clientExt = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n';
  const clients = {
    CP3: leaf('cp3', '/O=Test CSO/CN=CP3', clientExt),
    OTHER: leaf('other', '/O=Test CSO/CN=OTHER', clientExt),
    NEW3: leaf('new3', '/O=Test CSO/CN=NEW3', clientExt),
  };
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'rogue.key',
    '-out',
    'rogue.crt',
    '-days',
    '1',
    '-subj',
    '/O=Evil/CN=CP3',
  );
  return {
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    serverKey: server.key,
    serverCert: server.cert,
    renewed,
    clients,
    rogue: {
      key: readFileSync(join(dir, 'rogue.key'), 'utf8'),
      cert: readFileSync(join(dir, 'rogue.crt'), 'utf8'),
    },
  };
}
