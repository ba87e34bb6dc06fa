/**
 * Certificate rotation without a restart: the embedded CSMS serving wss from files, the files replaced the way
 * the kubelet replaces a rotated Secret (write elsewhere, rename into place), new TLS connections getting the
 * new certificate while an open station connection keeps working. With the second (ECDSA) pair next to an RSA one,
 * each certificate is served to the stations of its cipher suites and both pairs are reloaded.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { startEmbeddedCsms, type EmbeddedCsms } from '@csms/app';
import { ConfigError, loadConfig } from '@csms/config';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { makePki, makeRsaServer, type Pki } from '../support/pki.js';

let dir: string;
let pki: Pki;
let csms: EmbeddedCsms;
const logLines: { level: string; msg: string; fingerprint256?: string }[] = [];
const files = () => ({ cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key'), ca: join(dir, 'ca.crt') });

/** Replaces a file atomically, as the kubelet does for a Secret volume. */
function replace(path: string, content: string): void {
  writeFileSync(`${path}.new`, content);
  renameSync(`${path}.new`, path);
}

/** The SHA-256 fingerprint of the certificate a new TLS connection to the edge is served. */
function servedFingerprint(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: csms.port, ca: pki.ca, servername: 'localhost' });
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edge-tls-reload-'));
  pki = makePki(dir);
  const f = files();
  writeFileSync(f.cert, pki.serverCert);
  writeFileSync(f.key, pki.serverKey);
  writeFileSync(f.ca, pki.ca);
  const config = loadConfig({
    CSMS_HOST: '127.0.0.1',
    CSMS_PORT: '0',
    CSMS_ADMIN_PORT: '0',
    CSMS_GRPC_PORT: 'off',
    CSMS_SHUTDOWN_GRACE_MS: '500',
    CSMS_TLS_CERT_FILE: f.cert,
    CSMS_TLS_KEY_FILE: f.key,
    CSMS_TLS_CA_FILE: f.ca,
    CSMS_TLS_RELOAD_INTERVAL: '1',
  });
  const logger = createLogger({
    service: 'csms-test',
    level: 'info',
    destination: { write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[0]) },
  });
  csms = await startEmbeddedCsms({ config, logger, database: { kind: 'pglite-memory' } });
});

afterAll(async () => {
  await csms?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('edge TLS certificate rotation (CSMS_TLS_RELOAD_INTERVAL)', () => {
  it('serves a renewed certificate to new connections while an open station connection keeps working', async () => {
    expect(await servedFingerprint()).toBe(fingerprintOf(pki.serverCert));
    const station = new WebSocket(`wss://127.0.0.1:${csms.port}/ocpp/TLS-ROT-1`, 'ocpp2.0.1', { ca: pki.ca });
    await new Promise<void>((resolve, reject) => {
      station.once('open', resolve);
      station.once('error', reject);
    });

    // Key first, then certificate: in between, the pair does not match (the reloader must not care).
    replace(files().key, pki.renewed.key);
    replace(files().cert, pki.renewed.cert);
    await expect
      .poll(servedFingerprint, { timeout: 10_000, interval: 250 })
      .toBe(fingerprintOf(pki.renewed.cert));
    expect(logLines).toContainEqual(
      expect.objectContaining({
        msg: 'edge TLS certificate reloaded',
        fingerprint256: fingerprintOf(pki.renewed.cert),
      }),
    );

    // The connection opened before the rotation is still up and answered.
    expect(station.readyState).toBe(WebSocket.OPEN);
    const answer = new Promise<unknown>((resolve) =>
      station.once('message', (m: Buffer) => resolve(JSON.parse(m.toString()))),
    );
    station.send(
      JSON.stringify([
        2,
        'boot-1',
        'BootNotification',
        { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } },
      ]),
    );
    await expect(answer).resolves.toEqual([3, 'boot-1', expect.objectContaining({ status: 'Accepted' })]);
    station.close();
  });

  it('keeps the current certificate when new files cannot be used, says so once, and takes the next good set', async () => {
    const renewed = fingerprintOf(pki.renewed.cert);
    expect(await servedFingerprint()).toBe(renewed);
    // The first test's rotation may have been polled between its two renames (a logged failure): count anew.
    const earlier = logLines.length;
    const failures = () =>
      logLines.slice(earlier).filter((l) => l.level === 'error' && l.msg.includes('cannot be used'));

    // A certificate with another certificate's key: unusable.
    replace(files().cert, pki.serverCert);
    await expect.poll(() => failures().length, { timeout: 10_000, interval: 100 }).toBe(1);
    expect(await servedFingerprint()).toBe(renewed);
    // Polled again (interval 1 s) with the same broken files: not logged again.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(failures()).toHaveLength(1);
    expect(await servedFingerprint()).toBe(renewed);

    // The matching key arrives: applied.
    replace(files().key, pki.serverKey);
    await expect
      .poll(servedFingerprint, { timeout: 10_000, interval: 250 })
      .toBe(fingerprintOf(pki.serverCert));
  });
});

// The second (ECDSA) pair: a CSMS of its own, reloading on SIGHUP only.
const ECDSA_SUITE = 'ECDHE-ECDSA-AES128-GCM-SHA256';
const RSA_SUITE = 'AES256-GCM-SHA384';
type LogLine = { level: string; msg: string; fingerprint256?: string; ecdsaCertificate?: unknown };
const dualLines: LogLine[] = [];
const dualLogger = createLogger({
  service: 'csms-test',
  level: 'info',
  destination: { write: (line: string) => void dualLines.push(JSON.parse(line) as LogLine) },
});
const dualEcdsaFiles = () => ({ cert: join(dir, 'dual-ecdsa.crt'), key: join(dir, 'dual-ecdsa.key') });

/** The configuration of a CSMS with both pairs, written to files `<prefix>-main.*` and `<prefix>-ecdsa.*`. */
function twoPairConfig(
  prefix: string,
  main: { key: string; cert: string },
  ecdsa: { key: string; cert: string },
) {
  const write = (name: string, content: string): string => {
    writeFileSync(join(dir, `${prefix}-${name}`), content);
    return join(dir, `${prefix}-${name}`);
  };
  return loadConfig({
    CSMS_HOST: '127.0.0.1',
    CSMS_PORT: '0',
    CSMS_ADMIN_PORT: '0',
    CSMS_GRPC_PORT: 'off',
    CSMS_SHUTDOWN_GRACE_MS: '500',
    CSMS_TLS_CERT_FILE: write('main.crt', main.cert),
    CSMS_TLS_KEY_FILE: write('main.key', main.key),
    CSMS_TLS_ECDSA_CERT_FILE: write('ecdsa.crt', ecdsa.cert),
    CSMS_TLS_ECDSA_KEY_FILE: write('ecdsa.key', ecdsa.key),
    CSMS_TLS_RELOAD_INTERVAL: '0',
  });
}

/** The fingerprint of the certificate served to a TLS 1.2 station offering only `cipher`. */
function servedTo(port: number, cipher: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      ca: pki.ca,
      servername: 'localhost',
      ciphers: cipher,
      maxVersion: 'TLSv1.2',
    });
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('the ECDSA pair (CSMS_TLS_ECDSA_CERT_FILE / _KEY_FILE) next to an RSA one', () => {
  let rsa: ReturnType<typeof makeRsaServer>;
  let dual: EmbeddedCsms;
  const start = (config: ReturnType<typeof loadConfig>) =>
    startEmbeddedCsms({ config, logger: dualLogger, database: { kind: 'pglite-memory' } });

  beforeAll(async () => {
    rsa = makeRsaServer(dir);
    dual = await start(twoPairConfig('dual', rsa, { key: pki.serverKey, cert: pki.serverCert }));
  });
  afterAll(async () => {
    await dual?.stop();
  });

  it('refuses at start a second pair of the same key type as the first', async () => {
    const twoEcdsa = start(
      twoPairConfig('two-ec', pki.renewed, { key: pki.serverKey, cert: pki.serverCert }),
    );
    await expect(twoEcdsa).rejects.toThrow(ConfigError);
    await expect(twoEcdsa).rejects.toThrow(/CSMS_TLS_KEY_FILE=.*: expected an RSA key .* found ec/);
    const twoRsa = start(twoPairConfig('two-rsa', rsa, rsa));
    await expect(twoRsa).rejects.toThrow(
      /CSMS_TLS_ECDSA_KEY_FILE=.*: expected an ECDSA \(EC\) key, found rsa/,
    );
  });

  it('serves each certificate to the stations of its suites; SIGHUP applies a renewed ECDSA pair', async () => {
    const served = (cipher: string) => servedTo(dual.port, cipher);
    expect(await served(ECDSA_SUITE)).toBe(fingerprintOf(pki.serverCert));
    expect(await served(RSA_SUITE)).toBe(fingerprintOf(rsa.cert));

    replace(dualEcdsaFiles().key, pki.renewed.key);
    replace(dualEcdsaFiles().cert, pki.renewed.cert);
    process.emit('SIGHUP', 'SIGHUP');
    await expect
      .poll(() => served(ECDSA_SUITE), { timeout: 10_000, interval: 250 })
      .toBe(fingerprintOf(pki.renewed.cert));
    expect(await served(RSA_SUITE)).toBe(fingerprintOf(rsa.cert));
    expect(dualLines).toContainEqual(
      expect.objectContaining({
        msg: 'edge TLS certificate reloaded',
        fingerprint256: fingerprintOf(rsa.cert),
        ecdsaCertificate: expect.objectContaining({
          fingerprint256: fingerprintOf(pki.renewed.cert),
        }) as unknown,
      }),
    );

    // An RSA pair in the ECDSA files: logged, not applied; both certificates stay.
    const other = makeRsaServer(dir, 'server-rsa-other');
    replace(dualEcdsaFiles().key, other.key);
    replace(dualEcdsaFiles().cert, other.cert);
    process.emit('SIGHUP', 'SIGHUP');
    await expect
      .poll(() => dualLines.filter((l) => l.level === 'error' && l.msg.includes('cannot be used')).length)
      .toBe(1);
    expect(await served(ECDSA_SUITE)).toBe(fingerprintOf(pki.renewed.cert));
    expect(await served(RSA_SUITE)).toBe(fingerprintOf(rsa.cert));
  });
});
