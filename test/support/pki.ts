import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  ca: string;
  serverKey: string;
  serverCert: string;
  /** A second server certificate for the same names from the same CA, with its own key (a renewal). */
  renewed: KeyPair;
  /** Client certificates signed by the CA, by CN. */
  clients: Record<string, KeyPair>;
  /** A self-signed certificate for CN=CP3 (not from the CA). */
  rogue: KeyPair;
}

export type KeyPair = { key: string; cert: string };

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
export const RSA = ['-newkey', 'rsa:2048', '-nodes'];
const SERVER_EXT = 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n';
const CLIENT_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n';

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function read(dir: string, name: string): KeyPair {
  return {
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
  };
}

/** A self-signed certificate `<name>.crt` with its key `<name>.key`, valid for a day (or `days`). */
function selfSigned(dir: string, name: string, subject: string, ...extra: string[]): KeyPair {
  return selfSignedFor(1, dir, name, subject, ...extra);
}

function selfSignedFor(
  days: number,
  dir: string,
  name: string,
  subject: string,
  ...extra: string[]
): KeyPair {
  openssl(
    dir,
    'req',
    '-x509',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    String(days),
    '-subj',
    subject,
    ...extra,
  );
  return read(dir, name);
}

/** A new key `<name>.key` and a certificate signing request `<name>.csr` for `subject` (EC P-256 unless `keyArgs`). */
export function request(dir: string, name: string, subject: string, keyArgs = EC): void {
  openssl(dir, 'req', ...keyArgs, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
}

/** A certificate signed by the CA in `dir` (ca.crt, ca.key), with the extensions `ext`. */
function leaf(dir: string, name: string, subject: string, ext: string, keyArgs = EC): KeyPair {
  writeFileSync(join(dir, `${name}.ext`), ext);
  request(dir, name, subject, keyArgs);
  openssl(
    dir,
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
  return read(dir, name);
}

/**
 * A throw-away CA, a server certificate for 127.0.0.1 / localhost (and a renewal of it), client certificates (CN CP3, OTHER,
 * NEW3) signed by the CA and a rogue self-signed one, made with openssl in `dir`. All keys are ECDSA P-256
 * ({@link makeRsaServer} adds an RSA server certificate).
 */
export function makePki(dir: string): Pki {
  const ca = selfSigned(
    dir,
    'ca',
    '/O=Test CSO/CN=Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const server = leaf(dir, 'server', '/O=Test CSO/CN=localhost', SERVER_EXT);
  const renewed = leaf(dir, 'server-renewed', '/O=Test CSO/CN=localhost', SERVER_EXT);
  const clients = {
    CP3: leaf(dir, 'cp3', '/O=Test CSO/CN=CP3', CLIENT_EXT),
    OTHER: leaf(dir, 'other', '/O=Test CSO/CN=OTHER', CLIENT_EXT),
    NEW3: leaf(dir, 'new3', '/O=Test CSO/CN=NEW3', CLIENT_EXT),
  };
  const rogue = selfSigned(dir, 'rogue', '/O=Evil/CN=CP3');
  return { ca: ca.cert, serverKey: server.key, serverCert: server.cert, renewed, clients, rogue };
}

/**
 * An RSA (2048-bit) server certificate for the same names, signed by the CA {@link makePki} made in `dir`: with the
 * (ECDSA) server certificate, the two certificates OCPP's cipher suites need (2.0.1 A00.FR.318). `name` keeps
 * several apart.
 */
export function makeRsaServer(dir: string, name = 'server-rsa'): KeyPair {
  return leaf(dir, name, '/O=Test CSO/CN=localhost', SERVER_EXT, RSA);
}

// Further certificates, made with openssl in the folder of a PKI from makePki (ca.crt, ca.key).

/** A client certificate for CN `cn` signed by the PKI's CA, valid now (a station's certificate, profile 3). */
export function clientCertificate(dir: string, name: string, cn: string): KeyPair {
  return leaf(dir, name, `/O=Test CSO/CN=${cn}`, CLIENT_EXT);
}

/** A client certificate for CN `cn` signed by the PKI's CA that expired in 2020 (`openssl ca` sets the dates). */
export function expiredClientCertificate(dir: string, name: string, cn: string): KeyPair {
  const config = [
    '[ca]',
    'default_ca = test_ca',
    '[test_ca]',
    `database = ${name}.index`,
    'new_certs_dir = .',
    `serial = ${name}.serial`,
    'default_md = sha256',
    'policy = any',
    'x509_extensions = client',
    '[any]',
    'organizationName = optional',
    'commonName = supplied',
    '[client]',
    ...CLIENT_EXT.trim().split('\n'),
    '',
  ].join('\n');
  writeFileSync(join(dir, `${name}.cnf`), config);
  writeFileSync(join(dir, `${name}.index`), '');
  writeFileSync(join(dir, `${name}.serial`), '1000\n');
  request(dir, name, `/O=Test CSO/CN=${cn}`);
  openssl(
    dir,
    'ca',
    '-batch',
    '-notext',
    '-config',
    `${name}.cnf`,
    '-cert',
    'ca.crt',
    '-keyfile',
    'ca.key',
    '-in',
    `${name}.csr`,
    '-out',
    `${name}.crt`,
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
  );
  return read(dir, name);
}

const CA_EXTENSIONS = [
  '-addext',
  'basicConstraints=critical,CA:TRUE',
  '-addext',
  'keyUsage=critical,keyCertSign,cRLSign',
];

/** A self-signed certificate with subject `subject`: a root CA (`ca`) or a certificate no trusted CA signed. */
export function selfSignedCertificate(dir: string, name: string, subject: string, ca = false): KeyPair {
  return selfSigned(dir, name, subject, ...(ca ? CA_EXTENSIONS : []));
}

/** A self-signed CA (EC P-256) valid for ten years, `<name>.crt` / `<name>.key`: one that caps nothing it signs. */
export function longLivedCa(dir: string, name: string, subject: string): KeyPair {
  return selfSignedFor(3650, dir, name, subject, ...CA_EXTENSIONS);
}
