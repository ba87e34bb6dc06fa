import { OcppError, versionedCode } from './errors.js';
import type { OcppErrorCode } from './errors.js';
import type { OcppVersion } from './version.js';

/**
 * RPC framework message type numbers (OCPP-J 1.6 §4.1.3 Table 2, OCPP-2.0.1 part 4 §4.1.3 Table 3).
 * OCPP 2.1 adds CALLRESULTERROR (5) and SEND (6) (OCPP-2.1 part 4 §4.1.3); they are not supported yet because
 * 2.1 is not negotiated (see `NEGOTIABLE_SUBPROTOCOLS`).
 */
export const MessageTypeId = { CALL: 2, CALLRESULT: 3, CALLERROR: 4 } as const;
/** One of the {@link MessageTypeId} numbers. */
export type MessageTypeId = (typeof MessageTypeId)[keyof typeof MessageTypeId];

/** `[2, messageId, action, payload]` (OCPP-J 1.6 §4.2.1, OCPP-2.0.1 part 4 §4.2.1). */
export type CallFrame = readonly [2, string, string, Record<string, unknown>];
/** `[3, messageId, payload]` (OCPP-J 1.6 §4.2.2, OCPP-2.0.1 part 4 §4.2.2). */
export type CallResultFrame = readonly [3, string, Record<string, unknown>];
/** `[4, messageId, errorCode, errorDescription, errorDetails]` (OCPP-J 1.6 §4.2.3, OCPP-2.0.1 part 4 §4.2.3). */
export type CallErrorFrame = readonly [4, string, string, string, Record<string, unknown>];
/** Any RPC framework message. */
export type Frame = CallFrame | CallResultFrame | CallErrorFrame;

/**
 * Result of {@link parseFrame}. On failure, `messageId` is the id to answer with ('-1' when it could not be read)
 * and `respond` tells whether a CALLERROR should be sent back at all.
 */
export type ParsedFrame =
  { ok: true; frame: Frame } | { ok: false; messageId: string; error: OcppError; respond: boolean };

/** Maximum messageId length: "string[36]" (OCPP-J 1.6 §4.1.4 Table 3, OCPP-2.0.1 part 4 §4.1.4 Table 4). */
export const MAX_MESSAGE_ID_LENGTH = 36;
/** Maximum errorDescription length: "string[255]" (OCPP-2.0.1 part 4 §4.2.3 Table 7). */
export const MAX_ERROR_DESCRIPTION_LENGTH = 255;
/** messageId of a CALLERROR whose request's messageId could not be read (OCPP-2.0.1 part 4 §4.2.3). */
export const UNKNOWN_MESSAGE_ID = '-1';

/** Number of elements per message type (OCPP-J 1.6 §4.2.1–§4.2.3, OCPP-2.0.1 part 4 §4.2.1–§4.2.3). */
const FRAME_LENGTH: Readonly<Record<MessageTypeId, number>> = { 2: 4, 3: 3, 4: 5 };

/** Serialises a frame to its JSON wire text (UTF-8 JSON, OCPP-J 1.6 §4.1.2). */
export function serializeFrame(frame: Frame): string {
  return JSON.stringify(frame);
}

/**
 * Builds the CALLERROR for `error`. The description is truncated to 255 characters (errorDescription is
 * string[255], OCPP-2.0.1 part 4 §4.2.3 Table 7). When `version` is given, the code is translated with
 * {@link versionedCode}.
 */
export function callErrorFrame(messageId: string, error: OcppError, version?: OcppVersion): CallErrorFrame {
  const code = version === undefined ? error.code : versionedCode(version, error.code);
  return [4, messageId, code, truncate(error.description, MAX_ERROR_DESCRIPTION_LENGTH), error.details];
}

/**
 * Parses and structurally checks one WebSocket text message. The payload is not validated against the action's
 * schema (see `OcppValidator`). Never throws.
 *
 * Error codes (1.6 has neither RpcFrameworkError nor MessageTypeNotSupported, see `versionedCode`):
 * - invalid JSON, not an array, messageTypeId not a number, messageId not a string, messageId longer than 36,
 *   wrong element count, action not a string → RpcFrameworkError ("Content of the call is not a valid RPC Request",
 *   OCPP-2.0.1 part 4 §4.3) / 1.6 FormationViolation ("syntactically incorrect or not conform the PDU structure",
 *   OCPP-J 1.6 §4.2.3 Table 7);
 * - unknown messageTypeId → MessageTypeNotSupported (OCPP-2.0.1 part 4 §4.4) / 1.6 NotImplemented;
 * - payload / errorDetails not a JSON object → ProtocolError ("Payload for Action is not conform the PDU
 *   structure", OCPP-2.0.1 part 4 §4.3) / 1.6 FormationViolation ("... or not conform the PDU structure for
 *   Action"; 1.6 ProtocolError only means "Payload for Action is incomplete").
 */
export function parseFrame(version: OcppVersion, text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // "When also the MessageId cannot be read, the CALLERROR SHALL contain '-1' as MessageId"
    // (OCPP-2.0.1 part 4 §4.2.3; OCPP-2.1 part 4 §4.2.3). Applied to 1.6 as well, which has no rule.
    return failure(version, UNKNOWN_MESSAGE_ID, 'RpcFrameworkError', 'Message is not valid JSON', true);
  }
  if (!Array.isArray(value)) {
    return failure(version, UNKNOWN_MESSAGE_ID, 'RpcFrameworkError', 'Message must be a JSON array', true);
  }
  const elements: readonly unknown[] = value;
  const [typeId, messageId] = elements;
  if (typeof typeId !== 'number') {
    return failure(version, UNKNOWN_MESSAGE_ID, 'RpcFrameworkError', 'MessageTypeId must be a number', true);
  }
  if (!isMessageTypeId(typeId)) {
    const id = typeof messageId === 'string' ? messageId : UNKNOWN_MESSAGE_ID;
    // 2.0.1 part 4 §4.4: "it SHALL respond with an CALLERROR with errorCode: MessageTypeNotSupported".
    // 2.1 defines 5 (CALLRESULTERROR, an answer to our CALLRESULT) and 6 (SEND, "The receiver SHALL NOT respond
    // to a SEND message", 2.1 part 4 §4.2.4): never answered, although this parser does not support them yet.
    const answerable = !(version === 'ocpp2.1' && (typeId === 5 || typeId === 6));
    const description = `MessageTypeId ${String(typeId)} is not supported`;
    return failure(version, id, 'MessageTypeNotSupported', description, answerable);
  }
  // One never answers a response (CALLRESULT/CALLERROR) with a CALLERROR: only malformed CALLs get a reply.
  const respond = typeId === MessageTypeId.CALL;
  if (typeof messageId !== 'string') {
    return failure(version, UNKNOWN_MESSAGE_ID, 'RpcFrameworkError', 'MessageId must be a string', respond);
  }
  if (messageId.length > MAX_MESSAGE_ID_LENGTH) {
    // "unique identifier too long" is a CALLERROR case (OCPP-J 1.6 §4.2.3, OCPP-2.0.1 part 4 §4.2.3). The id was
    // readable, so it is echoed back (not '-1') to let the sender correlate the error with its request.
    const description = `MessageId must not be longer than ${MAX_MESSAGE_ID_LENGTH} characters`;
    return failure(version, messageId, 'RpcFrameworkError', description, respond);
  }
  const expected = FRAME_LENGTH[typeId];
  if (elements.length !== expected) {
    const description = `${typeName(typeId)} must have ${expected} elements, got ${elements.length}`;
    return failure(version, messageId, 'RpcFrameworkError', description, respond);
  }

  switch (typeId) {
    case MessageTypeId.CALL: {
      const action = elements[2];
      if (typeof action !== 'string') {
        return failure(version, messageId, 'RpcFrameworkError', 'Action must be a string', respond);
      }
      const payload = asPayload(elements[3]);
      if (payload === undefined) return payloadFailure(version, messageId, 'Payload', respond);
      return { ok: true, frame: [MessageTypeId.CALL, messageId, action, payload] };
    }
    case MessageTypeId.CALLRESULT: {
      const payload = asPayload(elements[2]);
      if (payload === undefined) return payloadFailure(version, messageId, 'Payload', respond);
      return { ok: true, frame: [MessageTypeId.CALLRESULT, messageId, payload] };
    }
    case MessageTypeId.CALLERROR: {
      const [, , errorCode, errorDescription, rawDetails] = elements;
      if (typeof errorCode !== 'string' || typeof errorDescription !== 'string') {
        const description = 'ErrorCode and ErrorDescription must be strings';
        return failure(version, messageId, 'RpcFrameworkError', description, respond);
      }
      const details = asPayload(rawDetails);
      if (details === undefined) return payloadFailure(version, messageId, 'ErrorDetails', respond);
      return { ok: true, frame: [MessageTypeId.CALLERROR, messageId, errorCode, errorDescription, details] };
    }
  }
}

function isMessageTypeId(value: number): value is MessageTypeId {
  return (
    value === MessageTypeId.CALL || value === MessageTypeId.CALLRESULT || value === MessageTypeId.CALLERROR
  );
}

function typeName(typeId: MessageTypeId): string {
  switch (typeId) {
    case MessageTypeId.CALL:
      return 'CALL';
    case MessageTypeId.CALLRESULT:
      return 'CALLRESULT';
    case MessageTypeId.CALLERROR:
      return 'CALLERROR';
  }
}

/**
 * The payload as an object, or undefined when it is not one. `null` is accepted as "no payload" and becomes `{}`:
 * "If there is no payload JSON allows for two different notations: null or and empty object {}"
 * (OCPP-J 1.6 §4.2.1 Table 4, OCPP-2.0.1 part 4 §4.1.5); senders SHOULD use {}, receivers tolerate null.
 */
function asPayload(value: unknown): Record<string, unknown> | undefined {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

function payloadFailure(
  version: OcppVersion,
  messageId: string,
  field: 'Payload' | 'ErrorDetails',
  respond: boolean,
): ParsedFrame {
  // 2.x: ProtocolError "Payload for Action is not conform the PDU structure" (part 4 §4.3);
  // 1.6: FormationViolation "... or not conform the PDU structure for Action" (OCPP-J 1.6 §4.2.3 Table 7).
  const code: OcppErrorCode = version === 'ocpp1.6' ? 'FormationViolation' : 'ProtocolError';
  return failure(version, messageId, code, `${field} must be a JSON object`, respond);
}

function failure(
  version: OcppVersion,
  messageId: string,
  code: OcppErrorCode,
  description: string,
  respond: boolean,
): ParsedFrame {
  return { ok: false, messageId, error: new OcppError(versionedCode(version, code), description), respond };
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  // Count code points, not UTF-16 units, so a surrogate pair is never split.
  return Array.from(text).slice(0, max).join('');
}
