/**
 * OCPP 2.0.1 station certificates (A02, A03, A05; Part 6 TC_A_11, TC_A_14, TC_A_19): the CSMS triggers a renewal,
 * checks the station's CSR, signs it with its built-in CA and sends the chain in CertificateSigned; the station
 * then moves from security profile 2 to 3 and connects with its new client certificate over mutual TLS, after
 * which profile 2 is refused. Bad CSRs are refused with a reason and change nothing. Real TLS, a PKI made by
 * openssl, `ocpp-rpc` strict-mode stations, the AuthService over gRPC.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { V201 } from '@csms/ocpp';
import { Subjects } from '@csms/bus';
import { authV1 } from '@csms/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booted201 } from '../support/octt-states.js';
import { eventually, type Station201 } from '../support/scenario.js';
import {
  ORGANIZATION,
  chainCertificates,
  connectTls201,
  listedCertificates,
  newestCertificateWith,
  startStationCa,
  stationCsr,
  upgradeStatus,
  type StationCa,
} from '../support/station-certificates.js';

const PASSWORD = 'octt-A02-Basic-pw-0001';
const STATIONS = ['A11-CS', 'A14-CS', 'A19-CS', 'BADCSR-CS', 'REVOKE-CS', 'V2G-CS'] as const;
const { STATION_CERTIFICATE_STATUS_INSTALLED: INSTALLED, STATION_CERTIFICATE_STATUS_REJECTED: REJECTED } =
  authV1.StationCertificateStatus;

let t: StationCa;

beforeAll(async () => {
  t = await startStationCa(
    `stations:\n${STATIONS.map((id) => `  - { id: ${id}, password: "${PASSWORD}", securityProfile: 2 }`).join('\n')}\n`,
  );
});
afterAll(() => t?.close());

async function bootedOverTls(id: string, credentials: { password: string } | { cert: string; key: string }) {
  const cs = await connectTls201(t, id, credentials);
  expect((await booted201(cs)).status).toBe('Accepted');
  return cs;
}

/**
 * Reusable State RenewChargingStationCertificate: the operator asks for a renewal, the station answers the
 * TriggerMessage, sends its CSR and answers CertificateSigned with `answer`. Returns what the station got.
 */
async function renew(
  cs: Station201,
  csr: string,
  answer: 'Accepted' | 'Rejected',
): Promise<{ signed: V201.SignCertificateResponse; certificateSigned: V201.CertificateSignedRequest }> {
  let signed: Promise<V201.SignCertificateResponse> | undefined;
  cs.respond('TriggerMessage', () => {
    // The CSR follows the TriggerMessageResponse (A02.FR.02).
    signed = new Promise((resolve, reject) =>
      setImmediate(() => {
        cs.call('SignCertificate', { csr, certificateType: 'ChargingStationCertificate' }).then(
          resolve,
          reject,
        );
      }),
    );
    return { status: 'Accepted' };
  });
  cs.respond('CertificateSigned', { status: answer });
  const before = cs.requests('CertificateSigned').length;
  expect((await t.auth.renewStationCertificate({ stationId: cs.id })).stationStatus).toBe('Accepted');
  expect(cs.requests('TriggerMessage').at(-1)).toEqual({
    requestedMessage: 'SignChargingStationCertificate',
  });
  const result = await eventually(() => signed);
  const certificateSigned = await eventually(() => cs.requests('CertificateSigned')[before]);
  return { signed: result, certificateSigned };
}

/** The chain is the CA's signature on the station's key, with CN the station and O the CSO. */
function expectIssuedFor(chain: string, stationId: string, stationKey: string): X509Certificate {
  const [leaf, ca] = chainCertificates(chain);
  expect(ca?.fingerprint256).toBe(new X509Certificate(t.stationCa).fingerprint256);
  expect(leaf!.verify(ca!.publicKey)).toBe(true);
  expect(leaf!.subject).toBe(`O=${ORGANIZATION}\nCN=${stationId}`);
  expect(leaf!.publicKey.export({ type: 'spki', format: 'pem' })).toBe(
    createPublicKey(createPrivateKey(stationKey)).export({ type: 'spki', format: 'pem' }),
  );
  return leaf!;
}

describe('TC_A_11_CSMS: Update Charging Station Certificate by request of CSMS - Success - Charging Station Certificate', () => {
  it('triggers SignChargingStationCertificate, accepts the CSR, sends the signed chain and records it installed', async () => {
    const cs = await bootedOverTls('A11-CS', { password: PASSWORD });
    const { csr, key } = stationCsr(t.dir, 'a11', `/O=${ORGANIZATION}/CN=A11-CS`);
    const { signed, certificateSigned } = await renew(cs, csr, 'Accepted');
    expect(signed.status).toBe('Accepted');
    // A02.FR.14: the type the station asked for.
    expect(certificateSigned.certificateType).toBe('ChargingStationCertificate');
    const leaf = expectIssuedFor(certificateSigned.certificateChain, 'A11-CS', key);
    const stored = await newestCertificateWith(t, 'A11-CS', INSTALLED);
    expect(stored).toMatchObject({
      certificateType: 'ChargingStationCertificate',
      serialNumber: leaf.serialNumber.toUpperCase(),
      signer: 'built-in',
    });
    expect(stored.renewalRequestTime).toBeUndefined();
    await cs.close();
  });
});

describe('TC_A_14_CSMS: Update Charging Station Certificate by request of CSMS - Invalid certificate', () => {
  it('records the certificate the station rejected as rejected', async () => {
    const cs = await bootedOverTls('A14-CS', { password: PASSWORD });
    const { csr } = stationCsr(t.dir, 'a14', `/O=${ORGANIZATION}/CN=A14-CS`);
    const { signed } = await renew(cs, csr, 'Rejected');
    expect(signed.status).toBe('Accepted');
    await newestCertificateWith(t, 'A14-CS', REJECTED);
    // A rejected certificate is no credential: nothing to revoke.
    const [rejected] = await listedCertificates(t, 'A14-CS');
    await expect(
      t.auth.revokeStationCertificate({ stationId: 'A14-CS', serialNumber: rejected!.serialNumber }),
    ).rejects.toMatchObject({ code: 5 });
    await cs.close();
  });
});

describe('TC_A_19_CSMS: Upgrade Charging Station Security Profile - Accepted', () => {
  it('steps 1-11: renewed on profile 2, moved to profile 3, reconnects with its certificate; profile 2 is refused after', async () => {
    const cs = await bootedOverTls('A19-CS', { password: PASSWORD });
    const { csr, key } = stationCsr(t.dir, 'a19', `/O=${ORGANIZATION}/CN=A19-CS`);
    const { certificateSigned } = await renew(cs, csr, 'Accepted');
    await newestCertificateWith(t, 'A19-CS', INSTALLED);

    cs.respond('SetNetworkProfile', { status: 'Accepted' });
    cs.respond('SetVariables', ({ setVariableData }) => ({
      setVariableResult: setVariableData.map((d) => ({
        attributeStatus: 'Accepted',
        component: d.component,
        variable: d.variable,
      })),
    }));
    cs.respond('Reset', { status: 'Accepted' });
    const profile = await t.csms.stations.call('A19-CS', 'SetNetworkProfile', {
      configurationSlot: 2,
      connectionData: {
        ocppVersion: 'OCPP20',
        ocppTransport: 'JSON',
        ocppCsmsUrl: `wss://127.0.0.1:${t.csms.port}/ocpp`,
        messageTimeout: 30,
        securityProfile: 3,
        ocppInterface: 'Wired0',
      },
    });
    expect(profile).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    const priority = await t.csms.stations.call('A19-CS', 'SetVariables', {
      setVariableData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'NetworkConfigurationPriority' },
          attributeValue: '2,1',
        },
      ],
    });
    expect(priority.status).toBe('result');
    expect(await t.csms.stations.call('A19-CS', 'Reset', { type: 'Immediate' })).toEqual({
      status: 'result',
      payload: { status: 'Accepted' },
    });
    await cs.close();

    // Steps 7-9: the station reconnects with profile 3 (its new certificate, no Basic credentials).
    const mutual = { cert: chainCertificates(certificateSigned.certificateChain)[0]!.toString(), key };
    const upgraded = await bootedOverTls('A19-CS', mutual);
    const row = await t.csms.database.db
      .selectFrom('stations')
      .select('security_profile')
      .where('id', '=', 'A19-CS')
      .executeTakeFirstOrThrow();
    expect(row.security_profile).toBe(3);
    await upgraded.close();
    // Steps 10-11 (A05.FR.07): profile 2 no longer gets in; profile 3 still does.
    expect(await upgradeStatus(t, 'A19-CS', 'ocpp2.0.1', { password: PASSWORD })).toBe(401);
    expect(await upgradeStatus(t, 'A19-CS', 'ocpp2.0.1', mutual)).toBe(101);
  });
});

describe('SignCertificate with a bad CSR (A02.FR.12)', () => {
  it('answers Rejected with the reason and stores and sends nothing', async () => {
    const cs = await bootedOverTls('BADCSR-CS', { password: PASSWORD });
    cs.respond('CertificateSigned', { status: 'Accepted' });
    const other = stationCsr(t.dir, 'bad-cn', `/O=${ORGANIZATION}/CN=A11-CS`);
    const org = stationCsr(t.dir, 'bad-o', '/O=Someone Else/CN=BADCSR-CS');
    const small = stationCsr(t.dir, 'bad-rsa', `/O=${ORGANIZATION}/CN=BADCSR-CS`, 'rsa');
    const cases: [string, string | undefined][] = [
      [other.csr, 'InvalidCommonName'],
      [org.csr, 'InvalidOrganization'],
      ['-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----', 'InvalidCSR'],
    ];
    for (const [csr, reasonCode] of cases) {
      const answer = await cs.call('SignCertificate', { csr, certificateType: 'ChargingStationCertificate' });
      expect(answer.status).toBe('Rejected');
      expect(answer.statusInfo?.reasonCode).toBe(reasonCode);
    }
    // A V2G (SECC) certificate needs an EC P-256 key (ISO 15118-2).
    const v2g = await cs.call('SignCertificate', { csr: small.csr, certificateType: 'V2GCertificate' });
    expect(v2g).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidKey' } });
    // Still usable: a good CSR afterwards is signed.
    const good = stationCsr(t.dir, 'good', `/O=${ORGANIZATION}/CN=BADCSR-CS`, 'rsa');
    expect((await cs.call('SignCertificate', { csr: good.csr })).status).toBe('Accepted');
    await newestCertificateWith(t, 'BADCSR-CS', INSTALLED);
    expect(await listedCertificates(t, 'BADCSR-CS')).toHaveLength(1);
    expect(cs.requests('CertificateSigned')).toHaveLength(1);
    await cs.close();
  });
});

describe('V2G (ISO 15118 SECC) certificate, A02 SignV2GCertificate', () => {
  it('triggers SignV2GCertificate and signs the CSR (CN = SeccId) with the V2G sub-CA, not the station CA', async () => {
    const cs = await bootedOverTls('V2G-CS', { password: PASSWORD });
    const seccId = 'DE-ICE-S-0003C4D5578786756453309675436-2';
    const { csr, key } = stationCsr(t.dir, 'v2g', `/O=Test CPO/CN=${seccId}`);
    let signed: Promise<V201.SignCertificateResponse> | undefined;
    cs.respond('TriggerMessage', () => {
      signed = new Promise((resolve, reject) =>
        setImmediate(() => {
          cs.call('SignCertificate', { csr, certificateType: 'V2GCertificate' }).then(resolve, reject);
        }),
      );
      return { status: 'Accepted' };
    });
    cs.respond('CertificateSigned', { status: 'Accepted' });
    const renewed = await t.auth.renewStationCertificate({
      stationId: cs.id,
      certificateType: 'V2GCertificate',
    });
    expect(renewed.stationStatus).toBe('Accepted');
    expect(cs.requests('TriggerMessage').at(-1)).toEqual({ requestedMessage: 'SignV2GCertificate' });
    expect(await eventually(() => signed)).toEqual({ status: 'Accepted' });
    const [request] = await eventually(
      () => cs.requests('CertificateSigned').length > 0 && cs.requests('CertificateSigned'),
    );
    expect(request!.certificateType).toBe('V2GCertificate');
    const [leaf, ca] = chainCertificates(request!.certificateChain);
    expect(ca?.fingerprint256).toBe(new X509Certificate(t.v2gCa).fingerprint256);
    expect(leaf!.verify(ca!.publicKey)).toBe(true);
    expect(leaf!.subject).toBe(`O=Test CPO\nCN=${seccId}`);
    expect(leaf!.publicKey.export({ type: 'spki', format: 'pem' })).toBe(
      createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'pem' }),
    );
    const stored = await newestCertificateWith(t, cs.id, INSTALLED);
    expect(stored.certificateType).toBe('V2GCertificate');
    await expect(
      t.auth.renewStationCertificate({ stationId: cs.id, certificateType: 'Other' }),
    ).rejects.toMatchObject({ code: 3 });
    await cs.close();
  });
});

describe('revoked station certificate', () => {
  it('refuses a profile-3 connection with a revoked certificate; unknown serials are NOT_FOUND', async () => {
    const cs = await bootedOverTls('REVOKE-CS', { password: PASSWORD });
    const { csr, key } = stationCsr(t.dir, 'revoke', `/O=${ORGANIZATION}/CN=REVOKE-CS`);
    const { certificateSigned } = await renew(cs, csr, 'Accepted');
    const installed = await newestCertificateWith(t, 'REVOKE-CS', INSTALLED);
    await cs.close();
    const mutual = { cert: chainCertificates(certificateSigned.certificateChain)[0]!.toString(), key };
    expect(await upgradeStatus(t, 'REVOKE-CS', 'ocpp2.0.1', mutual)).toBe(101);
    const { certificate } = await t.auth.revokeStationCertificate({
      stationId: 'REVOKE-CS',
      serialNumber: installed.serialNumber.toLowerCase(),
    });
    expect(certificate?.status).toBe(authV1.StationCertificateStatus.STATION_CERTIFICATE_STATUS_REVOKED);
    const events: Record<string, unknown>[] = [];
    const subscription = await t.csms.bus.subscribe<Record<string, unknown>>(
      Subjects.event('REVOKE-CS', 'security-event'),
      (m) => void events.push(m.data),
    );
    expect(await upgradeStatus(t, 'REVOKE-CS', 'ocpp2.0.1', mutual)).toBe(401);
    // A00.FR.408: the CSMS records an InvalidChargingStationCertificate security event.
    await eventually(() => events.length > 0);
    expect(events[0]).toMatchObject({
      eventType: 'InvalidChargingStationCertificate',
      techInfo: 'client certificate revoked',
      source: 'csms',
    });
    await subscription.unsubscribe();
    await expect(
      t.auth.revokeStationCertificate({ stationId: 'REVOKE-CS', serialNumber: installed.serialNumber }),
    ).rejects.toMatchObject({ code: 5 });
    await expect(
      t.auth.revokeStationCertificate({ stationId: 'REVOKE-CS', serialNumber: 'xyz' }),
    ).rejects.toMatchObject({
      code: 3,
    });
  });
});
