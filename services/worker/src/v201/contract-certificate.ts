import {
  checkContractChain,
  checkContractHashData,
  type ContractChainResult,
  type OcspCertId,
} from '@csms/station-ca';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';

/** Token statuses that make a valid contract ContractCancelled (C07.FR.13). */
const CANCELLED = new Set(['Blocked', 'Expired', 'Invalid', 'Unknown']);

/**
 * The contract certificate part of an Authorize (2.0.1 C07, ISO 15118 Plug & Charge): when the station sent
 * `iso15118CertificateHashData` (C07.FR.02) or, for central validation, the `certificate` chain (C07.FR.06), the
 * chain is checked by OCSP (C07.FR.05, real time or cached) and the answer gets a `certificateStatus`; the token's
 * own status is kept when the chain is valid (C07.FR.13/14) and replaced when it is not (C07.FR.15-17). Without
 * certificate data: the answer as it was. Run alongside the token's own authorization.
 */
export async function contractCertificateCheck(
  ctx: HandlerContext,
  request: V201.AuthorizeRequest,
): Promise<ContractChainResult | undefined> {
  const hashData = request.iso15118CertificateHashData ?? [];
  if (hashData.length === 0 && request.certificate === undefined) return undefined;
  if (ctx.ocsp === undefined) return { status: 'invalid', reason: 'this CSMS makes no OCSP requests' };
  const result =
    hashData.length > 0
      ? await checkContractHashData(ctx.ocsp, hashData.map(certIdOf))
      : await checkContractChain(ctx.ocsp, ctx.contractRoots, request.certificate ?? '', ctx.now());
  if (result.status !== 'valid')
    ctx.log.info(
      { idToken: request.idToken.idToken, status: result.status, reason: result.reason },
      'contract certificate not accepted',
    );
  return result;
}

/** The Authorize answer with the contract check applied (C07.FR.13-17). */
export function withCertificateStatus(
  response: V201.AuthorizeResponse,
  result: ContractChainResult | undefined,
): V201.AuthorizeResponse {
  if (result === undefined) return response;
  const { idTokenInfo } = response;
  switch (result.status) {
    case 'valid':
      return {
        ...response,
        certificateStatus: CANCELLED.has(idTokenInfo.status) ? 'ContractCancelled' : 'Accepted',
      };
    case 'expired':
      return { idTokenInfo: { ...idTokenInfo, status: 'Expired' }, certificateStatus: 'CertificateExpired' };
    case 'revoked':
      return { idTokenInfo: { ...idTokenInfo, status: 'Invalid' }, certificateStatus: 'CertificateRevoked' };
    case 'invalid':
      return { idTokenInfo: { ...idTokenInfo, status: 'Invalid' }, certificateStatus: 'CertChainError' };
  }
}

function certIdOf(data: V201.OCSPRequestDataType): OcspCertId {
  return {
    hashAlgorithm: data.hashAlgorithm,
    issuerNameHash: data.issuerNameHash,
    issuerKeyHash: data.issuerKeyHash,
    serialNumber: data.serialNumber,
    responderUrl: data.responderURL,
  };
}
