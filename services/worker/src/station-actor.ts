import { randomUUID } from 'node:crypto';
import type { Actor, DeactivationReason } from '@csms/actor';
import { Mailbox, MailboxFullError } from '@csms/actor';
import {
  NoRespondersError,
  RequestTimeoutError,
  Subjects,
  type Bus,
  type CallOutcome,
  type CommandOutcome,
  type ConnectionEvent,
  type InboundCall,
  type OutboundCall,
  type OutboundOutcome,
  type StationCommand,
} from '@csms/bus';
import { findStation, type Database, type Kysely } from '@csms/db';
import { versionedCode, type OcppValidator, type OcppVersion } from '@csms/ocpp';
import { CallErrorResponse, type HandlerContext, type OcppHandler } from './handler.js';
import type { Logger } from './logger.js';
import { actionsRequestedBy, inboundAllowed, outboundRefusal } from './registration-gate.js';
import type { StationState } from './station-state.js';
import type { WorkerConfig } from './worker-config.js';
import { FencedError } from './partition-fence.js';

/** Handlers of station CALLs and hooks run after a CSMS command was answered, per OCPP version. */
export interface VersionHandlers {
  // The maps are typed per version where they are defined; here they are looked up by action name.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly calls: Readonly<Record<string, OcppHandler<any, any> | undefined>>;
  /** Runs in the actor's mailbox after the station answered a CSMS command with a CALLRESULT. */
  readonly afterCommand?: Readonly<
    Record<
      string,
      | ((
          ctx: CommandContext,
          request: Record<string, unknown>,
          response: Record<string, unknown>,
        ) => Promise<void>)
      | undefined
    >
  >;
}

export type CommandContext = Omit<HandlerContext, 'call'>;

export interface StationActorDeps {
  readonly db: Kysely<Database>;
  readonly bus: Bus;
  readonly validator: OcppValidator;
  readonly config: WorkerConfig;
  readonly log: Logger;
  readonly handlers: Readonly<Partial<Record<OcppVersion, VersionHandlers>>>;
  /**
   * Distributed mode: run first in every handler transaction; throws `FencedError` when this worker
   * no longer owns the station's partition (see PartitionFence). Absent in embedded mode.
   */
  readonly fence?: (trx: Kysely<Database>, stationId: string) => Promise<void>;
  /** Runs `fn` in this station's inbound mailbox (provided by the host). */
  readonly runInMailbox: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly now?: () => Date;
}

/**
 * The actor of one station: the single place that processes the station's CALLs (one at a time, in
 * its mailbox) and the single sender of CSMS-initiated CALLs to it (one outstanding, the rest queued).
 */
export class StationActor implements Actor {
  readonly state: StationState = {
    connection: undefined,
    registration: undefined,
    version: undefined,
    allowedWhileNotAccepted: new Set(),
  };
  readonly #deps: StationActorDeps;
  readonly #log: Logger;
  readonly #outbound: Mailbox;

  constructor(
    readonly stationId: string,
    deps: StationActorDeps,
  ) {
    this.#deps = deps;
    this.#log = deps.log.child({ stationId });
    this.#outbound = new Mailbox(deps.config.commandQueueLimit);
  }

  async onActivate(): Promise<void> {
    const row = await findStation(this.#deps.db, this.stationId);
    if (row?.registration_status) this.state.registration = row.registration_status;
    if (row?.ocpp_version === 'ocpp1.6' || row?.ocpp_version === 'ocpp2.0.1')
      this.state.version = row.ocpp_version;
  }

  onDeactivate(reason: DeactivationReason): Promise<void> {
    this.#log.debug({ reason }, 'station actor deactivated');
    return Promise.resolve();
  }

  canPassivate(): boolean {
    return this.state.connection === undefined && this.#outbound.length === 0;
  }

  /** Handles a station CALL (runs in the mailbox). */
  async handleInbound(call: InboundCall): Promise<CallOutcome> {
    this.#noteConnection(call.version, call.connectionId, call.edgeId);
    const version = call.version;
    if (!inboundAllowed(this.state, call.action)) {
      return this.#error(
        version,
        'SecurityError',
        `${call.action} is not allowed while the station is ${this.state.registration ?? 'not yet booted'} (OCPP 2.0.1 B02.FR.09 / B03.FR.07)`,
      );
    }
    const handler = this.#deps.handlers[version]?.calls[call.action];
    if (!handler) {
      return this.#error(version, 'NotSupported', `${call.action} is not supported by this CSMS`);
    }
    // Every effect of one CALL commits in one database transaction, before the CALLRESULT leaves the
    // actor (invariant: nothing acknowledged is lost). Events are published only after the commit, so
    // observers never see a fact that was rolled back. A CALLERROR answer rolls everything back.
    const events: [string, Record<string, unknown>][] = [];
    try {
      const payload = await this.#deps.db.transaction().execute(async (trx) => {
        await this.#deps.fence?.(trx, this.stationId);
        const ctx: HandlerContext = {
          ...this.#context(version),
          db: trx,
          call,
          emit: (type, data) => void events.push([type, data]),
        };
        return (await handler(ctx, call.payload)) as Record<string, unknown>;
      });
      for (const [type, data] of events) this.#emit(type, data);
      return { type: 'result', payload };
    } catch (error) {
      if (error instanceof CallErrorResponse)
        return this.#error(version, error.code, error.description, error.details);
      // Fenced out: another worker owns this station now. Do not answer: the edge retries the CALL,
      // and the new owner answers it.
      if (error instanceof FencedError) throw error;
      this.#log.error({ err: error, action: call.action, messageId: call.messageId }, 'handler failed');
      // The handler may have changed in-memory state before its transaction failed: reload it.
      await this.onActivate().catch(() => undefined);
      return this.#error(version, 'InternalError', `${call.action} could not be processed`);
    }
  }

  /** Applies a connection lifecycle event from an edge (runs in the mailbox). */
  handleConnection(event: ConnectionEvent): void {
    if (event.type === 'connected') {
      this.state.connection = {
        version: event.version,
        connectionId: event.connectionId,
        edgeId: event.edgeId,
        securityProfile: event.securityProfile,
        since: event.at,
      };
      this.state.version = event.version;
      this.#emit('connected', {
        version: event.version,
        edgeId: event.edgeId,
        securityProfile: event.securityProfile,
      });
    } else if (this.state.connection?.connectionId === event.connectionId) {
      // Only the current connection's end counts: an older socket closing after the newer one
      // connected (newest connection wins) must not mark the station offline.
      this.state.connection = undefined;
      this.#emit('disconnected', { closeCode: event.closeCode, reason: event.reason });
    }
  }

  /**
   * Sends a CSMS-initiated CALL to the station and returns how it ended. Runs outside the inbound
   * mailbox (a slow station must not block its own CALLs), one at a time per station.
   */
  async sendCommand(command: StationCommand): Promise<CommandOutcome> {
    const version = this.state.connection?.version ?? this.state.version;
    if (!version) return { status: 'offline' };
    const { validator } = this.#deps;
    const sender = validator.senderOf(version, command.action);
    if (sender === undefined) {
      return { status: 'not-supported', description: `${command.action} is not an OCPP ${version} action` };
    }
    if (sender === 'station') {
      return {
        status: 'not-supported',
        description: `${command.action} is sent by stations, not by the CSMS`,
      };
    }
    const invalid = validator.validateRequest(version, command.action, command.payload);
    if (invalid)
      return {
        status: 'invalid-request',
        code: versionedCode(version, invalid.code),
        description: invalid.description,
      };
    const refusal = outboundRefusal(this.state, version, command.action);
    if (refusal) return { status: 'refused', ...refusal };

    try {
      return await this.#outbound.post(() => this.#send(version, command));
    } catch (error) {
      if (error instanceof MailboxFullError) {
        return {
          status: 'refused',
          reason: 'queue-full',
          description: `too many commands queued for this station (${error.capacity})`,
        };
      }
      throw error;
    }
  }

  async #send(version: OcppVersion, command: StationCommand): Promise<CommandOutcome> {
    const requested = actionsRequestedBy(version, command.action, command.payload);
    // Allow the triggered message before sending the trigger: the station may send it right after
    // its answer, before we would have processed that answer.
    const added = requested.filter((a) => !this.state.allowedWhileNotAccepted.has(a));
    if (added.length > 0) await this.#updateAllowed(added, 'add');

    const timeoutMs = command.timeoutMs ?? this.#deps.config.commandTimeoutMs;
    const call: OutboundCall = {
      messageId: randomUUID(),
      action: command.action,
      payload: command.payload,
      timeoutMs,
    };
    let outcome: OutboundOutcome;
    try {
      // The edge enforces the CALL timeout; the bus timeout only covers a vanished edge.
      outcome = await this.#deps.bus.request<OutboundOutcome>(Subjects.outboundCall(this.stationId), call, {
        timeoutMs: timeoutMs + 5_000,
      });
    } catch (error) {
      if (error instanceof NoRespondersError) outcome = { type: 'closed' };
      else if (error instanceof RequestTimeoutError) outcome = { type: 'timeout' };
      else throw error;
    }
    const accepted = outcome.type === 'result' && outcome.payload.status !== 'Rejected';
    if (!accepted && added.length > 0) {
      await this.#updateAllowed(added, 'delete');
    }
    this.#log.debug(
      { action: command.action, messageId: call.messageId, outcome: outcome.type },
      'command finished',
    );
    switch (outcome.type) {
      case 'result': {
        const hook = this.#deps.handlers[version]?.afterCommand?.[command.action];
        if (hook) {
          const response = outcome.payload;
          await this.#deps
            .runInMailbox(() => hook(this.#context(version), command.payload, response))
            .catch((error: unknown) =>
              this.#log.error({ err: error, action: command.action }, 'after-command hook failed'),
            );
        }
        return { status: 'result', payload: outcome.payload };
      }
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
  #updateAllowed(actions: readonly string[], op: 'add' | 'delete'): Promise<void> {
    return this.#deps.runInMailbox(() => {
      for (const a of actions) this.state.allowedWhileNotAccepted[op](a);
      return Promise.resolve();
    });
  }

  #context(version: OcppVersion): CommandContext {
    const now = this.#deps.now ?? (() => new Date());
    return {
      stationId: this.stationId,
      version,
      db: this.#deps.db,
      config: this.#deps.config,
      station: this.state,
      log: this.#log,
      now,
      emit: (type, data) => this.#emit(type, data),
    };
  }

  #noteConnection(version: OcppVersion, connectionId: string, edgeId: string): void {
    // Calls carry their connection, so the actor is right even if it saw no `connected` event (e.g. it
    // was passivated, or the event is still in flight on another subject).
    if (this.state.connection?.connectionId !== connectionId) {
      this.state.connection = {
        version,
        connectionId,
        edgeId,
        securityProfile: this.state.connection?.securityProfile ?? 0,
        since: new Date().toISOString(),
      };
    }
    this.state.version = version;
  }

  #emit(type: string, data: Record<string, unknown>): void {
    // Data first: its keys must not overwrite the envelope fields.
    const event = { ...data, stationId: this.stationId, type, at: new Date().toISOString() };
    this.#deps.bus.publish(Subjects.event(this.stationId, type), event).catch((error: unknown) => {
      this.#log.warn({ err: error, type }, 'could not publish station event');
    });
  }

  #error(
    version: OcppVersion,
    code: CallErrorResponse['code'],
    description: string,
    details: Record<string, unknown> = {},
  ): CallOutcome {
    return { type: 'error', code: versionedCode(version, code), description, details };
  }
}
