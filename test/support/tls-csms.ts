/**
 * The embedded test CSMS serving wss (Security Profiles 2 and 3) with a throw-away PKI, and OCPP stations that
 * connect to it over TLS: independent `ocpp-rpc` clients in strict mode (Basic credentials and / or a client
 * certificate, optionally restricted TLS versions and cipher suites), wrapped as {@link SimStation}s.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type SecureVersion, type TLSSocket } from 'node:tls';
import { Subjects, type ConnectionEvent } from '@csms/bus';
import type { V16Actions, V201Actions } from '@csms/ocpp';
import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions as RPCClientOptions } from 'ocpp-rpc/lib/client.js';
import { expect } from 'vitest';
import { startTestCsms, type TestCsms } from './csms.js';
import { makePki, makeRsaServer, type KeyPair, type Pki } from './pki.js';
import { SimStation, type Station16, type Station201 } from './scenario.js';

/** The TLS 1.2 suites OCPP requires of a CSMS (A00.FR.318 / A00.FR.421): IANA name, OpenSSL name, key type. */
export const OCPP_SUITES = [
  ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ec'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ec'],
  ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256', 'rsa'],
  ['TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384', 'rsa'],
] as const;

/** The server name the stations are configured with (the CN and a SAN of the test server certificates). */
export const SERVER_NAME = 'localhost';

/** What the station's TLS connection negotiated, read from the socket of the WebSocket upgrade. */
export interface Negotiated {
  readonly version: string | null;
  /** IANA name of the cipher suite. */
  readonly suite: string;
  /** The server certificate as the station received it. */
  readonly serverCertificate: X509Certificate | undefined;
}

/** TLS client options a station may restrict (node:tls names). */
export interface StationTlsOptions {
  readonly ciphers?: string;
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
}

export interface TlsStationOptions {
  readonly id: string;
  /** Basic password (Security Profile 2). */
  readonly password?: string;
  /** Client certificate and key (Security Profile 3). */
  readonly certificate?: KeyPair;
  readonly tls?: StationTlsOptions;
}

/** A CSMS on wss with both server certificates (RSA and ECDSA) and the test CA for client certificates. */
export interface TlsCsms {
  readonly csms: TestCsms;
  readonly pki: Pki;
  /** The folder of the PKI files (ca.crt and ca.key sign further client certificates). */
  readonly dir: string;
  /** `wss://127.0.0.1:<port>/ocpp`. */
  readonly endpoint: string;
  /**
   * Connects an OCPP 1.6 station over wss: it trusts the test CA, names the server {@link SERVER_NAME}, sends the
   * Basic credentials and the client certificate it is given. Rejects as ocpp-rpc does: an
   * `UnexpectedHttpResponse` with the HTTP status as `code` for a refused upgrade, the TLS error for a failed
   * handshake.
   */
  connect16(options: TlsStationOptions): Promise<{ station: Station16; tls: Negotiated }>;
  /** Connects an OCPP 2.0.1 station over wss, as {@link connect16}. */
  connect201(options: TlsStationOptions): Promise<{ station: Station201; tls: Negotiated }>;
  close(): Promise<void>;
}

/** Starts the embedded test CSMS on wss (CSMS_TLS_*), refusing unknown stations, with `seed` as its seed file. */
export async function startTlsCsms(seed: string): Promise<TlsCsms> {
  const dir = mkdtempSync(join(tmpdir(), 'csms-tls-'));
  const pki = makePki(dir);
  makeRsaServer(dir, 'server-rsa');
  const csms = await startTestCsms({
    seed,
    env: {
      CSMS_AUTO_REGISTER: 'false',
      // The RSA pair as the main one and the ECDSA pair next to it: all four OCPP suites are offered.
      CSMS_TLS_CERT_FILE: join(dir, 'server-rsa.crt'),
      CSMS_TLS_KEY_FILE: join(dir, 'server-rsa.key'),
      CSMS_TLS_ECDSA_CERT_FILE: join(dir, 'server.crt'),
      CSMS_TLS_ECDSA_KEY_FILE: join(dir, 'server.key'),
      CSMS_TLS_CA_FILE: join(dir, 'ca.crt'),
      CSMS_TLS_RELOAD_INTERVAL: '0',
    },
  });
  const endpoint = `wss://127.0.0.1:${csms.port}/ocpp`;
  const clients = new Set<RPCClient>();
  const connect = async (protocol: 'ocpp1.6' | 'ocpp2.0.1', options: TlsStationOptions) => {
    const client = new RPCClient({
      endpoint,
      identity: options.id,
      protocols: [protocol],
      strictMode: true,
      reconnect: false,
      callTimeoutMs: 10_000,
      ...(options.password !== undefined ? { password: options.password } : {}),
      wsOpts: { ca: pki.ca, servername: SERVER_NAME, ...options.certificate, ...options.tls },
    } as Partial<RPCClientOptions> as RPCClientOptions);
    clients.add(client);
    try {
      const { response } = (await client.connect()) as { response: IncomingMessage };
      return { client, tls: negotiated(response.socket as TLSSocket) };
    } catch (error) {
      clients.delete(client);
      await client.close({ force: true }).catch(() => undefined);
      throw error;
    }
  };
  return {
    csms,
    pki,
    dir,
    endpoint,
    async connect16(options) {
      const { client, tls } = await connect('ocpp1.6', options);
      return { station: new SimStation<V16Actions>(options.id, client), tls };
    },
    async connect201(options) {
      const { client, tls } = await connect('ocpp2.0.1', options);
      return { station: new SimStation<V201Actions>(options.id, client), tls };
    },
    async close() {
      await Promise.all([...clients].map((c) => c.close({ force: true }).catch(() => undefined)));
      await csms.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function negotiated(socket: TLSSocket): Negotiated {
  return {
    version: socket.getProtocol(),
    suite: socket.getCipher().standardName,
    serverCertificate: socket.getPeerX509Certificate(),
  };
}

/** Records the edge's connection events (connected / disconnected, with the profile presented) of a station. */
export async function recordConnections(csms: TestCsms, stationId: string) {
  const events: ConnectionEvent[] = [];
  const subscription = await csms.bus.subscribe<ConnectionEvent>(Subjects.connection(stationId), (m) => {
    events.push(m.data);
  });
  return { events, stop: () => subscription.unsubscribe() };
}

const CURVE_BITS: Readonly<Record<string, number>> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

/** What the OCTT checks of the server certificate (A00.FR.306 .. A00.FR.321): name, serial, key type and size. */
export function serverCertificateSummary(certificate: X509Certificate) {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  return {
    pem: certificate.toString(),
    commonName: /(?:^|\n)CN=([^\n]*)/.exec(certificate.subject)?.[1],
    serialNumber: certificate.serialNumber,
    keyType: key.asymmetricKeyType,
    keyBits: key.asymmetricKeyType === 'rsa' ? details.modulusLength : CURVE_BITS[details.namedCurve ?? ''],
  };
}

/**
 * The OCTT's tool validations of the handshake (2.0.1 TC_A_04 / TC_A_07, 1.6 TC_086 / TC_087): TLS 1.2 or above,
 * a certificate from the CA the station trusts, in PEM, with a serial number, the server's name as CN, and an RSA
 * key of at least 2048 bits or an EC key of at least 224.
 */
export function expectValidServerSide(tls: Negotiated, caPem: string): void {
  expect(tls.version).toMatch(/^TLSv1\.[23]$/);
  const certificate = tls.serverCertificate!;
  expect(certificate.verify(new X509Certificate(caPem).publicKey)).toBe(true);
  expect(certificate.checkHost(SERVER_NAME)).toBe(SERVER_NAME);
  const summary = serverCertificateSummary(certificate);
  expect(summary.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  expect(summary.commonName).toBe(SERVER_NAME);
  expect(summary.serialNumber).toMatch(/^[0-9A-F]+$/);
  expect(summary.keyBits).toBeGreaterThanOrEqual(summary.keyType === 'rsa' ? 2048 : 224);
}

/**
 * "At least the following set of cipher suites must be supported": a station restricted to each of the four
 * suites (connected by `connect`) completes TLS 1.2 with the certificate of the suite's key type and is answered.
 */
export async function expectEveryOcppSuite(
  connect: (
    tls: StationTlsOptions,
  ) => Promise<{ station: { readonly client: RPCClient; close(): Promise<void> }; tls: Negotiated }>,
): Promise<void> {
  for (const [suite, cipher, keyType] of OCPP_SUITES) {
    const { station, tls } = await connect({ ciphers: cipher, maxVersion: 'TLSv1.2' });
    expect({ version: tls.version, suite: tls.suite }).toEqual({ version: 'TLSv1.2', suite });
    expect(tls.serverCertificate?.publicKey.asymmetricKeyType).toBe(keyType);
    expect(serverCertificateSummary(tls.serverCertificate!).keyBits).toBeGreaterThanOrEqual(
      keyType === 'rsa' ? 2048 : 224,
    );
    await expect(station.client.call('Heartbeat', {})).resolves.toEqual({
      currentTime: expect.any(String) as string,
    });
    await station.close();
  }
}

/**
 * A WebSocket upgrade request for `/ocpp/<stationId>` written by hand over a TLS connection with `certificate`:
 * resolves with the HTTP status the CSMS answered once the CSMS has closed the connection (it never resolves if
 * the CSMS keeps it open: the test times out).
 */
export function upgradeUntilClosed(
  target: Pick<TlsCsms, 'csms' | 'pki'>,
  stationId: string,
  protocol: string,
  certificate?: KeyPair,
): Promise<{ status: number; closedByServer: true }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: target.csms.port,
      servername: SERVER_NAME,
      ca: target.pki.ca,
      ...certificate,
    });
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('secureConnect', () => {
      const lines = [
        `GET /ocpp/${encodeURIComponent(stationId)} HTTP/1.1`,
        `Host: ${SERVER_NAME}:${target.csms.port}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        `Sec-WebSocket-Protocol: ${protocol}`,
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    // 'end': the CSMS finished its side of the connection.
    socket.once('end', () => {
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0), closedByServer: true });
      socket.destroy();
    });
    socket.once('error', reject);
  });
}
