import {
  recordDisplayMessagesAnswer,
  removeDisplayMessage,
  startDisplayMessageRequest,
  storeAcceptedDisplayMessage,
} from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { CommandContext } from '../handler.js';

// After-command hooks of the display message commands (O01-O06): the station's answer keeps the CSMS's display message
// catalogue in step however the command was sent (DisplayMessageService, StationService/Call, Ocpp201Service, a
// queued command). The DisplayMessageService writes the same again: both writes are idempotent.

/** SetDisplayMessage answered: an Accepted message is stored (O01/O02/O06); any other status changes nothing. */
export async function afterSetDisplayMessage(
  ctx: CommandContext,
  request: V201.SetDisplayMessageRequest,
  response: V201.SetDisplayMessageResponse,
): Promise<void> {
  if (response.status !== 'Accepted') return;
  await ctx.db
    .transaction()
    .execute((trx) => storeAcceptedDisplayMessage(trx, ctx.stationId, request.message));
}

/** ClearDisplayMessage answered: Accepted removes the message (O05.FR.01); Unknown (O05.FR.02) changes nothing. */
export async function afterClearDisplayMessage(
  ctx: CommandContext,
  request: V201.ClearDisplayMessageRequest,
  response: V201.ClearDisplayMessageResponse,
): Promise<void> {
  if (response.status === 'Accepted') await removeDisplayMessage(ctx.db, ctx.stationId, request.id);
}

/**
 * GetDisplayMessages answered: its criteria are recorded (unless the request was recorded before it was sent, or its
 * report's last part already arrived) so that its report reconciles the catalogue; Unknown means no message matches
 * them (O03.FR.06, O04.FR.02).
 */
export async function afterGetDisplayMessages(
  ctx: CommandContext,
  request: V201.GetDisplayMessagesRequest,
  response: V201.GetDisplayMessagesResponse,
): Promise<void> {
  const criteria = {
    ...(request.id !== undefined ? { id: request.id } : {}),
    ...(request.priority !== undefined ? { priority: request.priority } : {}),
    ...(request.state !== undefined ? { state: request.state } : {}),
  };
  await ctx.db.transaction().execute(async (trx) => {
    await startDisplayMessageRequest(trx, ctx.stationId, request.requestId, criteria);
    await recordDisplayMessagesAnswer(trx, ctx.stationId, request.requestId, response.status);
  });
}
