/**
 * The station CA against real PKI made by openssl: CSRs of both key types checked and signed by the built-in CA
 * (EC and RSA CA keys) and by an external signer command; every issued chain verified by `openssl verify`.
 */
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandCertificateSigner } from './command-certificate-signer.js';
import { leafCertificateFacts, pemCertificates } from './certificate-facts.js';
import { checkCsr } from './csr-check.js';
import { FileCertificateAuthority } from './file-certificate-authority.js';

let dir: string;
const openssl = (...args: string[]): string =>
  execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

/** A CSR made by openssl with a new key (`ec` P-256, `rsa:<bits>`). */
function csr(name: string, subject: string, key = 'ec'): string {
  const keyArgs =
    key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', key];
  openssl(
    'req',
    '-new',
    ...keyArgs,
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  );
  return read(`${name}.csr`);
}

/** A self-signed CA `<name>.crt` / `<name>.key`. */
function ca(name: string, key: string[]): void {
  openssl(
    'req',
    '-x509',
    ...key,
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '30',
    '-subj',
    `/O=Test CSO/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
}

/** `openssl verify` of the leaf of `chain` against the CA file. */
function verify(chain: string, caFile: string): string {
  const [leaf] = pemCertificates(chain);
  writeFileSync(join(dir, 'leaf.pem'), leaf!);
  return openssl('verify', '-CAfile', caFile, 'leaf.pem').trim();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'station-ca-'));
  ca('ec-ca', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']);
  ca('rsa-ca', ['-newkey', 'rsa:2048']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkCsr', () => {
  it('accepts EC P-256 and RSA 2048 CSRs whose CN is the station and O the CSO', async () => {
    expect(
      await checkCsr(csr('a', '/O=Test CSO/CN=CS-1'), { stationId: 'CS-1', organization: 'Test CSO' }),
    ).toMatchObject({
      ok: true,
      key: { type: 'ec', curve: 'prime256v1' },
    });
    expect(await checkCsr(csr('b', '/O=Test CSO/CN=CS-1', 'rsa:2048'), { stationId: 'CS-1' })).toMatchObject({
      ok: true,
      key: { type: 'rsa', bits: 2048 },
    });
  });

  it('refuses another station, another organization, a missing O, a small key, garbage and a forged signature', async () => {
    const good = csr('c', '/O=Test CSO/CN=CS-2');
    expect(await checkCsr(good, { stationId: 'CS-OTHER' })).toMatchObject({
      ok: false,
      reasonCode: 'InvalidCommonName',
    });
    expect(await checkCsr(good, { stationId: 'CS-2', organization: 'Other CSO' })).toMatchObject({
      ok: false,
      reasonCode: 'InvalidOrganization',
    });
    expect(await checkCsr(csr('d', '/CN=CS-2'), { stationId: 'CS-2' })).toMatchObject({
      ok: false,
      reasonCode: 'InvalidOrganization',
    });
    expect(await checkCsr(csr('e', '/O=Test CSO/CN=CS-2', 'rsa:1024'), { stationId: 'CS-2' })).toMatchObject({
      ok: false,
      reasonCode: 'InvalidKey',
    });
    expect(
      await checkCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', {
        stationId: 'CS-2',
      }),
    ).toMatchObject({ ok: false, reasonCode: 'InvalidCSR' });
    expect(await checkCsr('not a csr', { stationId: 'CS-2' })).toMatchObject({
      ok: false,
      reasonCode: 'InvalidCSR',
    });
    // The same CSR with one byte of its signature changed: well formed, but not signed by its key.
    const der = Buffer.from(good.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
    der[der.length - 3] = der[der.length - 3]! ^ 0x01;
    const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(await checkCsr(forged, { stationId: 'CS-2' })).toMatchObject({
      ok: false,
      reasonCode: 'InvalidSignature',
    });
  });
});

describe('checkCsr, V2G (ISO 15118 SECC) certificates', () => {
  it('takes the SeccId as CN, any O, and only an EC P-256 key', async () => {
    const v2g = { stationId: 'CS-3', certificateType: 'V2GCertificate' as const };
    expect(await checkCsr(csr('v1', '/O=Test CPO/CN=DE-ICE-S-0003C4D5-2'), v2g)).toMatchObject({ ok: true });
    expect(await checkCsr(csr('v2', '/O=Test CPO/CN=DE-ICE-S-0003C4D5-2', 'rsa:2048'), v2g)).toMatchObject({
      ok: false,
      reasonCode: 'InvalidKey',
    });
    const p384 = ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1', '-nodes'];
    openssl(...p384, '-keyout', 'v3.key', '-out', 'v3.csr', '-subj', '/O=Test CPO/CN=SECC-1');
    expect(await checkCsr(read('v3.csr'), v2g)).toMatchObject({ ok: false, reasonCode: 'InvalidKey' });
    expect(await checkCsr(csr('v4', '/O=Test CPO'), v2g)).toMatchObject({
      ok: false,
      reasonCode: 'InvalidCommonName',
    });
  });
});

describe('FileCertificateAuthority', () => {
  it.each([
    ['ec-ca', 'ec'],
    ['ec-ca', 'rsa:2048'],
    ['rsa-ca', 'ec'],
    ['rsa-ca', 'rsa:2048'],
  ])("%s signs a %s CSR: the chain verifies, subject and key are the CSR's", async (caName, key) => {
    const authority = await FileCertificateAuthority.fromFiles(
      join(dir, `${caName}.crt`),
      join(dir, `${caName}.key`),
      {
        validityDays: 10,
      },
    );
    const request = csr(`s-${caName}-${key}`, '/O=Test CSO/CN=CS-9', key);
    const chain = await authority.sign({
      csrPem: request,
      stationId: 'CS-9',
      certificateType: 'ChargingStationCertificate',
    });
    expect(pemCertificates(chain)).toHaveLength(2);
    expect(verify(chain, `${caName}.crt`)).toBe('leaf.pem: OK');
    const leaf = new X509Certificate(pemCertificates(chain)[0]!);
    expect(leaf.subject).toBe('O=Test CSO\nCN=CS-9');
    expect(leaf.ca).toBe(false);
    expect(
      leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(read(`s-${caName}-${key}.key`))),
    ).toBe(true);
    const facts = leafCertificateFacts(chain);
    const days = (facts.notAfter.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(9.9);
    expect(days).toBeLessThan(10.1);
    expect(facts.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // No Extended Key Usage (A00.FR.514); key usage restricted (A00.FR.512).
    const text = openssl('x509', '-in', 'leaf.pem', '-noout', '-text');
    expect(text).not.toContain('Extended Key Usage');
    expect(text).toContain('Digital Signature');
  });

  it("caps the validity at the CA certificate's end and refuses a key that is not the CA's", async () => {
    const authority = await FileCertificateAuthority.fromFiles(
      join(dir, 'ec-ca.crt'),
      join(dir, 'ec-ca.key'),
      {
        validityDays: 3650,
      },
    );
    const chain = await authority.sign({
      csrPem: csr('long', '/O=Test CSO/CN=CS-10'),
      stationId: 'CS-10',
      certificateType: 'ChargingStationCertificate',
    });
    const caEnd = new Date(new X509Certificate(read('ec-ca.crt')).validTo);
    expect(leafCertificateFacts(chain).notAfter.getTime()).toBeLessThanOrEqual(caEnd.getTime());
    await expect(
      FileCertificateAuthority.fromFiles(join(dir, 'ec-ca.crt'), join(dir, 'rsa-ca.key'), {
        validityDays: 1,
      }),
    ).rejects.toThrow(/does not belong to the CA certificate/);
    await expect(
      FileCertificateAuthority.fromFiles(join(dir, 'leaf.pem'), join(dir, 'ec-ca.key'), { validityDays: 1 }),
    ).rejects.toThrow(/not a CA certificate/);
  });
});

describe('CommandCertificateSigner', () => {
  it('passes the CSR to the program and takes the chain it prints; a failing program is an error', async () => {
    const script = join(dir, 'sign.sh');
    writeFileSync(
      script,
      `#!/bin/sh\nset -e\ncd "${dir}"\ntest "$CSMS_STATION_ID" = CS-11\ncat > ext.csr\n` +
        'openssl x509 -req -in ext.csr -CA ec-ca.crt -CAkey ec-ca.key -CAcreateserial -days 2 2>/dev/null\ncat ec-ca.crt\n',
      { mode: 0o755 },
    );
    const signer = new CommandCertificateSigner({ command: [script], timeoutMs: 10_000 });
    const chain = await signer.sign({
      csrPem: csr('ext', '/O=Test CSO/CN=CS-11'),
      stationId: 'CS-11',
      certificateType: 'ChargingStationCertificate',
    });
    expect(verify(chain, 'ec-ca.crt')).toBe('leaf.pem: OK');
    // A program that refuses without reading the CSR (its input pipe closed: EPIPE) is an error, not a crash.
    const refuser = join(dir, 'refuse.sh');
    writeFileSync(refuser, '#!/bin/sh\necho no >&2\nexit 3\n', { mode: 0o755 });
    const big = `${csr('ext3', '/O=Test CSO/CN=CS-13')}${' '.repeat(256 * 1024)}`;
    for (let i = 0; i < 5; i++)
      await expect(
        new CommandCertificateSigner({ command: [refuser], timeoutMs: 10_000 }).sign({
          csrPem: big,
          stationId: 'CS-13',
          certificateType: 'ChargingStationCertificate',
        }),
      ).rejects.toThrow(/refuse\.sh failed[^]*: no/);
    await expect(
      signer.sign({
        csrPem: csr('ext2', '/O=Test CSO/CN=CS-12'),
        stationId: 'CS-12',
        certificateType: 'ChargingStationCertificate',
      }),
    ).rejects.toThrow(/certificate signer .* failed/);
  });
});
