/**
 * OCTT TestCaseDocument 1.6, §3.21.1 Certificate management (OCPP 1.6 Security Whitepaper ed. 3, §1.14, §1.22,
 * §1.30): the operator sends InstallCertificate.req, GetInstalledCertificateIds.req and DeleteCertificate.req through
 * the typed gRPC command service (csms.ocpp16.v1.Ocpp16Service) of the embedded CSMS; the charge point, connected
 * over wss (Security Profile 2, the cases' prerequisite), keeps a certificate store and reports hash data as a real
 * one computes it. The checks: what the charge point receives, and that its answer reaches the operator unchanged.
 */
import { connectApi, ocpp16V1, Status, type ApiConnection } from '@csms/grpc';
import type { V16 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../support/grpc-rejection.js';
import { booted16 } from '../support/octt-states.js';
import type { Station16 } from '../support/scenario.js';
import { certificateHashData, Truststore, type HashAlgorithm } from '../support/station-truststore.js';
import { selfSignedCertificate as selfSigned } from '../support/pki.js';
import { startTlsCsms, type TlsCsms } from '../support/tls-csms.js';

const PASSWORD = 'OCTT16-certificates-pw-01';
const STATIONS = ['CP075-1', 'CP075-2', 'CP076'] as const;

let t: TlsCsms;
let api: ApiConnection;
let c16: ReturnType<typeof client>;
const client = () => api.client(ocpp16V1.Ocpp16ServiceDefinition);
/** <Configured root certificate>s: the CSMS root is the CA of the CSMS's own server certificates. */
const pem = { centralSystemRoot: '', centralSystemRoot2: '', manufacturerRoot: '' };

beforeAll(async () => {
  t = await startTlsCsms(
    [
      'stations:',
      ...STATIONS.map((id) => `  - { id: ${id}, password: "${PASSWORD}", securityProfile: 2 }`),
      '',
    ].join('\n'),
  );
  pem.centralSystemRoot = t.pki.ca;
  pem.centralSystemRoot2 = selfSigned(t.dir, 'cs-root-2', '/O=Test CSO/CN=Test CA Root 2', true).cert;
  pem.manufacturerRoot = selfSigned(t.dir, 'mf-root', '/O=OCTT Manufacturer/CN=Manufacturer Root', true).cert;
  api = connectApi({ address: t.csms.grpcAddress });
  c16 = client();
});
afterAll(async () => {
  api?.close();
  await t?.close();
});

/** Connects the charge point over wss, boots it and lets `store` answer the certificate messages. */
async function chargePointWith(id: (typeof STATIONS)[number], store: Truststore): Promise<Station16> {
  const { station } = await t.connect16({ id, password: PASSWORD });
  expect((await booted16(station)).status).toBe('Accepted');
  store.serve16(station);
  return station;
}

/** Steps 1-2: InstallCertificate.req; returns the conf as the operator got it (OCPP JSON). */
async function install(cp: Station16, certificateType: V16.CertificateUseEnumType, certificate: string) {
  const sent = cp.requests('InstallCertificate').length;
  const answer = await c16.installCertificate({
    stationId: cp.id,
    payload: { certificateType, certificate },
  });
  expect(cp.requests('InstallCertificate').slice(sent)).toEqual([{ certificateType, certificate }]);
  return ocpp16V1.InstallCertificateResponse.toJSON(answer.payload!);
}

/** GetInstalledCertificateIds.req; the conf as the operator got it, as OCPP JSON and as the API message. */
async function getInstalled(cp: Station16, certificateType: V16.CertificateUseEnumType) {
  const sent = cp.requests('GetInstalledCertificateIds').length;
  const answer = await c16.getInstalledCertificateIds({ stationId: cp.id, payload: { certificateType } });
  expect(cp.requests('GetInstalledCertificateIds').slice(sent)).toEqual([{ certificateType }]);
  const json = ocpp16V1.GetInstalledCertificateIdsResponse.toJSON(answer.payload!);
  return { json: json as V16.GetInstalledCertificateIdsResponse, message: answer.payload! };
}

/** TC_075_1 / TC_075_2: install the configured root, then find it among the installed ones. */
async function installAndList(
  id: (typeof STATIONS)[number],
  certificateType: V16.CertificateUseEnumType,
  certificate: string,
): Promise<void> {
  const store = new Truststore();
  const cp = await chargePointWith(id, store);
  expect(await install(cp, certificateType, certificate)).toEqual({ status: 'Accepted' });
  expect(store.certificates).toEqual([{ certificateType, pem: certificate }]);
  expect((await getInstalled(cp, certificateType)).json).toEqual({
    status: 'Accepted',
    certificateHashData: [certificateHashData(certificate, 'SHA256')],
  });
  await cp.close();
}

describe('TC_075_1_CSMS: Install a certificate on the Charge Point - ManufacturerRootCertificate', () => {
  it('sends InstallCertificate.req ManufacturerRootCertificate, then GetInstalledCertificateIds.req; both answers reach the operator', async () => {
    await installAndList('CP075-1', 'ManufacturerRootCertificate', pem.manufacturerRoot);
  });
});

describe('TC_075_2_CSMS: Install a certificate on the Charge Point - CentralSystemRootCertificate', () => {
  it('sends InstallCertificate.req CentralSystemRootCertificate, then GetInstalledCertificateIds.req; both answers reach the operator', async () => {
    await installAndList('CP075-2', 'CentralSystemRootCertificate', pem.centralSystemRoot);
  });

  it('passes Rejected and Failed through, and refuses a certificateType 1.6 does not know without sending', async () => {
    const cp = await chargePointWith('CP075-2', new Truststore());
    for (const status of ['Rejected', 'Failed'] as const) {
      cp.respond('InstallCertificate', { status });
      expect(await install(cp, 'CentralSystemRootCertificate', pem.centralSystemRoot)).toEqual({ status });
    }
    const sent = cp.requests('InstallCertificate').length;
    const error = await rejection(
      c16.installCertificate({
        stationId: cp.id,
        payload: { certificateType: 'V2GRootCertificate', certificate: pem.centralSystemRoot },
      }),
    );
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(cp.requests('InstallCertificate')).toHaveLength(sent);
    await cp.close();
  });
});

describe('TC_076_CSMS: Delete a specific certificate from the Charge Point', () => {
  it('deletes the just installed CentralSystemRootCertificate (Root 2) with the hash data and algorithm the charge point reported', async () => {
    const store = new Truststore([
      { certificateType: 'CentralSystemRootCertificate', pem: pem.centralSystemRoot },
    ]);
    const cp = await chargePointWith('CP076', store);
    for (const algorithm of ['SHA256', 'SHA384', 'SHA512'] as const satisfies readonly HashAlgorithm[]) {
      store.hashAlgorithm = algorithm;
      // Memory state: the Central System installed Root 2.
      expect(await install(cp, 'CentralSystemRootCertificate', pem.centralSystemRoot2)).toEqual({
        status: 'Accepted',
      });
      // Steps 1-2.
      const listed = await getInstalled(cp, 'CentralSystemRootCertificate');
      const root2 = certificateHashData(pem.centralSystemRoot2, algorithm);
      expect(listed.json).toEqual({
        status: 'Accepted',
        certificateHashData: [certificateHashData(pem.centralSystemRoot, algorithm), root2],
      });
      // Steps 3-4: the operator picks Root 2's entry and hands it back as it came.
      const chosen = listed.message.certificateHashData.find((h) => h.serialNumber === root2.serialNumber)!;
      const answer = await c16.deleteCertificate({
        stationId: cp.id,
        payload: { certificateHashData: chosen },
      });
      expect(cp.requests('DeleteCertificate').at(-1)).toEqual({ certificateHashData: root2 });
      expect(ocpp16V1.DeleteCertificateResponse.toJSON(answer.payload!)).toEqual({ status: 'Accepted' });
      expect(store.certificates.map((c) => c.pem)).toEqual([pem.centralSystemRoot]);
    }
    // A hash data the charge point does not know: NotFound reaches the operator.
    const unknown = certificateHashData(pem.manufacturerRoot, 'SHA256');
    const answer = await c16.deleteCertificate({
      stationId: cp.id,
      payload: { certificateHashData: unknown },
    });
    expect(ocpp16V1.DeleteCertificateResponse.toJSON(answer.payload!)).toEqual({ status: 'NotFound' });
    await cp.close();
  });
});
