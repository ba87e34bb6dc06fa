import { X509Certificate } from 'node:crypto';
import { pemCertificates } from './certificate-facts.js';
import type { OcspClient } from './ocsp-client.js';
import { ocspCertIdOf } from './ocsp-cert-id.js';
import { OcspError, type OcspCertId } from './ocsp-types.js';

/**
 * What the CSMS found about an ISO 15118 contract certificate chain (2.0.1 C07): `valid` (every certificate
 * good), `revoked` (one revoked, C07.FR.16), `expired` (one outside its validity, C07.FR.15) or `invalid` (cannot
 * be verified: no trusted root, a broken signature, an unknown status, no OCSP answer; C07.FR.17).
 */
export type ContractChainResult =
  | { readonly status: 'valid' }
  | { readonly status: 'revoked' | 'expired' | 'invalid'; readonly reason: string };

/**
 * Checks the OCSP status of each certificate named by `iso15118CertificateHashData` (the contract certificate
 * and its sub-CAs; C07.FR.02/05), in parallel. Revoked wins over an unknown or unanswered one.
 */
export async function checkContractHashData(
  ocsp: OcspClient,
  hashData: readonly OcspCertId[],
): Promise<ContractChainResult> {
  const results = await Promise.all(hashData.map((certId) => statusOf(ocsp, certId)));
  return (
    results.find((r) => r.status === 'revoked') ??
    results.find((r) => r.status !== 'valid') ?? { status: 'valid' }
  );
}

/**
 * Central contract validation (C07.FR.06, TC_C_52): the station passes the contract certificate chain (PEM, leaf
 * first) because it lacks the root. The chain must lead, signature by signature, to one of `roots` (the V2G and
 * MO roots the operator configured), every certificate must be within its validity at `now`, and each
 * certificate but the root must be good at the OCSP responder of its Authority Information Access (C07.FR.05).
 */
export async function checkContractChain(
  ocsp: OcspClient,
  roots: readonly string[],
  chainPem: string,
  now: Date,
): Promise<ContractChainResult> {
  let chain: X509Certificate[];
  try {
    chain = pemCertificates(chainPem).map((pem) => new X509Certificate(pem));
  } catch (error) {
    return { status: 'invalid', reason: `not a PEM certificate chain: ${(error as Error).message}` };
  }
  if (chain.length === 0) return { status: 'invalid', reason: 'no certificate in the chain' };
  const trusted = roots.map((pem) => new X509Certificate(pem));
  const expired = chain.find((c) => new Date(c.validTo) < now || new Date(c.validFrom) > now);
  if (expired !== undefined)
    return {
      status: 'expired',
      reason: `${expired.subject} is valid ${expired.validFrom} to ${expired.validTo}`,
    };
  // Each certificate signed by the next; the last by a trusted root (or itself one).
  const pairs: Array<[X509Certificate, X509Certificate]> = [];
  for (const [index, cert] of chain.entries()) {
    const next = chain[index + 1];
    if (next !== undefined) {
      if (!signedBy(cert, next))
        return { status: 'invalid', reason: `${cert.subject} is not signed by ${next.subject}` };
      pairs.push([cert, next]);
      continue;
    }
    if (trusted.some((root) => root.fingerprint256 === cert.fingerprint256)) break;
    const root = trusted.find((r) => signedBy(cert, r));
    if (root === undefined)
      return { status: 'invalid', reason: `${cert.subject} does not lead to a configured V2G or MO root` };
    pairs.push([cert, root]);
  }
  const certIds: OcspCertId[] = [];
  for (const [cert, issuer] of pairs) {
    const certId = ocspCertIdOf(cert.raw, issuer.raw);
    if (certId.responderUrl === '')
      return { status: 'invalid', reason: `${cert.subject} names no OCSP responder` };
    certIds.push(certId);
  }
  return checkContractHashData(ocsp, certIds);
}

function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

async function statusOf(ocsp: OcspClient, certId: OcspCertId): Promise<ContractChainResult> {
  try {
    const answer = await ocsp.check(certId);
    if (answer.status === 'good') return { status: 'valid' };
    return {
      status: answer.status === 'revoked' ? 'revoked' : 'invalid',
      reason: `certificate ${certId.serialNumber} is ${answer.status} at ${certId.responderUrl}`,
    };
  } catch (error) {
    if (!(error instanceof OcspError)) throw error;
    return { status: 'invalid', reason: `certificate ${certId.serialNumber}: ${error.message}` };
  }
}
