/**
 * Both TLS key types on the station port: OCPP requires the CSMS to offer TLS_ECDHE_ECDSA_WITH_AES_128/256_GCM_*
 * and TLS_RSA_WITH_AES_128/256_GCM_* (2.0.1 A00.FR.318 / A00.FR.421, 1.6 Security Whitepaper), and a station needs
 * only one family (A00.FR.319). "The CSMS will have to provide 2 different certificates": an ECDSA suite needs an
 * ECDSA certificate, a TLS_RSA one an RSA certificate. Real TLS, real clients, a PKI made by the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MemoryCredentialStore, startEdge, startWorker } from './testing/edge-harness.js';
import type { EdgeHarness } from './testing/edge-harness.js';
import { makePki, makeRsaServer, type Pki } from '../../../test/support/pki.js';

/** The four suites: IANA name, OpenSSL name, the key type of the certificate they need. */
const SUITES = [
  ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ec'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ec'],
  ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256', 'rsa'],
  ['TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384', 'rsa'],
] as const;
const ECDSA_SUITES = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384';
const RSA_SUITES = 'AES128-GCM-SHA256:AES256-GCM-SHA384';

interface Negotiated {
  readonly version: string | null;
  readonly cipher: string;
  readonly standardName: string;
  /** Key type of the certificate the server presented ('rsa', 'ec'). */
  readonly keyType: string | undefined;
}

function negotiated(socket: TLSSocket): Negotiated {
  const cipher = socket.getCipher();
  return {
    version: socket.getProtocol(),
    cipher: cipher.name,
    standardName: cipher.standardName,
    keyType: socket.getPeerX509Certificate()?.publicKey.asymmetricKeyType,
  };
}

let dir: string;
let pki: Pki;
let both: EdgeHarness;
let rsaOnly: EdgeHarness;
let ecdsaOnly: EdgeHarness;

/** A TLS 1.2 client offering only `ciphers`: what it negotiated, or the handshake error. */
function handshake(port: number, ciphers: string): Promise<Negotiated> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: pki.ca,
      ciphers,
      maxVersion: 'TLSv1.2',
    });
    socket.once('secureConnect', () => {
      resolve(negotiated(socket));
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

/**
 * A station restricted to one suite: WebSocket upgrade (ocpp2.0.1), then a Heartbeat over it; resolves with what
 * the upgrade's TLS connection negotiated and the Heartbeat's answer.
 */
function stationSession(url: string, ciphers: string): Promise<{ tls: Negotiated; answer: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'ocpp2.0.1', { ca: pki.ca, ciphers, maxVersion: 'TLSv1.2' });
    let tls: Negotiated | undefined;
    ws.once('upgrade', (res: IncomingMessage) => {
      tls = negotiated(res.socket as TLSSocket);
    });
    ws.once('open', () => ws.send(JSON.stringify([2, 'hb-1', 'Heartbeat', {}])));
    ws.once('message', (data: Buffer) => {
      resolve({ tls: tls!, answer: JSON.parse(data.toString()) as unknown });
      ws.close();
    });
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edge-tls-key-types-'));
  pki = makePki(dir);
  const rsa = makeRsaServer(dir);
  const store = () => new MemoryCredentialStore().add('CP0', 0);
  // The order of the arrays does not matter: OpenSSL files each certificate and key under its key type.
  both = await startEdge({
    tls: { key: [rsa.key, pki.serverKey], cert: [pki.serverCert, rsa.cert] },
    store: store(),
  });
  await startWorker(both.bus);
  rsaOnly = await startEdge({ tls: { key: rsa.key, cert: rsa.cert }, store: store() });
  ecdsaOnly = await startEdge({ tls: { key: pki.serverKey, cert: pki.serverCert }, store: store() });
});

afterAll(async () => {
  await Promise.all([both?.stop(), rsaOnly?.stop(), ecdsaOnly?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('station port with an RSA and an ECDSA certificate (A00.FR.318 / A00.FR.421)', () => {
  it.each(SUITES)(
    '%s: a station offering only this suite completes TLS 1.2, the OCPP upgrade and a Heartbeat',
    async (standardName, cipher, keyType) => {
      await expect(handshake(both.port, cipher)).resolves.toEqual({
        version: 'TLSv1.2',
        cipher,
        standardName,
        keyType,
      });
      const session = await stationSession(`${both.url}/CP0`, cipher);
      expect(session.tls).toEqual({ version: 'TLSv1.2', cipher, standardName, keyType });
      expect(session.answer).toEqual([3, 'hb-1', { currentTime: expect.any(String) as string }]);
    },
  );

  it('a station without restrictions still gets TLS 1.3 (the default suites stay)', async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port: both.port, servername: 'localhost', ca: pki.ca });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    expect(socket.getProtocol()).toBe('TLSv1.3');
    socket.destroy();
  });
});

describe('why one certificate is not enough', () => {
  it('an RSA-only port fails stations restricted to the ECDSA suites', async () => {
    await expect(handshake(rsaOnly.port, RSA_SUITES)).resolves.toMatchObject({ keyType: 'rsa' });
    await expect(handshake(rsaOnly.port, ECDSA_SUITES)).rejects.toThrow(
      /handshake failure|no shared cipher/i,
    );
  });

  it('an ECDSA-only port fails stations restricted to the TLS_RSA suites', async () => {
    await expect(handshake(ecdsaOnly.port, ECDSA_SUITES)).resolves.toMatchObject({ keyType: 'ec' });
    await expect(handshake(ecdsaOnly.port, RSA_SUITES)).rejects.toThrow(
      /handshake failure|no shared cipher/i,
    );
  });
});

describe('setTls with two certificates', () => {
  it('refuses two certificates of one key type, or a key without its certificate, and keeps the current ones', async () => {
    const renewedTwice = { key: [pki.serverKey, pki.renewed.key], cert: [pki.serverCert, pki.renewed.cert] };
    expect(() => both.edge.setTls(renewedTwice)).toThrow(/one certificate and key per key type/);
    const rsa = makeRsaServer(dir, 'server-rsa-2');
    expect(() => both.edge.setTls({ key: [rsa.key, pki.serverKey], cert: [rsa.cert] })).toThrow(
      /one certificate and key per key type/,
    );
    // The port still serves both certificates.
    await expect(handshake(both.port, ECDSA_SUITES)).resolves.toMatchObject({ keyType: 'ec' });
    await expect(handshake(both.port, RSA_SUITES)).resolves.toMatchObject({ keyType: 'rsa' });
  });
});
