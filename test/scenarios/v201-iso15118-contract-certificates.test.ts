/**
 * Plug & Charge authorization with contract certificates (2.0.1 C07): Authorize with `iso15118CertificateHashData`
 * (the station validated the chain, the CSMS checks it by OCSP) or with the `certificate` chain itself (central
 * validation against the configured V2G / MO roots, then OCSP). Real OCSP responders (`openssl ocsp` on loopback),
 * independent stations (ocpp-rpc, strict mode).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { startOcspPki, type OcspPki } from '../support/ocsp-responder.js';
import { booted201 } from '../support/octt-states.js';
import { connect201, type Station201 } from '../support/scenario.js';

const EMAID: V201.IdTokenType = { idToken: 'NLTSTC00000001', type: 'eMAID' };
const BLOCKED_EMAID: V201.IdTokenType = { idToken: 'NLTSTC00000009', type: 'eMAID' };

let csms: TestCsms;
let pki: OcspPki;
let dir: string;

beforeAll(async () => {
  pki = await startOcspPki();
  dir = mkdtempSync(join(tmpdir(), 'csms-contract-roots-'));
  writeFileSync(join(dir, 'roots.pem'), pki.root);
  csms = await startTestCsms({
    env: { CSMS_CONTRACT_ROOTS_FILE: join(dir, 'roots.pem'), CSMS_OCSP_TIMEOUT: '3' },
    seed: `
idTokens:
  - { idToken: "${EMAID.idToken}", type: eMAID, status: Accepted }
  - { idToken: "${BLOCKED_EMAID.idToken}", type: eMAID, status: Blocked }
`,
  });
}, 60_000);
afterAll(async () => {
  await csms?.close();
  await pki?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function booted(): Promise<Station201> {
  const cs = await connect201(csms);
  await booted201(cs);
  return cs;
}

const hashData = (name: 'contract' | 'revoked'): V201.OCSPRequestDataType => {
  const id = pki.certId(name);
  return {
    hashAlgorithm: id.hashAlgorithm,
    issuerNameHash: id.issuerNameHash,
    issuerKeyHash: id.issuerKeyHash,
    serialNumber: id.serialNumber,
    responderURL: id.responderUrl,
  };
};

describe('TC_C_50_CSMS: Authorization using Contract Certificates 15118 - Online - Local contract certificate validation - Accepted', () => {
  it('asks the OCSP responder of the hash data and answers Accepted with certificateStatus Accepted', async () => {
    const cs = await booted();
    const before = pki.requests();
    const answer = await cs.call('Authorize', {
      idToken: EMAID,
      iso15118CertificateHashData: [hashData('contract')],
    });
    expect(answer).toEqual({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
    expect(pki.requests()).toBeGreaterThan(before);
    await cs.close();
  });
});

describe('TC_C_51_CSMS: Authorization using Contract Certificates 15118 - Online - Local contract certificate validation - Rejected', () => {
  it('a revoked contract certificate: certificateStatus CertificateRevoked and idTokenInfo.status Invalid (C07.FR.16)', async () => {
    const cs = await booted();
    const answer = await cs.call('Authorize', {
      idToken: EMAID,
      iso15118CertificateHashData: [hashData('revoked')],
    });
    expect(answer).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' });
    await cs.close();
  });
});

describe('TC_C_52_CSMS: Authorization using Contract Certificates 15118 - Online - Central contract certificate validation - Accepted', () => {
  it('checks the chain up to the configured root, asks the responders of its AIA, and answers Accepted', async () => {
    const cs = await booted();
    const before = pki.requests('root');
    const answer = await cs.call('Authorize', {
      idToken: EMAID,
      certificate: `${pki.certs.contract}${pki.subCa}`,
    });
    expect(answer).toEqual({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
    // The sub-CA at the root's responder (the contract certificate at the sub-CA's, or its cached answer).
    expect(pki.requests('root') - before).toBe(1);
    await cs.close();
  });
});

describe('Contract certificates (C07): other answers', () => {
  it('a valid chain with a blocked eMAID: ContractCancelled and the token’s own status (C07.FR.13)', async () => {
    const cs = await booted();
    const answer = await cs.call('Authorize', {
      idToken: BLOCKED_EMAID,
      iso15118CertificateHashData: [hashData('contract')],
    });
    expect(answer).toEqual({ idTokenInfo: { status: 'Blocked' }, certificateStatus: 'ContractCancelled' });
    await cs.close();
  });

  it('a chain that does not lead to a configured root, or no OCSP answer: CertChainError and Invalid (C07.FR.17)', async () => {
    const cs = await booted();
    // Without its sub-CA the contract certificate cannot be tied to the root.
    const alone = await cs.call('Authorize', { idToken: EMAID, certificate: pki.certs.contract });
    expect(alone).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
    const garbage = await cs.call('Authorize', { idToken: EMAID, certificate: 'not a certificate' });
    expect(garbage.certificateStatus).toBe('CertChainError');
    const unreachable = await cs.call('Authorize', {
      idToken: EMAID,
      iso15118CertificateHashData: [
        { ...hashData('contract'), serialNumber: '01', responderURL: 'http://127.0.0.1:9/' },
      ],
    });
    expect(unreachable).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
    await cs.close();
  });

  it('without certificate data the answer has no certificateStatus, as before', async () => {
    const cs = await booted();
    expect(await cs.call('Authorize', { idToken: EMAID })).toEqual({ idTokenInfo: { status: 'Accepted' } });
    await cs.close();
  });
});
