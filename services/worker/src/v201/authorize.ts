import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { authorizeToken } from './common.js';
import { contractCertificateCheck, withCertificateStatus } from './contract-certificate.js';
import { tariffMessage } from './tariff-cost.js';

/**
 * Authorize (C01, C03-C06, C09). The token may already be in a transaction at this station (it is
 * presented again to stop it, C01.FR.03 / C09.FR.03), so only a transaction at another station makes it
 * ConcurrentTx.
 *
 * `certificate` / `iso15118CertificateHashData` (C07, ISO 15118 Plug & Charge contract certificates): the chain is
 * checked by OCSP while the token (eMAID) is authorized, and the answer carries `certificateStatus`
 * ({@link contractCertificateCheck}).
 */
export async function onAuthorize(
  ctx: HandlerContext,
  request: V201.AuthorizeRequest,
): Promise<V201.AuthorizeResponse> {
  const [authorized, contract] = await Promise.all([
    authorizeToken(ctx.auth, request.idToken, {
      stationId: ctx.stationId,
      now: ctx.now(),
      concurrency: 'other-station',
    }),
    contractCertificateCheck(ctx, request),
  ]);
  const { idTokenInfo, certificateStatus } = withCertificateStatus({ idTokenInfo: authorized }, contract);
  // I01: the driver's tariff as personalMessage of an accepted token.
  const personalMessage = await tariffMessage(ctx, idTokenInfo);
  return {
    idTokenInfo: personalMessage ? { ...idTokenInfo, personalMessage } : idTokenInfo,
    ...(certificateStatus ? { certificateStatus } : {}),
  };
}
