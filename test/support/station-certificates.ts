/**
 * Set-up of the station-certificate scenario tests: an embedded CSMS on wss whose built-in station CA is the test
 * PKI's CA (the same CA the edge trusts for client certificates), the AuthService over real gRPC, stations that are
 * `ocpp-rpc` strict-mode clients over real TLS (Basic auth for profile 2, their client certificate for profile 3),
 * and CSRs made by openssl as a station would make them.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V16Actions, V201Actions } from '@csms/ocpp';
import { authV1, connectApi, type ApiClient, type ApiConnection } from '@csms/grpc';
import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions as RPCClientOptions } from 'ocpp-rpc/lib/client.js';
import { WebSocket } from 'ws';
import { startTestCsms, type TestCsms } from './csms.js';
import { RSA, longLivedCa, makePki, request, type Pki } from './pki.js';
import { SimStation, eventually, type Station16, type Station201 } from './scenario.js';

export const ORGANIZATION = 'Test CSO';

export interface StationCa {
  readonly csms: TestCsms;
  readonly pki: Pki;
  /** The station CA's certificate (PEM). */
  readonly stationCa: string;
  /** The V2G sub-CA's certificate (PEM). */
  readonly v2gCa: string;
  readonly dir: string;
  readonly auth: ApiClient<typeof authV1.AuthServiceDefinition>;
  close(): Promise<void>;
}

/** Starts the CSMS with TLS (server certificate, client CA) and the built-in station CA from the test CA's files. */
export async function startStationCa(seed: string, env: Record<string, string> = {}): Promise<StationCa> {
  const dir = mkdtempSync(join(tmpdir(), 'station-ca-'));
  const pki = makePki(dir);
  writeFileSync(join(dir, 'server.pem'), pki.serverCert);
  writeFileSync(join(dir, 'server-key.pem'), pki.serverKey);
  // The station CA: valid for years (the test PKI's CA lives a day, which would cap every issued certificate); the
  // edge trusts it and the test CA (whose client certificates some tests present). The V2G sub-CA signs SECC
  // certificates (ISO 15118), another CA than the stations'.
  const stationCaPem = longLivedCa(dir, 'station-ca', `/O=${ORGANIZATION}/CN=Station CA`).cert;
  const v2gCaPem = longLivedCa(dir, 'v2g-ca', '/O=Test CPO/CN=CPO Sub-CA 2').cert;
  writeFileSync(join(dir, 'client-cas.pem'), `${pki.ca}${stationCaPem}`);
  const csms = await startTestCsms({
    seed,
    env: {
      CSMS_AUTO_REGISTER: 'false',
      CSMS_TLS_CERT_FILE: join(dir, 'server.pem'),
      CSMS_TLS_KEY_FILE: join(dir, 'server-key.pem'),
      CSMS_TLS_CA_FILE: join(dir, 'client-cas.pem'),
      CSMS_STATION_CA_CERT_FILE: join(dir, 'station-ca.crt'),
      CSMS_STATION_CA_KEY_FILE: join(dir, 'station-ca.key'),
      CSMS_STATION_CERT_ORGANIZATION: ORGANIZATION,
      CSMS_V2G_CA_CERT_FILE: join(dir, 'v2g-ca.crt'),
      CSMS_V2G_CA_KEY_FILE: join(dir, 'v2g-ca.key'),
      CSMS_CERT_RENEWAL_CHECK_INTERVAL: '0',
      ...env,
    },
  });
  const api: ApiConnection = connectApi({ address: csms.grpcAddress });
  return {
    csms,
    pki,
    stationCa: stationCaPem,
    v2gCa: v2gCaPem,
    dir,
    auth: api.client(authV1.AuthServiceDefinition),
    async close() {
      api.close();
      await csms.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A key pair made by the station (EC P-256 or RSA 2048) and its CSR (PEM) for `subject`. */
export function stationCsr(
  dir: string,
  name: string,
  subject: string,
  key: 'ec' | 'rsa' = 'ec',
): { csr: string; key: string } {
  request(dir, name, subject, ...(key === 'rsa' ? [RSA] : []));
  return {
    csr: readFileSync(join(dir, `${name}.csr`), 'utf8'),
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
  };
}

/** How a station connects over wss: Basic auth (profile 2) or its client certificate (profile 3). */
export type TlsCredentials = { readonly password: string } | { readonly cert: string; readonly key: string };

/** Connects an `ocpp-rpc` strict-mode client over wss (not yet booted). */
async function connectTls(
  t: StationCa,
  id: string,
  protocol: 'ocpp1.6' | 'ocpp2.0.1',
  credentials: TlsCredentials,
): Promise<RPCClient> {
  const client = new RPCClient({
    endpoint: `wss://127.0.0.1:${t.csms.port}/ocpp`,
    identity: id,
    protocols: [protocol],
    strictMode: true,
    reconnect: false,
    callTimeoutMs: 10_000,
    ...('password' in credentials ? { password: credentials.password } : {}),
    wsOpts: {
      ca: t.pki.ca,
      ...('cert' in credentials ? { cert: credentials.cert, key: credentials.key } : {}),
    },
  } as Partial<RPCClientOptions> as RPCClientOptions);
  await client.connect();
  return client;
}

/** An OCPP 2.0.1 station over wss (not yet booted). */
export async function connectTls201(
  t: StationCa,
  id: string,
  credentials: TlsCredentials,
): Promise<Station201> {
  return new SimStation<V201Actions>(id, await connectTls(t, id, 'ocpp2.0.1', credentials));
}

/** An OCPP 1.6 station over wss (not yet booted). */
export async function connectTls16(
  t: StationCa,
  id: string,
  credentials: TlsCredentials,
): Promise<Station16> {
  return new SimStation<V16Actions>(id, await connectTls(t, id, 'ocpp1.6', credentials));
}

/** The HTTP status a wss upgrade with these credentials gets (101 when accepted). */
export function upgradeStatus(
  t: StationCa,
  id: string,
  protocol: string,
  credentials: TlsCredentials,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${t.csms.port}/ocpp/${id}`, protocol, {
      ca: t.pki.ca,
      ...('cert' in credentials ? { cert: credentials.cert, key: credentials.key } : {}),
      ...('password' in credentials
        ? {
            headers: {
              Authorization: `Basic ${Buffer.from(`${id}:${credentials.password}`).toString('base64')}`,
            },
          }
        : {}),
    });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** The certificates of a PEM chain. */
export function chainCertificates(chain: string): X509Certificate[] {
  return (chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (pem) => new X509Certificate(pem),
  );
}

/** The station's certificates as the AuthService lists them. */
export async function listedCertificates(
  t: StationCa,
  stationId: string,
): Promise<authV1.StationCertificate[]> {
  return (await t.auth.listStationCertificates({ stationId })).certificates;
}

/** Waits until the station's newest certificate has `status`. */
export function newestCertificateWith(
  t: StationCa,
  stationId: string,
  status: authV1.StationCertificateStatus,
): Promise<authV1.StationCertificate> {
  return eventually(async () => {
    const [newest] = await listedCertificates(t, stationId);
    return newest?.status === status ? newest : undefined;
  });
}
