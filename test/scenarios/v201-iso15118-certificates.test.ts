/**
 * OCPP 2.0.1 Part 6, CSMS cases on ISO 15118 certificates: the V2G (SECC) certificate renewed at the CSMS's request
 * (TC_A_12, A02 with TriggerMessage SignV2GCertificate, F06) and the V2G / MO roots installed and listed (TC_M_03,
 * TC_M_04, TC_M_14 to TC_M_16, M03 and M05). An embedded CSMS on wss with its built-in station CA and V2G sub-CA
 * (CSMS_V2G_CA_*), the AuthService and the typed command service csms.ocpp201.v1.Ocpp201Service over real gRPC,
 * and `ocpp-rpc` strict-mode stations over TLS (Security Profile 2) that keep a certificate store and compute
 * hash data as a real one does.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { authV1, connectApi, ocpp201V1, type ApiConnection } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booted201 } from '../support/octt-states.js';
import { clientCertificate, selfSignedCertificate as selfSigned } from '../support/pki.js';
import { eventually, type Station201 } from '../support/scenario.js';
import {
  chainCertificates,
  connectTls201,
  newestCertificateWith,
  startStationCa,
  stationCsr,
  type StationCa,
} from '../support/station-certificates.js';
import { certificateHashData, Truststore, type InstalledCertificate } from '../support/station-truststore.js';

const PASSWORD = 'octt-15118-Basic-pw-001';
const STATIONS = ['A12-CS', 'M03-CS', 'M04-CS', 'M14-CS', 'M15-CS', 'M16-CS'] as const;
/** The OCTT's configured certificates. */
const pem = { v2gRoot: '', moRoot: '', v2gLeaf: '' };
const { STATION_CERTIFICATE_STATUS_INSTALLED: INSTALLED } = authV1.StationCertificateStatus;

let t: StationCa;
let api: ApiConnection;
let c201: ReturnType<typeof ocpp201>;
const ocpp201 = () => api.client(ocpp201V1.Ocpp201ServiceDefinition);

beforeAll(async () => {
  t = await startStationCa(
    `stations:\n${STATIONS.map((id) => `  - { id: ${id}, password: "${PASSWORD}", securityProfile: 2 }`).join('\n')}\n`,
  );
  pem.v2gRoot = selfSigned(t.dir, 'v2g-root', '/O=OCTT/CN=V2G Root CA', true).cert;
  pem.moRoot = selfSigned(t.dir, 'mo-root', '/O=OCTT/CN=MO Root CA', true).cert;
  // A V2G certificate chain as a station holds it: its SECC leaf and the sub-CA that issued it.
  pem.v2gLeaf = clientCertificate(t.dir, 'v2g-leaf', 'M15-CS').cert;
  api = connectApi({ address: t.csms.grpcAddress });
  c201 = ocpp201();
});
afterAll(async () => {
  api?.close();
  await t?.close();
});

async function booted(id: (typeof STATIONS)[number], store?: Truststore): Promise<Station201> {
  const cs = await connectTls201(t, id, { password: PASSWORD });
  expect((await booted201(cs)).status).toBe('Accepted');
  store?.serve201(cs);
  return cs;
}

/**
 * Reusable State CertificateInstalled (CSMS): the operator sends InstallCertificate; the tool validates the
 * certificateType and the configured certificate; the OCTT answers Accepted (the store installs it).
 */
async function certificateInstalled(cs: Station201, certificateType: string, certificate: string) {
  const answer = await c201.installCertificate({
    stationId: cs.id,
    payload: { certificateType, certificate },
  });
  expect(cs.requests('InstallCertificate')).toEqual([{ certificateType, certificate }]);
  expect(ocpp201V1.InstallCertificateResponse.toJSON(answer.payload!)).toEqual({ status: 'Accepted' });
}

/**
 * Reusable State GetInstalledCertificates (CSMS): the operator sends GetInstalledCertificateIds with
 * `certificateType`; returns the station's answer as the operator got it (OCPP JSON).
 */
async function getInstalledCertificates(cs: Station201, certificateType: string) {
  const payload = { certificateType: [certificateType] };
  const answer = await c201.getInstalledCertificateIds({ stationId: cs.id, payload });
  // Tool validation of step 1: certificateType must be the specified one.
  expect(cs.requests('GetInstalledCertificateIds')).toEqual([payload]);
  return ocpp201V1.GetInstalledCertificateIdsResponse.toJSON(
    answer.payload!,
  ) as V201.GetInstalledCertificateIdsResponse;
}

describe('TC_A_12_CSMS: Update Charging Station Certificate by request of CSMS - Success - V2G Certificate', () => {
  it('triggers SignV2GCertificate, accepts the CSR and sends the chain signed by the V2G sub-CA in PEM (A02.FR.11)', async () => {
    const cs = await booted('A12-CS');
    // Step 3: a CSR from the configured Country, Organization and OrganizationalUnit; CN the SECC id.
    const seccId = 'NL-OCT-S-0A12';
    const { csr, key } = stationCsr(t.dir, 'a12', `/C=NL/O=Test CPO/OU=Charging/CN=${seccId}`);
    let signed: Promise<V201.SignCertificateResponse> | undefined;
    cs.respond('TriggerMessage', () => {
      // The CSR follows the TriggerMessageResponse (F06.FR.01, A02.FR.02).
      signed = new Promise((resolve, reject) =>
        setImmediate(() => {
          cs.call('SignCertificate', { csr, certificateType: 'V2GCertificate' }).then(resolve, reject);
        }),
      );
      return { status: 'Accepted' };
    });
    cs.respond('CertificateSigned', { status: 'Accepted' });
    // Step 1: the operator asks for the renewal.
    const renewed = await t.auth.renewStationCertificate({
      stationId: cs.id,
      certificateType: 'V2GCertificate',
    });
    expect(renewed.stationStatus).toBe('Accepted');
    // Tool validation of step 1: requestedMessage SignV2GCertificate.
    expect(cs.requests('TriggerMessage')).toEqual([{ requestedMessage: 'SignV2GCertificate' }]);
    // Tool validation of step 4: status Accepted.
    expect(await eventually(() => signed, 20_000)).toEqual({ status: 'Accepted' });
    // Step 5: the chain made from the CSR, signed by the configured V2G sub-CA, in PEM.
    const [request] = await eventually(
      () => cs.requests('CertificateSigned').length > 0 && cs.requests('CertificateSigned'),
      20_000,
    );
    expect(request!.certificateType).toBe('V2GCertificate');
    expect(request!.certificateChain).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    const [leaf, ca] = chainCertificates(request!.certificateChain);
    expect(ca?.fingerprint256).toBe(new X509Certificate(t.v2gCa).fingerprint256);
    expect(leaf!.verify(ca!.publicKey)).toBe(true);
    expect(leaf!.subject).toContain(`CN=${seccId}`);
    const publicKey = leaf!.publicKey;
    expect(publicKey.export({ type: 'spki', format: 'pem' })).toBe(
      createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'pem' }),
    );
    // The key must be at least 224 bits long: EC P-256.
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // Step 6: the station's Accepted marks it installed.
    expect((await newestCertificateWith(t, cs.id, INSTALLED)).certificateType).toBe('V2GCertificate');
    await cs.close();
  });
});

describe('TC_M_03_CSMS: Install CA certificate - V2GRootCertificate', () => {
  it('sends InstallCertificateRequest V2GRootCertificate with the configured certificate; Accepted (M05.FR.01)', async () => {
    const store = new Truststore();
    const cs = await booted('M03-CS', store);
    await certificateInstalled(cs, 'V2GRootCertificate', pem.v2gRoot);
    // Post condition: the certificate is stored at the station.
    expect(store.find(['V2GRootCertificate']).map((c) => c.pem)).toEqual([pem.v2gRoot]);
    await cs.close();
  });
});

describe('TC_M_04_CSMS: Install CA certificate - MORootCertificate', () => {
  it('sends InstallCertificateRequest MORootCertificate with the configured certificate; Accepted (M05.FR.01)', async () => {
    const store = new Truststore();
    const cs = await booted('M04-CS', store);
    await certificateInstalled(cs, 'MORootCertificate', pem.moRoot);
    expect(store.find(['MORootCertificate']).map((c) => c.pem)).toEqual([pem.moRoot]);
    await cs.close();
  });
});

describe('TC_M_14_CSMS: Retrieve certificates from Charging Station - V2GRootCertificate', () => {
  it('sends GetInstalledCertificateIdsRequest V2GRootCertificate; the hash data reaches the operator (M03.FR.01)', async () => {
    const cs = await booted(
      'M14-CS',
      new Truststore([
        { certificateType: 'MORootCertificate', pem: pem.moRoot },
        { certificateType: 'V2GRootCertificate', pem: pem.v2gRoot },
      ]),
    );
    expect(await getInstalledCertificates(cs, 'V2GRootCertificate')).toEqual({
      status: 'Accepted',
      certificateHashDataChain: [
        {
          certificateType: 'V2GRootCertificate',
          certificateHashData: certificateHashData(pem.v2gRoot, 'SHA256'),
        },
      ],
    });
    await cs.close();
  });
});

describe('TC_M_15_CSMS: Retrieve certificates from Charging Station - V2GCertificateChain', () => {
  it('sends GetInstalledCertificateIdsRequest V2GCertificateChain; the chain with its childCertificateHashData reaches the operator (M03.FR.05)', async () => {
    const chain: InstalledCertificate = {
      certificateType: 'V2GCertificateChain',
      pem: pem.v2gLeaf,
      issuerPem: t.pki.ca,
      children: [{ pem: t.pki.ca }],
    };
    const cs = await booted(
      'M15-CS',
      new Truststore([{ certificateType: 'V2GRootCertificate', pem: pem.v2gRoot }, chain]),
    );
    expect(await getInstalledCertificates(cs, 'V2GCertificateChain')).toEqual({
      status: 'Accepted',
      certificateHashDataChain: [
        {
          certificateType: 'V2GCertificateChain',
          certificateHashData: certificateHashData(pem.v2gLeaf, 'SHA256', t.pki.ca),
          childCertificateHashData: [certificateHashData(t.pki.ca, 'SHA256')],
        },
      ],
    });
    await cs.close();
  });
});

describe('TC_M_16_CSMS: Retrieve certificates from Charging Station - MORootCertificate', () => {
  it('sends GetInstalledCertificateIdsRequest MORootCertificate; the hash data reaches the operator (M03.FR.01)', async () => {
    const cs = await booted(
      'M16-CS',
      new Truststore([
        { certificateType: 'V2GRootCertificate', pem: pem.v2gRoot },
        { certificateType: 'MORootCertificate', pem: pem.moRoot },
      ]),
    );
    expect(await getInstalledCertificates(cs, 'MORootCertificate')).toEqual({
      status: 'Accepted',
      certificateHashDataChain: [
        {
          certificateType: 'MORootCertificate',
          certificateHashData: certificateHashData(pem.moRoot, 'SHA256'),
        },
      ],
    });
    await cs.close();
  });
});
