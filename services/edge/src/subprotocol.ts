import { NEGOTIABLE_SUBPROTOCOLS } from '@csms/ocpp';
import type { NegotiableSubprotocol } from '@csms/ocpp';

/** Outcome of {@link selectSubprotocol}. */
export type SubprotocolSelection =
  /** The station sent no (or an empty) `Sec-WebSocket-Protocol` header: not an OCPP-J handshake. */
  | { readonly kind: 'missing' }
  /** The station offered subprotocols, none of which the edge speaks. */
  | { readonly kind: 'unsupported'; readonly offered: readonly string[] }
  | { readonly kind: 'selected'; readonly version: NegotiableSubprotocol };

/** The subprotocols the edge speaks, for error messages: `ocpp2.0.1, ocpp1.6`. */
export const SUPPORTED_SUBPROTOCOLS_TEXT = NEGOTIABLE_SUBPROTOCOLS.join(', ');

/**
 * Chooses the OCPP version of a connection from the `Sec-WebSocket-Protocol` request header.
 *
 * Rule: the first subprotocol in the station's list that the edge supports, i.e. the station's preference
 * wins. RFC 6455 §4.1 defines the list as "ordered by preference", and OCPP-2.0.1 part 4 §3.1.3 reads the example
 * `Sec-WebSocket-Protocol: ocpp2.0.1, ocpp1.6` as "can use OCPP2.0.1J and OCPP1.6J, with a preference for the
 * former" (likewise OCPP-J 1.6 §3.1.3). Names are compared exactly (they are lowercase tokens, part 4 §3.1.2
 * Table 1). Pure.
 *
 * @param header the raw header; Node joins repeated headers with ", ".
 */
export function selectSubprotocol(header: string | undefined): SubprotocolSelection {
  const offered = (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (offered.length === 0) return { kind: 'missing' };
  for (const protocol of offered) {
    const version = NEGOTIABLE_SUBPROTOCOLS.find((p) => p === protocol);
    if (version !== undefined) return { kind: 'selected', version };
  }
  return { kind: 'unsupported', offered };
}
