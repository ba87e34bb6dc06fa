import type { V201 } from '@csms/ocpp';
import type { AuthorizationDecision, AuthorizeOptions } from '@csms/db';
import { checkConnectorIds } from '../connectors.js';
import type { HandlerContext } from '../handler.js';
import type { Authorizer } from '../ports.js';

/** Helpers shared by the OCPP 2.0.1 handlers. */

/** The `ocpp_version` value this module writes. */
export const OCPP_201 = 'ocpp2.0.1';

/**
 * Refuses EVSE / connector ids the CSMS will not store: above the configured limit (see
 * {@link checkConnectorIds}), or negative (the schemas allow any integer, but EVSEs and connectors are
 * numbered from 1 upwards, Part 1 §7 Numbering; EVSE id 0 stands for the whole Charging Station).
 */
export function checkIds(
  ctx: Pick<HandlerContext, 'config'>,
  ids: Readonly<Record<string, number | undefined>>,
): void {
  checkConnectorIds(ctx.config.maxConnectorId, ids);
}

export { parseTimestamp } from '../timestamps.js';

/** The CSMS's verdict as OCPP 2.0.1 IdTokenInfoType. */
export function toIdTokenInfo(decision: AuthorizationDecision): V201.IdTokenInfoType {
  return {
    status: decision.status,
    // C10.FR.13: how long the station may keep the token in its Authorization Cache.
    ...(decision.expiresAt ? { cacheExpiryDateTime: decision.expiresAt.toISOString() } : {}),
    // C01.FR.06 / C09.FR.12: include the groupIdToken when the token has one; C09.FR.13 (errata
    // 2025-01): its type SHOULD be Central (a group id is controlled by the CSMS).
    ...(decision.groupId ? { groupIdToken: { idToken: decision.groupId, type: 'Central' } } : {}),
  };
}

/**
 * Authorizes a presented 2.0.1 IdTokenType.
 *
 * `NoAuthorization` (start button, C02) is always Accepted without a lookup: C02.FR.02 requires the
 * CSMS to answer a TransactionEventRequest carrying it with idTokenInfo.status Accepted, and the token
 * value is empty (C02.FR.01), so there is nothing to look up. An AuthorizeRequest is not expected for
 * it (C02 scenario: "it is not needed to send an AuthorizeRequest"); if one arrives we answer the same,
 * so that the two messages never disagree. No cacheExpiryDateTime is given (C02.FR.03: such info is not
 * cached by the station anyway).
 */
export async function authorizeToken(
  auth: Authorizer,
  idToken: V201.IdTokenType,
  options: Omit<AuthorizeOptions, 'type'>,
): Promise<V201.IdTokenInfoType> {
  if (idToken.type === 'NoAuthorization') return { status: 'Accepted' };
  // C01.FR.25 (errata 2025-01): tokens are equal when idToken and type match; authorizeIdToken
  // answers Unknown when the stored type differs from the presented one.
  const decision = await auth.authorize(idToken.idToken, Object.assign({}, options, { type: idToken.type }));
  return toIdTokenInfo(decision);
}
