/**
 * GetCertificateStatus (M06): a 2.0.1 station asks the CSMS for the OCSP status of its (V2G) certificates; the CSMS
 * asks the real OCSP responder named in the request (`openssl ocsp` on loopback, answers signed by a delegated
 * responder) and passes the DER OCSPResponse on, base64. Independent stations (ocpp-rpc, strict mode).
 */
import { createServer, type Server } from 'node:net';
import { checkOcspResponse } from '@csms/station-ca';
import { freePort } from '@csms/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { startOcspPki, type OcspPki } from '../support/ocsp-responder.js';
import { booted201 } from '../support/octt-states.js';
import { connect201, type Station201 } from '../support/scenario.js';

let csms: TestCsms;
let pki: OcspPki;
let silent: Server;
let silentPort: number;

beforeAll(async () => {
  pki = await startOcspPki();
  csms = await startTestCsms({ env: { CSMS_OCSP_TIMEOUT: '2' } });
  // Accepts connections and never answers: the CSMS's bound on an OCSP exchange must end the wait.
  silentPort = await freePort();
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
}, 60_000);
afterAll(async () => {
  await csms?.close();
  await pki?.close();
  silent?.close();
});

const request = (cs: Station201, data: ReturnType<OcspPki['certId']>) =>
  cs.call('GetCertificateStatus', {
    ocspRequestData: {
      hashAlgorithm: data.hashAlgorithm,
      issuerNameHash: data.issuerNameHash,
      issuerKeyHash: data.issuerKeyHash,
      serialNumber: data.serialNumber,
      responderURL: data.responderUrl,
    },
  });

async function booted(): Promise<Station201> {
  const cs = await connect201(csms);
  await booted201(cs);
  return cs;
}

describe('TC_M_24_CSMS: Get Charging Station Certificate status - Success', () => {
  it('answers Accepted with the responder’s DER OCSPResponse, base64, for each certificate of the chain asked about', async () => {
    const cs = await booted();
    const before = pki.requests();
    for (const hashAlgorithm of ['SHA256', 'SHA384', 'SHA512'] as const) {
      const certId = pki.certId('good', hashAlgorithm);
      const answer = await request(cs, certId);
      expect(answer.status).toBe('Accepted');
      // M06.FR.08/09: an RFC 6960 OCSPResponse, DER; it verifies and says the certificate is good.
      const der = Buffer.from(answer.ocspResult ?? '', 'base64');
      expect(checkOcspResponse(der, certId, new Date()).status).toBe('good');
    }
    expect(pki.requests() - before).toBe(3);
    await cs.close();
  });
});

describe('GetCertificateStatus (M06): other answers', () => {
  it('passes a revoked status on as it is (Accepted: the status was retrieved, M06.FR.02)', async () => {
    const cs = await booted();
    const certId = pki.certId('revoked');
    const answer = await request(cs, certId);
    expect(answer.status).toBe('Accepted');
    const checked = checkOcspResponse(Buffer.from(answer.ocspResult ?? '', 'base64'), certId, new Date());
    expect(checked.status).toBe('revoked');
    await cs.close();
  });

  it('reuses a cached answer until its nextUpdate instead of asking the responder again', async () => {
    const cs = await booted();
    const certId = pki.certId('contract');
    const first = await request(cs, certId);
    const before = pki.requests();
    const second = await request(cs, certId);
    expect(second).toEqual(first);
    expect(pki.requests()).toBe(before);
    await cs.close();
  });

  it('Failed with a reason when the responder cannot be reached, does not answer in time, or is not http', async () => {
    const cs = await booted();
    // Not asked about before (a cached answer would be used whatever the URL).
    const good = pki.certId('revoked', 'SHA512');
    const closedPort = await freePort();
    const unreachable = await request(cs, { ...good, responderUrl: `http://127.0.0.1:${closedPort}/` });
    expect(unreachable).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'OcspUnreachable' } });
    const started = Date.now();
    const slow = await request(cs, { ...good, responderUrl: `http://127.0.0.1:${silentPort}/` });
    expect(slow).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'OcspTimeout' } });
    expect(Date.now() - started).toBeLessThan(20_000);
    const notHttp = await request(cs, { ...good, responderUrl: 'file:///etc/passwd' });
    expect(notHttp).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'InvalidRequest' } });
    expect(unreachable.ocspResult).toBeUndefined();
    await cs.close();
  });

  it('a responder that does not know the certificate: Accepted with its answer (unknown); one that may not answer for the issuer: Failed', async () => {
    const cs = await booted();
    const good = pki.certId('good');
    // Another serial under the same issuer: the responder answers, signed, that it does not know it.
    const unknownSerial = { ...good, serialNumber: '0badc0ffee' };
    const unknown = await request(cs, unknownSerial);
    expect(unknown.status).toBe('Accepted');
    const checked = checkOcspResponse(
      Buffer.from(unknown.ocspResult ?? '', 'base64'),
      unknownSerial,
      new Date(),
    );
    expect(checked.status).toBe('unknown');
    // Another issuer: the responder signs for the sub-CA only, so its answer proves nothing about this one.
    const otherIssuer = await request(cs, { ...good, issuerNameHash: 'ab'.repeat(32) });
    expect(otherIssuer).toMatchObject({
      status: 'Failed',
      statusInfo: { reasonCode: 'InvalidOcspResponse' },
    });
    await cs.close();
  });
});
