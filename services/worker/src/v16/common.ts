import type { V16 } from '@csms/ocpp';
import type { AuthorizationDecision } from '@csms/db';
import { checkConnectorIds } from '../connectors.js';
import { CallErrorResponse, type HandlerContext } from '../handler.js';

/** Shared pieces of the OCPP 1.6 handlers. */

export const OCPP16 = 'ocpp1.6';

/** Largest value of a 1.6 `integer` (the JSON schemas say only "integer"; stations use int32). */
export { INT32_MAX } from '@csms/ocpp';

export type IdTagInfo = V16.AuthorizeResponse['idTagInfo'];

/** IdToken / parentIdTag are CiString20Type (OCPP 1.6 §7.28, §7.15). */
const ID_TOKEN_MAX_LENGTH = 20;

/**
 * The 1.6 IdTagInfo (§7.27) for an authorization decision. 1.6 has no `Unknown`: an identifier the CSMS
 * does not know is `Invalid` ("Identifier is unknown", §7.2). A group id longer than a 1.6 IdToken
 * (2.0.1 allows 36 characters) cannot be sent as parentIdTag and is left out rather than truncated.
 */
export function toIdTagInfo(ctx: Pick<HandlerContext, 'log'>, decision: AuthorizationDecision): IdTagInfo {
  const status = decision.status === 'Unknown' ? 'Invalid' : decision.status;
  const info: IdTagInfo = { status };
  if (decision.expiresAt) info.expiryDate = decision.expiresAt.toISOString();
  if (decision.groupId !== undefined) {
    if (decision.groupId.length <= ID_TOKEN_MAX_LENGTH) info.parentIdTag = decision.groupId;
    else
      ctx.log.warn({ groupId: decision.groupId }, 'group id too long for an OCPP 1.6 parentIdTag; left out');
  }
  return info;
}

export { parseTimestamp } from '../timestamps.js';

/**
 * Checks a 1.6 connectorId: the 1.6 JSON schemas only say "integer", the spec's field tables bound it
 * below (StartTransaction.req `connectorId > 0` §6.45; StatusNotification.req and MeterValues.req
 * `connectorId >= 0` §6.47, §6.31), and the CSMS bounds it above (`maxConnectorId`).
 */
export function checkConnectorId(ctx: Pick<HandlerContext, 'config'>, connectorId: number, min: 0 | 1): void {
  if (!Number.isSafeInteger(connectorId) || connectorId < min) {
    throw new CallErrorResponse(
      'PropertyConstraintViolation',
      `connectorId ${connectorId} must be ${min === 0 ? '>= 0' : '> 0'}`,
      {
        field: 'connectorId',
      },
    );
  }
  checkConnectorIds(ctx.config.maxConnectorId, { connectorId });
}

/**
 * OCPP 1.6 connector N is stored as EVSE N / connector N, connector 0 (the Charge Point main
 * controller, §3.8) as EVSE 0 / connector 0 (see the connectors table).
 */
export function connectorKey(connectorId: number): { evseId: number; connectorId: number } {
  return { evseId: connectorId, connectorId };
}

export { findV16Transaction } from '@csms/db';
