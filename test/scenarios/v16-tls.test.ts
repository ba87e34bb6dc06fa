/**
 * OCTT TestCaseDocument 1.6, §3.21 Security (OCPP 1.6 Security Whitepaper ed. 3), the Central System cases on
 * TLS: the CSMS on wss with an RSA and an ECDSA server certificate and the test CA for client certificates
 * (Security Profiles 2 and 3 on one port), charge points that are independent `ocpp-rpc` clients over real TLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booted16 } from '../support/octt-states.js';
import { eventually } from '../support/scenario.js';
import { clientCertificate, type KeyPair } from '../support/pki.js';
import {
  expectEveryOcppSuite,
  expectValidServerSide,
  recordConnections,
  startTlsCsms,
  upgradeUntilClosed,
  type TlsCsms,
} from '../support/tls-csms.js';

const PASSWORD = 'OCTT16-tls-password-01';

let t: TlsCsms;
let cp087: KeyPair;

beforeAll(async () => {
  t = await startTlsCsms(
    [
      'stations:',
      `  - { id: CP086, password: "${PASSWORD}", securityProfile: 2 }`,
      '  - { id: CP087, securityProfile: 3 }',
      '',
    ].join('\n'),
  );
  cp087 = clientCertificate(t.dir, 'cp087', 'CP087');
});
afterAll(() => t?.close());

function storedStation(id: string) {
  return t.csms.database.db
    .selectFrom('stations')
    .select(['registration_status', 'security_profile', 'ocpp_version'])
    .where('id', '=', id)
    .executeTakeFirst();
}

describe('TC_086_CSMS: TLS - server-side certificate - Valid certificate', () => {
  it('steps 1-10: serves its certificate over TLS >= 1.2, upgrades the Basic-auth charge point and accepts its boot', async () => {
    const connections = await recordConnections(t.csms, 'CP086');
    const { station, tls } = await t.connect16({ id: 'CP086', password: PASSWORD });
    expectValidServerSide(tls, t.pki.ca);
    // Steps 7-10: BootNotification, then StatusNotification for connector 0 and each connector.
    expect((await booted16(station, 2)).status).toBe('Accepted');
    expect(await storedStation('CP086')).toEqual({
      registration_status: 'Accepted',
      security_profile: 2,
      ocpp_version: 'ocpp1.6',
    });
    await eventually(() => connections.events.length > 0);
    expect(connections.events[0]).toMatchObject({
      type: 'connected',
      version: 'ocpp1.6',
      securityProfile: 2,
    });
    await connections.stop();
    await station.close();
  });

  it('tool validation of step 2: the four cipher suites of the Security Whitepaper are supported', async () => {
    await expectEveryOcppSuite((tls) => t.connect16({ id: 'CP086', password: PASSWORD, tls }));
  });

  it('refuses the charge point over TLS without its password, or with a wrong one (401)', async () => {
    await expect(t.connect16({ id: 'CP086' })).rejects.toMatchObject({ code: 401 });
    await expect(t.connect16({ id: 'CP086', password: 'not-the-password-000' })).rejects.toMatchObject({
      code: 401,
    });
  });
});

describe('TC_087_CSMS: TLS - Client-side certificate - valid certificate', () => {
  it('steps 1-10: accepts the CA-signed client certificate whose CN is the charge point id, and the boot', async () => {
    const connections = await recordConnections(t.csms, 'CP087');
    const { station, tls } = await t.connect16({ id: 'CP087', certificate: cp087 });
    expectValidServerSide(tls, t.pki.ca);
    expect((await booted16(station, 2)).status).toBe('Accepted');
    expect(await storedStation('CP087')).toEqual({
      registration_status: 'Accepted',
      security_profile: 3,
      ocpp_version: 'ocpp1.6',
    });
    await eventually(() => connections.events.length > 0);
    expect(connections.events[0]).toMatchObject({
      type: 'connected',
      version: 'ocpp1.6',
      securityProfile: 3,
    });
    await connections.stop();
    await station.close();
  });

  it('tool validation of step 3: the four cipher suites, with the client certificate', async () => {
    await expectEveryOcppSuite((tls) => t.connect16({ id: 'CP087', certificate: cp087, tls }));
  });

  it('a profile-3 charge point is not let in with a certificate for another CN, or without one', async () => {
    const other = t.pki.clients.OTHER!;
    await expect(t.connect16({ id: 'CP087', certificate: other })).rejects.toMatchObject({ code: 401 });
    await expect(upgradeUntilClosed(t, 'CP087', 'ocpp1.6', other)).resolves.toEqual({
      status: 401,
      closedByServer: true,
    });
    await expect(t.connect16({ id: 'CP087' })).rejects.toMatchObject({ code: 401 });
  });
});
