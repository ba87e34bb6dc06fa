import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { toIdTagInfo } from './common.js';

/**
 * Authorize (OCPP 1.6 §4.1). A token in an active transaction at another station is ConcurrentTx; at
 * this station it is not, since the driver may present it again to stop their own transaction.
 */
export async function onAuthorize(
  ctx: HandlerContext,
  request: V16.AuthorizeRequest,
): Promise<V16.AuthorizeResponse> {
  const decision = await ctx.auth.authorize(request.idTag, {
    stationId: ctx.stationId,
    now: ctx.now(),
    concurrency: 'other-station',
  });
  return { idTagInfo: toIdTagInfo(ctx, decision) };
}
