import type { ActionsOf, OcppVersion } from '@csms/ocpp';
import type {
  AfterCommandHook,
  AfterCommandMap,
  HandlerMap,
  OcppHandler,
  StationActionOf,
} from './handler.js';

/**
 * Handlers of station CALLs and hooks run after a CSMS command was answered, of OCPP version `V`: each
 * keyed by that version's actions, with their request and response types.
 */
export interface VersionHandlers<V extends OcppVersion> {
  readonly calls: HandlerMap<ActionsOf<V>>;
  /**
   * Actions whose handler makes one write statement (plus reads of rows only this actor writes, or that a READ
   * COMMITTED transaction would read the same way), or in rare cases further writes that are each idempotent and
   * complete on their own (1.6 StatusNotification Faulted / Unavailable ending the connector's reservations,
   * §5.13): without a fence to check they run without BEGIN / COMMIT, each statement committing on its own before
   * the CALLRESULT leaves (nothing acknowledged is lost; a failure after the first statement committed is
   * answered with a CALLERROR and leaves that statement's effect, the later ones applying on a retry). Saves two of three database round trips for the most
   * frequent messages (Heartbeat, StatusNotification, Authorize, MeterValues).
   */
  readonly autocommit?: ReadonlySet<StationActionOf<ActionsOf<V>>>;
  /**
   * Actions that run as {@link autocommit} ones when their request passes the predicate (the handler sees
   * `ctx.autocommit`), and otherwise in a transaction; a handler running without one that finds it needs one
   * throws `NeedsTransaction` before it writes, and runs again in a transaction. The 2.0.1 periodic
   * TransactionEvent: one statement when its transaction is known, several when it is not.
   */
  readonly autocommitWhen?: AutocommitPredicates<ActionsOf<V>>;
  /** Run in the actor's mailbox after the station answered a CSMS command with a CALLRESULT. */
  readonly afterCommand?: AfterCommandMap<ActionsOf<V>>;
}

/** Predicates on a station action's request, keyed by action. */
export type AutocommitPredicates<Actions> = {
  [A in keyof Actions]?: Actions[A] extends { request: infer Req; sender: 'station' | 'both' }
    ? (request: Req) => boolean
    : never;
};

/** The handlers of each OCPP version the worker serves. */
export type HandlersByVersion = { readonly [V in OcppVersion]?: VersionHandlers<V> };

/**
 * The handler of a station CALL, looked up by its runtime action name. Its payload is typed as the
 * action's request: the edge validated it against that action's schema of `version` before the CALL
 * reached the worker.
 */
export function callHandlerOf(
  handlers: HandlersByVersion,
  version: OcppVersion,
  action: string,
): OcppHandler<unknown, unknown> | undefined {
  return lookUp<OcppHandler<unknown, unknown>>(handlers[version]?.calls, action);
}

/**
 * The after-command hook of a CSMS command, looked up by its runtime action name. The request was
 * validated against the action's schema before it was sent (or queued), the response by the edge (an
 * invalid one is no CALLRESULT), so both are of the action's types.
 */
export function afterCommandOf(
  handlers: HandlersByVersion,
  version: OcppVersion,
  action: string,
): AfterCommandHook<unknown, unknown> | undefined {
  return lookUp<AfterCommandHook<unknown, unknown>>(handlers[version]?.afterCommand, action);
}

/**
 * Whether `action` of `version` with `payload` may run without BEGIN / COMMIT (see
 * {@link VersionHandlers.autocommit} and {@link VersionHandlers.autocommitWhen}). The payload was validated
 * against the action's schema by the edge.
 */
export function isAutocommit(
  handlers: HandlersByVersion,
  version: OcppVersion,
  action: string,
  payload: unknown,
): boolean {
  const autocommit: ReadonlySet<string> | undefined = handlers[version]?.autocommit;
  if (autocommit?.has(action) === true) return true;
  const when = lookUp<(request: unknown) => boolean>(handlers[version]?.autocommitWhen, action);
  return when !== undefined && when(payload);
}

function lookUp<F>(map: Readonly<Record<string, unknown>> | undefined, action: string): F | undefined {
  // Own keys only: an action name such as `toString` must not find Object.prototype's.
  // The map's entries are typed per action; a runtime action name only selects one (see the callers).
  return map !== undefined && Object.hasOwn(map, action) ? (map[action] as F | undefined) : undefined;
}
