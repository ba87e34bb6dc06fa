import { randomUUID } from 'node:crypto';
import {
  NoRespondersError,
  RequestTimeoutError,
  Subjects,
  type Bus,
  type CommandOutcome,
  type OutboundCall,
  type OutboundOutcome,
  type StationCommand,
} from '@csms/bus';
import type { OcppVersion } from '@csms/ocpp';
import { traceHeaders, type CsmsMetrics } from '@csms/telemetry';
import type { Logger } from './logger.js';
import { actionsRequestedBy } from './registration-gate.js';
import type { StationState } from './station-state.js';

/** What {@link sendCsmsCall} answers when no edge held the station's socket: nobody got the CALL. */
export const NOT_DELIVERED = Symbol('not-delivered');

export interface CsmsCallDeps {
  readonly stationId: string;
  readonly bus: Bus;
  /** Used when the command sets no `timeoutMs`. */
  readonly commandTimeoutMs: number;
  readonly metrics: CsmsMetrics;
  /** The station's logger. */
  readonly log: Logger;
  /** The actor's state; changed only through `runInMailbox`. */
  readonly state: StationState;
  readonly runInMailbox: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Runs the version's after-command hook of a CALLRESULT (in the mailbox; failures are logged). */
  readonly afterResult: (
    version: OcppVersion,
    command: StationCommand,
    response: Record<string, unknown>,
  ) => Promise<void>;
}

/**
 * Sends one CSMS-initiated CALL through an edge that holds the station's socket and returns how it
 * ended, or {@link NOT_DELIVERED} when no edge holds it. Call it in the station's outbound queue (one
 * outstanding CALL).
 */
export async function sendCsmsCall(
  deps: CsmsCallDeps,
  version: OcppVersion,
  command: StationCommand,
): Promise<CommandOutcome | typeof NOT_DELIVERED> {
  const requested = actionsRequestedBy(version, command.action, command.payload);
  // Allow the triggered message before sending the trigger: the station may send it right after
  // its answer, before we would have processed that answer.
  const added = requested.filter((a) => !deps.state.allowedWhileNotAccepted.has(a));
  if (added.length > 0) await updateAllowed(deps, added, 'add');

  const outcome = await requestThroughEdge(deps, command);
  if (outcome === NOT_DELIVERED) {
    if (added.length > 0) await updateAllowed(deps, added, 'delete');
    return NOT_DELIVERED;
  }
  const accepted = outcome.type === 'result' && outcome.payload.status !== 'Rejected';
  if (!accepted && added.length > 0) {
    await updateAllowed(deps, added, 'delete');
  }
  if (outcome.type === 'result') await deps.afterResult(version, command, outcome.payload);
  return commandOutcomeOf(outcome);
}

/** The bus request to the edge holding the station's socket, with the CALL metrics. */
async function requestThroughEdge(
  deps: CsmsCallDeps,
  command: StationCommand,
): Promise<OutboundOutcome | typeof NOT_DELIVERED> {
  const timeoutMs = command.timeoutMs ?? deps.commandTimeoutMs;
  const call: OutboundCall = {
    messageId: randomUUID(),
    action: command.action,
    payload: command.payload,
    timeoutMs,
  };
  let outcome: OutboundOutcome;
  const { metrics } = deps;
  metrics.csmsCallsInFlight.add(1, { action: command.action });
  try {
    // The edge enforces the CALL timeout; the bus timeout only covers a vanished edge. The trace context
    // (the command's span) goes along, so the edge's span of the CALL joins the caller's trace.
    outcome = await deps.bus.request<OutboundOutcome>(Subjects.outboundCall(deps.stationId), call, {
      timeoutMs: timeoutMs + 5_000,
      headers: traceHeaders(),
    });
  } catch (error) {
    if (error instanceof NoRespondersError) {
      // No edge holds the socket: the station is offline and got nothing.
      deps.log.debug({ action: command.action, messageId: call.messageId }, 'station offline');
      return NOT_DELIVERED;
    }
    if (error instanceof RequestTimeoutError) outcome = { type: 'timeout' };
    else throw error;
  } finally {
    metrics.csmsCallsInFlight.add(-1, { action: command.action });
  }
  if (outcome.type === 'timeout') metrics.csmsCallTimeoutsTotal.add(1, { action: command.action });
  deps.log.debug(
    { action: command.action, messageId: call.messageId, outcome: outcome.type },
    'command finished',
  );
  return outcome;
}

function commandOutcomeOf(outcome: OutboundOutcome): CommandOutcome {
  switch (outcome.type) {
    case 'result':
      return { status: 'result', payload: outcome.payload };
    case 'error':
      return {
        status: 'call-error',
        code: outcome.code,
        description: outcome.description,
        details: outcome.details,
      };
    case 'timeout':
      return { status: 'timeout' };
    case 'closed':
      return { status: 'offline' };
    case 'disconnected':
      return { status: 'disconnected' };
    case 'invalid-response':
      return {
        status: 'invalid-response',
        payload: outcome.payload,
        code: outcome.code,
        description: outcome.description,
      };
  }
}

/** Changes the actions allowed before acceptance, inside the mailbox (state is only touched there). */
function updateAllowed(deps: CsmsCallDeps, actions: readonly string[], op: 'add' | 'delete'): Promise<void> {
  return deps.runInMailbox(() => {
    for (const a of actions) deps.state.allowedWhileNotAccepted[op](a);
    return Promise.resolve();
  });
}
