/**
 * A throw-away ISO 15118-style PKI (root → sub-CA → certificates) and real OCSP responders for it on loopback:
 * `openssl ocsp` processes serving an index of good and revoked certificates, one per issuer: the sub-CA's answers
 * signed by a delegated responder certificate (extendedKeyUsage OCSPSigning), the root's by the root itself. Every
 * certificate names its issuer's responder in its Authority Information Access. For GetCertificateStatus (M06) and
 * contract certificate (C07) tests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { ocspCertIdOf, type OcspCertId } from '@csms/station-ca';
import { freePort } from '@csms/test-servers';

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
type Issued = 'good' | 'revoked' | 'contract';

export interface OcspPki {
  /** The sub-CA's responder (http://127.0.0.1:<port>/). */
  readonly url: string;
  readonly root: string;
  readonly subCa: string;
  /** Certificates the sub-CA issued (PEM); `revoked` is revoked in the responder's index. */
  readonly certs: Readonly<Record<Issued, string>>;
  /** The OCPP OCSP request data of one of {@link certs}. */
  certId(name: Issued, hashAlgorithm?: OcspCertId['hashAlgorithm']): OcspCertId;
  /** OCSP requests made so far (counted as they arrive) to both responders, or to the sub-CA's or the root's. */
  requests(responder?: 'sub' | 'root'): number;
  close(): Promise<void>;
}

/** openssl in `dir`; its output as text. */
function opensslIn(dir: string) {
  return (...args: string[]) => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
}

/** A certificate `<name>.crt` (key `<name>.key`) for `subject`, issued by `ca` with the extensions `ext`. */
function issue(dir: string, name: string, subject: string, ca: string, ext: string): string {
  const openssl = opensslIn(dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
  );
  return readFileSync(join(dir, `${name}.crt`), 'utf8');
}

/** An openssl ocsp index line (status, expiry, revocation time, serial, file, subject; tab-separated). */
function indexLine(dir: string, name: string, status: 'V' | 'R'): string {
  const openssl = opensslIn(dir);
  const serial = openssl('x509', '-in', `${name}.crt`, '-noout', '-serial')
    .trim()
    .replace(/^serial=/, '');
  const subject = openssl('x509', '-in', `${name}.crt`, '-noout', '-subject', '-nameopt', 'compat')
    .trim()
    .replace(/^subject=/, '');
  return [status, '991231235959Z', status === 'R' ? '240101000000Z' : '', serial, 'unknown', subject].join(
    '\t',
  );
}

/** Runs `openssl ocsp` on `port` for the certificates of `index` issued by `ca`, signed by `signer`. */
function startResponder(
  dir: string,
  port: number,
  index: string,
  ca: string,
  signer: string,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const args = [
      'ocsp',
      '-index',
      index,
      '-port',
      String(port),
      '-rsigner',
      `${signer}.crt`,
      '-rkey',
      `${signer}.key`,
    ];
    const c = spawn('openssl', [...args, '-CA', `${ca}.crt`, '-ignore_err', '-nmin', '60'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const timer = setTimeout(() => reject(new Error('openssl ocsp did not start within 10 s')), 10_000);
    const onLine = (text: string) => {
      output.push(text);
      if (/waiting for OCSP client connections/i.test(text)) {
        clearTimeout(timer);
        resolve(c);
      }
    };
    if (c.stdout) createInterface({ input: c.stdout }).on('line', onLine);
    if (c.stderr) createInterface({ input: c.stderr }).on('line', onLine);
    c.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl ocsp exited with ${code}: ${output.slice(-5).join(' | ')}`));
    });
  });
}

/**
 * A TCP proxy to `target` counting its connections: openssl's responder answers one request per connection, and
 * the count is up before the CSMS has its answer (unlike the responder's own output, read later through a pipe).
 */
async function countingProxy(target: number): Promise<{ port: number; count(): number; close(): void }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections += 1;
    const upstream = connect(target, '127.0.0.1');
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined).once('close', () => sockets.delete(s));
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    count: () => connections,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

export async function startOcspPki(): Promise<OcspPki> {
  const dir = mkdtempSync(join(tmpdir(), 'csms-ocsp-'));
  const [port, rootPort] = [await freePort(), await freePort()];
  const proxies = [await countingProxy(port), await countingProxy(rootPort)];
  const url = `http://127.0.0.1:${proxies[0]!.port}/`;
  const aia = (responder: string) => `authorityInfoAccess=OCSP;URI:${responder}\n`;
  opensslIn(dir)(
    'req',
    '-x509',
    ...EC,
    '-keyout',
    'root.key',
    '-out',
    'root.crt',
    '-days',
    '2',
    '-subj',
    '/O=Test V2G/CN=V2G Root',
  );
  const caExt = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';
  issue(
    dir,
    'sub',
    '/O=Test V2G/CN=V2G Sub-CA',
    'root',
    caExt + aia(`http://127.0.0.1:${proxies[1]!.port}/`),
  );
  const leafExt = `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n${aia(url)}`;
  const certs: Record<Issued, string> = {
    good: issue(dir, 'good', '/O=Test CPO/CN=SECC-GOOD', 'sub', leafExt),
    revoked: issue(dir, 'revoked', '/O=Test CPO/CN=SECC-REVOKED', 'sub', leafExt),
    contract: issue(dir, 'contract', '/O=Test MO/CN=NLTSTC00000001', 'sub', leafExt),
  };
  issue(
    dir,
    'responder',
    '/O=Test V2G/CN=OCSP Responder',
    'sub',
    'basicConstraints=CA:FALSE\nextendedKeyUsage=OCSPSigning\n',
  );
  const lines = ['good', 'contract'].map((n) => indexLine(dir, n, 'V'));
  writeFileSync(join(dir, 'index.txt'), `${[...lines, indexLine(dir, 'revoked', 'R')].join('\n')}\n`);
  writeFileSync(join(dir, 'root-index.txt'), `${indexLine(dir, 'sub', 'V')}\n`);
  const children = [
    await startResponder(dir, port, 'index.txt', 'sub', 'responder'),
    await startResponder(dir, rootPort, 'root-index.txt', 'root', 'root'),
  ];
  const subCa = readFileSync(join(dir, 'sub.crt'), 'utf8');
  return {
    url,
    root: readFileSync(join(dir, 'root.crt'), 'utf8'),
    subCa,
    certs,
    certId: (name, hashAlgorithm = 'SHA256') => ocspCertIdOf(certs[name], subCa, hashAlgorithm),
    requests: (responder) =>
      responder === undefined
        ? proxies.reduce((sum, p) => sum + p.count(), 0)
        : proxies[responder === 'sub' ? 0 : 1]!.count(),
    close: async () => {
      for (const p of proxies) p.close();
      for (const c of children) {
        if (c.exitCode !== null) continue;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
