/**
 * OCPP versions known to this package, spelled as their WebSocket subprotocol names
 * (OCPP-J 1.6 §3.1.2, OCPP-2.0.1 part 4 §3.1.2 Table 1, OCPP-2.1 part 4 §3.1.2 Table 1).
 */
export type OcppVersion = 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';

/** Every {@link OcppVersion}, oldest first. */
export const OCPP_VERSIONS = ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const satisfies readonly OcppVersion[];

/**
 * Subprotocols the CSMS offers during the WebSocket handshake, in the CSMS's order of preference.
 * OCPP 2.1 has types and validators in this package but is not negotiated yet.
 */
export const NEGOTIABLE_SUBPROTOCOLS = ['ocpp2.0.1', 'ocpp1.6'] as const satisfies readonly OcppVersion[];

/** A subprotocol the CSMS accepts during the WebSocket handshake. */
export type NegotiableSubprotocol = (typeof NEGOTIABLE_SUBPROTOCOLS)[number];

/** Whether `value` is one of the {@link OcppVersion} strings (case-sensitive, like the subprotocol names). */
export function isOcppVersion(value: unknown): value is OcppVersion {
  return typeof value === 'string' && (OCPP_VERSIONS as readonly string[]).includes(value);
}
