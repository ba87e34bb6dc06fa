/**
 * OCPP 2.0.1 Part 6 §3.13 (M ISO 15118 Certificate Management), the CSMS cases on the certificates installed
 * at a station: the operator sends InstallCertificate, GetInstalledCertificateIds and DeleteCertificate through
 * the typed gRPC command service (csms.ocpp201.v1.Ocpp201Service) of the embedded CSMS; the station, connected
 * over wss (Security Profile 2), keeps a certificate store and reports hash data as a real one computes it. The
 * checks: what the station receives, and that its answer reaches the API caller unchanged.
 */
import { connectApi, ocpp201V1, Status, type ApiConnection } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import { booted201 } from '../support/octt-states.js';
import type { Station201 } from '../support/scenario.js';
import {
  certificateHashData,
  Truststore,
  type HashAlgorithm,
  type InstalledCertificate,
} from '../support/station-truststore.js';
import { clientCertificate, selfSignedCertificate as selfSigned } from '../support/pki.js';
import { startTlsCsms, type TlsCsms } from '../support/tls-csms.js';

const PASSWORD = 'octt-M-Basic-password-01';
const CASES = ['M01', 'M02', 'M05', 'M12', 'M13', 'M17', 'M18', 'M19', 'M20', 'M21'] as const;
const idOf = (tc: (typeof CASES)[number]) => `${tc}-CS`;
const ALGORITHMS: readonly HashAlgorithm[] = ['SHA256', 'SHA384', 'SHA512'];

let t: TlsCsms;
let api: ApiConnection;
let c201: ReturnType<typeof client>;
const client = () => api.client(ocpp201V1.Ocpp201ServiceDefinition);
/** The configured certificates: the CSMS root is the CA of the CSMS's own server certificates. */
const pem = { csmsRoot: '', manufacturerRoot: '', v2gRoot: '', moRoot: '', v2gLeaf: '' };

beforeAll(async () => {
  t = await startTlsCsms(
    [
      'stations:',
      ...CASES.map((tc) => `  - { id: ${idOf(tc)}, password: "${PASSWORD}", securityProfile: 2 }`),
      '',
    ].join('\n'),
  );
  pem.csmsRoot = t.pki.ca;
  pem.manufacturerRoot = selfSigned(
    t.dir,
    'mf-root',
    '/O=OCTT Manufacturer/CN=Manufacturer Root CA',
    true,
  ).cert;
  pem.v2gRoot = selfSigned(t.dir, 'v2g-root', '/O=OCTT/CN=V2G Root CA', true).cert;
  pem.moRoot = selfSigned(t.dir, 'mo-root', '/O=OCTT/CN=MO Root CA', true).cert;
  pem.v2gLeaf = clientCertificate(t.dir, 'v2g-leaf', 'M18-CS').cert;
  api = connectApi({ address: t.csms.grpcAddress });
  c201 = client();
});
afterAll(async () => {
  api?.close();
  await t?.close();
});

/** Connects the case's station over wss, boots it and lets `store` answer the certificate messages. */
async function stationWith(tc: (typeof CASES)[number], store: Truststore): Promise<Station201> {
  const { station } = await t.connect201({ id: idOf(tc), password: PASSWORD });
  expect((await booted201(station)).status).toBe('Accepted');
  store.serve201(station);
  return station;
}

/** The operator's InstallCertificate; returns the station's answer as the API caller got it (OCPP JSON). */
async function install(cs: Station201, certificateType: string, certificate: string) {
  const sent = cs.requests('InstallCertificate').length;
  const answer = await c201.installCertificate({
    stationId: cs.id,
    payload: { certificateType, certificate },
  });
  // Tool validation: certificateType and the configured certificate, exactly.
  expect(cs.requests('InstallCertificate').slice(sent)).toEqual([{ certificateType, certificate }]);
  expect(answer.queued).toBeUndefined();
  return ocpp201V1.InstallCertificateResponse.toJSON(answer.payload!);
}

/** The operator's GetInstalledCertificateIds (all types when `certificateType` is undefined). */
async function getInstalled(cs: Station201, certificateType?: string[]) {
  const sent = cs.requests('GetInstalledCertificateIds').length;
  const payload = certificateType ? { certificateType } : {};
  const answer = await c201.getInstalledCertificateIds({ stationId: cs.id, payload });
  expect(cs.requests('GetInstalledCertificateIds').slice(sent)).toEqual([payload]);
  const json = ocpp201V1.GetInstalledCertificateIdsResponse.toJSON(answer.payload!);
  return { json: json as V201.GetInstalledCertificateIdsResponse, message: answer.payload! };
}

/** One entry of a GetInstalledCertificateIdsResponse as the station computes it. */
function entry(
  certificateType: string,
  certificate: InstalledCertificate | string,
  algorithm: HashAlgorithm,
) {
  const c: { pem: string; issuerPem?: string } =
    typeof certificate === 'string' ? { pem: certificate } : certificate;
  return {
    certificateType,
    certificateHashData: certificateHashData(c.pem, algorithm, c.issuerPem),
    ...(typeof certificate !== 'string' && certificate.children
      ? {
          childCertificateHashData: certificate.children.map((child) =>
            certificateHashData(child.pem, algorithm, child.issuerPem),
          ),
        }
      : {}),
  };
}

describe('TC_M_01_CSMS: Install CA certificate - CSMSRootCertificate', () => {
  it('sends InstallCertificateRequest CSMSRootCertificate with the configured PEM; the Accepted answer reaches the operator', async () => {
    const store = new Truststore();
    const cs = await stationWith('M01', store);
    expect(await install(cs, 'CSMSRootCertificate', pem.csmsRoot)).toEqual({ status: 'Accepted' });
    // Post condition: the certificate is stored at the station.
    expect(store.certificates).toEqual([{ certificateType: 'CSMSRootCertificate', pem: pem.csmsRoot }]);
    await cs.close();
  });

  it('refuses a certificateType InstallCertificate does not know, or a certificate over 5500 characters, without sending', async () => {
    const cs = await stationWith('M01', new Truststore());
    for (const payload of [
      { certificateType: 'V2GCertificateChain', certificate: pem.csmsRoot },
      { certificateType: 'CSMSRootCertificate', certificate: 'A'.repeat(5501) },
    ]) {
      const error = await rejection(c201.installCertificate({ stationId: cs.id, payload }));
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
    }
    expect(cs.requests('InstallCertificate')).toEqual([]);
    await cs.close();
  });
});

describe('TC_M_02_CSMS: Install CA certificate - ManufacturerRootCertificate', () => {
  it('sends InstallCertificateRequest ManufacturerRootCertificate with the configured PEM; Accepted', async () => {
    const store = new Truststore();
    const cs = await stationWith('M02', store);
    expect(await install(cs, 'ManufacturerRootCertificate', pem.manufacturerRoot)).toEqual({
      status: 'Accepted',
    });
    expect(store.find(['ManufacturerRootCertificate']).map((c) => c.pem)).toEqual([pem.manufacturerRoot]);
    await cs.close();
  });
});

describe('TC_M_05_CSMS: Install CA certificate - Failed', () => {
  it("passes the station's Failed (with its statusInfo) back to the operator unchanged", async () => {
    const cs = await stationWith('M05', new Truststore());
    const failed = {
      status: 'Failed' as const,
      statusInfo: { reasonCode: 'StorageFull', additionalInfo: 'disk full' },
    };
    cs.respond('InstallCertificate', failed);
    expect(await install(cs, 'CSMSRootCertificate', pem.csmsRoot)).toEqual(failed);
    await cs.close();
  });
});

describe('TC_M_12_CSMS: Retrieve certificates from Charging Station - CSMSRootCertificate', () => {
  it('GetInstalledCertificateIds CSMSRootCertificate, answered with SHA256, SHA384 and SHA512 hash data', async () => {
    const store = new Truststore([{ certificateType: 'CSMSRootCertificate', pem: pem.csmsRoot }]);
    const cs = await stationWith('M12', store);
    for (const algorithm of ALGORITHMS) {
      store.hashAlgorithm = algorithm;
      const { json } = await getInstalled(cs, ['CSMSRootCertificate']);
      expect(json).toEqual({
        status: 'Accepted',
        certificateHashDataChain: [entry('CSMSRootCertificate', pem.csmsRoot, algorithm)],
      });
    }
    await cs.close();
  });
});

describe('TC_M_13_CSMS: Retrieve certificates from Charging Station - ManufacturerRootCertificate', () => {
  it('GetInstalledCertificateIds ManufacturerRootCertificate; the hash data reaches the operator', async () => {
    const store = new Truststore([
      { certificateType: 'CSMSRootCertificate', pem: pem.csmsRoot },
      { certificateType: 'ManufacturerRootCertificate', pem: pem.manufacturerRoot },
    ]);
    const cs = await stationWith('M13', store);
    expect((await getInstalled(cs, ['ManufacturerRootCertificate'])).json).toEqual({
      status: 'Accepted',
      certificateHashDataChain: [entry('ManufacturerRootCertificate', pem.manufacturerRoot, 'SHA256')],
    });
    await cs.close();
  });
});

describe('TC_M_17_CSMS: Retrieve certificates from Charging Station - CSMSRootCertificate & ManufacturerRootCertificate', () => {
  it('GetInstalledCertificateIds with both types; both entries reach the operator', async () => {
    const store = new Truststore([
      { certificateType: 'CSMSRootCertificate', pem: pem.csmsRoot },
      { certificateType: 'ManufacturerRootCertificate', pem: pem.manufacturerRoot },
      { certificateType: 'V2GRootCertificate', pem: pem.v2gRoot },
    ]);
    const cs = await stationWith('M17', store);
    const { json } = await getInstalled(cs, ['CSMSRootCertificate', 'ManufacturerRootCertificate']);
    expect(json).toEqual({
      status: 'Accepted',
      certificateHashDataChain: [
        entry('CSMSRootCertificate', pem.csmsRoot, 'SHA256'),
        entry('ManufacturerRootCertificate', pem.manufacturerRoot, 'SHA256'),
      ],
    });
    await cs.close();
  });
});

describe('TC_M_18_CSMS: Retrieve certificates from Charging Station - All certificateTypes', () => {
  it('GetInstalledCertificateIds without certificateType; every root and the V2G chain with its sub-CA come back', async () => {
    const chain: InstalledCertificate = {
      certificateType: 'V2GCertificateChain',
      pem: pem.v2gLeaf,
      issuerPem: pem.csmsRoot,
      children: [{ pem: pem.csmsRoot }],
    };
    const installed: InstalledCertificate[] = [
      { certificateType: 'CSMSRootCertificate', pem: pem.csmsRoot },
      { certificateType: 'ManufacturerRootCertificate', pem: pem.manufacturerRoot },
      { certificateType: 'V2GRootCertificate', pem: pem.v2gRoot },
      { certificateType: 'MORootCertificate', pem: pem.moRoot },
      chain,
    ];
    const cs = await stationWith('M18', new Truststore(installed));
    // Tool validation of step 1: certificateType is omitted.
    const { json } = await getInstalled(cs, undefined);
    expect(json).toEqual({
      status: 'Accepted',
      certificateHashDataChain: installed.map((c) => entry(c.certificateType, c, 'SHA256')),
    });
    await cs.close();
  });
});

describe('TC_M_19_CSMS: Retrieve certificates from Charging Station - No matching certificate found', () => {
  it('GetInstalledCertificateIds ManufacturerRootCertificate answered NotFound without certificateHashDataChain', async () => {
    const cs = await stationWith(
      'M19',
      new Truststore([{ certificateType: 'CSMSRootCertificate', pem: pem.csmsRoot }]),
    );
    const { json, message } = await getInstalled(cs, ['ManufacturerRootCertificate']);
    expect(json).toEqual({ status: 'NotFound' });
    expect(message.certificateHashDataChain).toEqual([]);
    await cs.close();
  });
});

describe('TC_M_20_CSMS: Delete a certificate from a Charging Station - Success', () => {
  it('installs, lists and deletes the CSMSRootCertificate with the hash data the station returned, for SHA256, SHA384 and SHA512', async () => {
    const store = new Truststore();
    const cs = await stationWith('M20', store);
    for (const algorithm of ALGORITHMS) {
      store.hashAlgorithm = algorithm;
      // Step 1: CertificateInstalled.
      expect(await install(cs, 'CSMSRootCertificate', pem.csmsRoot)).toEqual({ status: 'Accepted' });
      // Steps 2-3.
      const listed = await getInstalled(cs, ['CSMSRootCertificate']);
      expect(listed.json).toEqual({
        status: 'Accepted',
        certificateHashDataChain: [entry('CSMSRootCertificate', pem.csmsRoot, algorithm)],
      });
      // Steps 4-5: the operator hands the returned hash data back (M04.FR.07: the station's own algorithm).
      const certificateHashData = listed.message.certificateHashDataChain[0]!.certificateHashData!;
      const answer = await c201.deleteCertificate({ stationId: cs.id, payload: { certificateHashData } });
      expect(cs.requests('DeleteCertificate').at(-1)).toEqual({
        certificateHashData: listed.json.certificateHashDataChain?.[0]?.certificateHashData,
      });
      expect(cs.requests('DeleteCertificate').at(-1)?.certificateHashData.hashAlgorithm).toBe(algorithm);
      expect(ocpp201V1.DeleteCertificateResponse.toJSON(answer.payload!)).toEqual({ status: 'Accepted' });
      expect(store.certificates).toEqual([]);
    }
    expect((await getInstalled(cs, ['CSMSRootCertificate'])).json).toEqual({ status: 'NotFound' });
    await cs.close();
  });
});

describe('TC_M_21_CSMS: Delete a certificate from a Charging Station - Failed', () => {
  it("passes the station's Failed back to the operator; the certificate is still listed", async () => {
    const store = new Truststore();
    const cs = await stationWith('M21', store);
    expect(await install(cs, 'CSMSRootCertificate', pem.csmsRoot)).toEqual({ status: 'Accepted' });
    const listed = await getInstalled(cs, ['CSMSRootCertificate']);
    const hashData = listed.json.certificateHashDataChain?.[0]?.certificateHashData;
    expect(hashData).toEqual(certificateHashData(pem.csmsRoot, 'SHA256'));
    cs.respond('DeleteCertificate', { status: 'Failed', statusInfo: { reasonCode: 'LastRootCert' } });
    const answer = await c201.deleteCertificate({
      stationId: cs.id,
      payload: { certificateHashData: listed.message.certificateHashDataChain[0]!.certificateHashData! },
    });
    expect(cs.requests('DeleteCertificate')).toEqual([{ certificateHashData: hashData }]);
    expect(ocpp201V1.DeleteCertificateResponse.toJSON(answer.payload!)).toEqual({
      status: 'Failed',
      statusInfo: { reasonCode: 'LastRootCert' },
    });
    expect((await getInstalled(cs, ['CSMSRootCertificate'])).json).toEqual(listed.json);
    await cs.close();
  });
});
