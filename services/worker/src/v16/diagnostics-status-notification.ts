import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/** DiagnosticsStatusNotification (OCPP 1.6 §4.4): progress of a GetDiagnostics upload. */
export async function onDiagnosticsStatusNotification(
  ctx: HandlerContext,
  request: V16.DiagnosticsStatusNotificationRequest,
): Promise<V16.DiagnosticsStatusNotificationResponse> {
  await storeNotification(ctx, 'DiagnosticsStatusNotification', { ...request });
  ctx.emit('diagnostics-status', { status: request.status });
  return {};
}
