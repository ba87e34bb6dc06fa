/**
 * WebSocket close codes the edge sends (RFC 6455 §7.4.1; 4000-4999 are for private use, §7.4.2).
 */
export const CloseCode = Object.freeze({
  /** Normal closure (RFC 6455 §7.4.1). */
  Normal: 1000,
  /** The edge is shutting down (RFC 6455 §7.4.1 "going away"). */
  GoingAway: 1001,
  /** No acceptable OCPP subprotocol (OCPP-J 1.6 §3.2, OCPP-2.0.1 part 4 §3.2: complete, then close). */
  ProtocolError: 1002,
  /** A binary frame: OCPP-J messages are UTF-8 JSON text (OCPP-2.0.1 part 4 §4.1.2). */
  UnsupportedData: 1003,
  /** Reported (never sent) for a socket dropped without a close frame, e.g. after a missed pong (RFC 6455 §7.4.1). */
  Abnormal: 1006,
  /** The station broke a rule the edge enforces to protect itself (e.g. it does not read its replies). */
  PolicyViolation: 1008,
  /** A frame above `maxPayload` (sent by ws itself, RFC 6455 §7.4.1). */
  MessageTooBig: 1009,
  /** The edge failed while handling the connection. */
  InternalError: 1011,
  /** A newer connection of the same station replaced this one (newest connection wins). */
  Replaced: 4000,
  /** Closed on request of another CSMS component (an `EvictRequest` other than a newer connection). */
  Evicted: 4001,
});
