/**
 * OCPP 2.0.1 Part 6 §3.2 (A Security), the CSMS test cases on TLS: the CSMS on wss with an RSA and an ECDSA server
 * certificate and the test CA for client certificates (Security Profiles 2 and 3 on one port), stations that are
 * independent `ocpp-rpc` clients over real TLS.
 */
import { once } from 'node:events';
import { connect as tlsConnect, createServer as createTlsServer, type SecureVersion } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booted201 } from '../support/octt-states.js';
import { eventually } from '../support/scenario.js';
import {
  clientCertificate,
  expiredClientCertificate,
  selfSignedCertificate as selfSigned,
  type KeyPair,
} from '../support/pki.js';
import {
  SERVER_NAME,
  expectEveryOcppSuite,
  expectValidServerSide,
  recordConnections,
  startTlsCsms,
  upgradeUntilClosed,
  type TlsCsms,
} from '../support/tls-csms.js';

const PASSWORD = 'octt-tls-Basic-pw-0001';
const BASIC = ['A04-CS', 'A06-CS'] as const;
const MUTUAL = ['A07-CS', 'A08-CS'] as const;

let t: TlsCsms;
const certificates: Record<string, KeyPair> = {};

beforeAll(async () => {
  t = await startTlsCsms(
    [
      'stations:',
      ...BASIC.map((id) => `  - { id: ${id}, password: "${PASSWORD}", securityProfile: 2 }`),
      ...MUTUAL.map((id) => `  - { id: ${id}, securityProfile: 3 }`),
      '',
    ].join('\n'),
  );
  for (const id of MUTUAL) certificates[id] = clientCertificate(t.dir, id.toLowerCase(), id);
});
afterAll(() => t?.close());

/** The station's registration as the CSMS stored it. */
function storedStation(id: string) {
  return t.csms.database.db
    .selectFrom('stations')
    .select(['registration_status', 'security_profile'])
    .where('id', '=', id)
    .executeTakeFirst();
}

describe('TC_A_04_CSMS: TLS - server-side certificate - Valid certificate', () => {
  it('steps 1-10: serves its certificate over TLS >= 1.2, upgrades the Basic-auth station and accepts its boot', async () => {
    const connections = await recordConnections(t.csms, 'A04-CS');
    const { station, tls } = await t.connect201({ id: 'A04-CS', password: PASSWORD });
    expectValidServerSide(tls, t.pki.ca);
    expect((await booted201(station)).status).toBe('Accepted');
    expect(await storedStation('A04-CS')).toEqual({ registration_status: 'Accepted', security_profile: 2 });
    await eventually(() => connections.events.length > 0);
    expect(connections.events[0]).toMatchObject({ type: 'connected', securityProfile: 2 });
    await connections.stop();
    await station.close();
  });

  it('tool validation of step 3: TLS_ECDHE_ECDSA_WITH_AES_128/256_GCM and TLS_RSA_WITH_AES_128/256_GCM are supported', async () => {
    await expectEveryOcppSuite((tls) => t.connect201({ id: 'A04-CS', password: PASSWORD, tls }));
  });

  it('a profile-2 station without its password is refused at the upgrade (401)', async () => {
    await expect(t.connect201({ id: 'A04-CS' })).rejects.toMatchObject({ code: 401 });
    await expect(t.connect201({ id: 'A04-CS', password: 'not-the-password-000' })).rejects.toMatchObject({
      code: 401,
    });
  });
});

const LEGACY = { ciphers: 'DEFAULT@SECLEVEL=0' } as const;

/**
 * The version a TLS server that allows TLS 1.0 and 1.1 negotiates with a client limited to `version`: proves that
 * Node and OpenSSL here can offer that version at all (OpenSSL 3 needs security level 0 for it), so a refusal by
 * the CSMS is the CSMS's.
 */
async function legacyServerNegotiates(version: SecureVersion): Promise<string | null> {
  const server = createTlsServer({
    key: t.pki.serverKey,
    cert: t.pki.serverCert,
    minVersion: 'TLSv1',
    ...LEGACY,
  });
  server.on('secureConnection', (socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const port = (server.address() as { port: number }).port;
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      servername: SERVER_NAME,
      ca: t.pki.ca,
      minVersion: version,
      maxVersion: version,
      ...LEGACY,
    });
    await once(socket, 'secureConnect');
    const negotiated = socket.getProtocol();
    socket.destroy();
    return negotiated;
  } finally {
    server.close();
  }
}

describe('TC_A_06_CSMS: TLS - server-side certificate - TLS version too low', () => {
  it('steps 1-2: terminates TLS 1.0 and 1.1 handshakes (protocol_version alert), before any upgrade', async () => {
    const connections = await recordConnections(t.csms, 'A06-CS');
    for (const version of ['TLSv1', 'TLSv1.1'] as const) {
      expect(await legacyServerNegotiates(version)).toBe(version);
      const refused = t.connect201({
        id: 'A06-CS',
        password: PASSWORD,
        tls: { minVersion: version, maxVersion: version, ...LEGACY },
      });
      // The CSMS's protocol_version alert (70), as OpenSSL reports it to the client.
      await expect(refused).rejects.toThrow(/alert protocol version/);
    }
    expect(await storedStation('A06-CS')).toEqual({ registration_status: null, security_profile: 2 });
    expect(connections.events).toEqual([]);
    await connections.stop();
  });

  it('steps 3-12: a TLS 1.2 station is served the certificate, upgraded and Accepted', async () => {
    const { station, tls } = await t.connect201({
      id: 'A06-CS',
      password: PASSWORD,
      tls: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
    });
    expectValidServerSide(tls, t.pki.ca);
    expect(tls.version).toBe('TLSv1.2');
    expect((await booted201(station)).status).toBe('Accepted');
    expect(await storedStation('A06-CS')).toEqual({ registration_status: 'Accepted', security_profile: 2 });
    await station.close();
  });
});

describe('TC_A_07_CSMS: TLS - Client-side certificate - valid certificate', () => {
  it('steps 1-10: accepts the CA-signed client certificate whose CN is the station id, and the boot', async () => {
    const connections = await recordConnections(t.csms, 'A07-CS');
    const { station, tls } = await t.connect201({ id: 'A07-CS', certificate: certificates['A07-CS']! });
    expectValidServerSide(tls, t.pki.ca);
    expect((await booted201(station)).status).toBe('Accepted');
    expect(await storedStation('A07-CS')).toEqual({ registration_status: 'Accepted', security_profile: 3 });
    await eventually(() => connections.events.length > 0);
    expect(connections.events[0]).toMatchObject({ type: 'connected', securityProfile: 3 });
    await connections.stop();
    await station.close();
  });

  it('tool validation of step 3: the four OCPP TLS 1.2 suites, with the client certificate', async () => {
    await expectEveryOcppSuite((tls) =>
      t.connect201({ id: 'A07-CS', certificate: certificates['A07-CS']!, tls }),
    );
  });
});

describe('TC_A_08_CSMS: TLS - Client-side certificate - Invalid certificate', () => {
  const invalid = (): Array<[string, KeyPair]> => [
    ['unknown (self-signed, CN = station id)', selfSigned(t.dir, 'a08-unknown', '/O=Evil/CN=A08-CS')],
    ['expired (CA-signed, CN = station id)', expiredClientCertificate(t.dir, 'a08-expired', 'A08-CS')],
    ['CA-signed for another CN', t.pki.clients.OTHER!],
  ];

  it('steps 1-4: refuses an unknown, an expired and a wrong-CN certificate and closes the connection', async () => {
    const connections = await recordConnections(t.csms, 'A08-CS');
    for (const [kind, certificate] of invalid()) {
      await expect(t.connect201({ id: 'A08-CS', certificate }), kind).rejects.toMatchObject({ code: 401 });
      await expect(upgradeUntilClosed(t, 'A08-CS', 'ocpp2.0.1', certificate), kind).resolves.toEqual({
        status: 401,
        closedByServer: true,
      });
    }
    // No certificate at all, and Basic credentials instead of it, are no better.
    await expect(t.connect201({ id: 'A08-CS' })).rejects.toMatchObject({ code: 401 });
    await expect(t.connect201({ id: 'A08-CS', password: PASSWORD })).rejects.toMatchObject({ code: 401 });
    expect(connections.events).toEqual([]);
    expect(await storedStation('A08-CS')).toEqual({ registration_status: null, security_profile: 3 });
    await connections.stop();
  });

  it('steps 5-14: the same station with its valid certificate is upgraded and Accepted', async () => {
    const { station, tls } = await t.connect201({ id: 'A08-CS', certificate: certificates['A08-CS']! });
    expectValidServerSide(tls, t.pki.ca);
    expect((await booted201(station)).status).toBe('Accepted');
    expect(await storedStation('A08-CS')).toEqual({ registration_status: 'Accepted', security_profile: 3 });
    await station.close();
  });
});
