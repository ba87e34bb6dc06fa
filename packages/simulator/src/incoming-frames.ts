import type { RawData } from 'ws';
import type { SimulatorMetrics } from './metrics.js';
import type { SimulatedVersion } from './model.js';
import type { CallAnswer, Protocol, StationControl } from './protocol.js';

/** Where the frames a station receives go. */
export interface FrameHandlers {
  call(id: string, action: unknown, payload: unknown): void;
  callResult(id: string, payload: Record<string, unknown>): void;
  callError(id: string, code: unknown): void;
}

/** Parses an OCPP-J frame and hands it to its handler; anything else counts as an invalid frame. */
export function dispatchFrame(
  data: RawData,
  isBinary: boolean,
  metrics: SimulatorMetrics,
  handlers: FrameHandlers,
): void {
  metrics.received++;
  let frame: unknown;
  try {
    if (isBinary) throw new Error('binary frame');
    frame = JSON.parse(rawText(data));
  } catch {
    metrics.invalidFrames++;
    return;
  }
  if (!Array.isArray(frame) || typeof frame[1] !== 'string') {
    metrics.invalidFrames++;
    return;
  }
  const id = frame[1];
  switch (frame[0]) {
    case 2:
      handlers.call(id, frame[2], frame[3]);
      return;
    case 3:
      handlers.callResult(id, isRecord(frame[2]) ? frame[2] : {});
      return;
    case 4:
      handlers.callError(id, frame[2]);
      return;
    default:
      metrics.invalidFrames++;
  }
}

/** A CSMS-initiated CALL, its station and how to reach the socket. */
export interface IncomingCall {
  readonly id: string;
  readonly action: unknown;
  readonly payload: unknown;
  readonly version: SimulatedVersion;
  readonly protocol: Protocol;
  readonly station: StationControl;
  readonly metrics: SimulatorMetrics;
  readonly send: (text: string) => void;
}

/**
 * Answers a CSMS-initiated CALL at once (CALLRESULT or CALLERROR), then runs the answer's follow-up
 * (TriggerMessage: "first respond, then send the message"). Returns the error of a follow-up that
 * threw, for diagnostics.
 */
export function answerCall(call: IncomingCall): string | undefined {
  const { id, action, payload, send } = call;
  if (typeof action !== 'string' || !isRecord(payload)) {
    const code = call.version === 'ocpp1.6' ? 'FormationViolation' : 'RpcFrameworkError';
    send(`[4,${JSON.stringify(id)},"${code}","Invalid CALL",{}]`);
    return undefined;
  }
  call.metrics.csmsCall(call.version, action);
  let answer: CallAnswer;
  try {
    answer = call.protocol.handleCall(call.station, action, payload);
  } catch (error) {
    answer = { error: 'InternalError', description: errorText(error) };
  }
  if ('error' in answer) {
    send(
      `[4,${JSON.stringify(id)},"${answer.error}",${JSON.stringify(answer.description.slice(0, 255))},{}]`,
    );
    return undefined;
  }
  send(`[3,${JSON.stringify(id)},${JSON.stringify(answer.result)}]`);
  try {
    answer.after?.();
  } catch (error) {
    // Never let a follow-up action escape into ws's message dispatch (it would crash the process).
    return errorText(error);
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
