import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { authorizeToken } from './common.js';

/**
 * Authorize (C01, C03-C06, C09). The token may already be in a transaction at this station (it is
 * presented again to stop it, C01.FR.03 / C09.FR.03), so only a transaction at another station makes it
 * ConcurrentTx.
 *
 * `certificate` and `iso15118CertificateHashData` (C07, ISO 15118 Plug & Charge contract certificates)
 * are ignored: this CSMS does no OCSP / certificate chain validation yet, so it answers without
 * `certificateStatus`, which the schema makes optional. C07.FR.13-17 (answering a certificateStatus when
 * certificate data was sent) are therefore not met; the idToken (eMAID) itself is still checked.
 */
export async function onAuthorize(
  ctx: HandlerContext,
  request: V201.AuthorizeRequest,
): Promise<V201.AuthorizeResponse> {
  const idTokenInfo = await authorizeToken(ctx.auth, request.idToken, {
    stationId: ctx.stationId,
    now: ctx.now(),
    concurrency: 'other-station',
  });
  return { idTokenInfo };
}
