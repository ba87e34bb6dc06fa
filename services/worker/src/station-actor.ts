import type { Actor, DeactivationReason } from '@csms/actor';
import { MailboxFullError } from '@csms/actor';
import {
  Subjects,
  type Bus,
  type CallOutcome,
  type CommandOutcome,
  type ConnectionEvent,
  type InboundCall,
  type StationCommand,
} from '@csms/bus';
import { enqueueCommand, findStation, type Database, type Kysely } from '@csms/db';
import { versionedCode, type OcppValidator, type OcppVersion } from '@csms/ocpp';
import type { CertificateSigners, ContractCertificateProvider, OcspClient } from '@csms/station-ca';
import { noopCsmsMetrics, type CsmsMetrics } from '@csms/telemetry';
import { NOT_DELIVERED, sendCsmsCall } from './csms-call.js';
import {
  CallErrorResponse,
  NeedsTransaction,
  type CommandContext,
  type HandlerContext,
  type OcppHandler,
} from './handler.js';
import type { Logger } from './logger.js';
import { OutboundQueue } from './outbound-queue.js';
import { FencedError } from './partition-fence.js';
import { localPorts, type Ports } from './ports.js';
import { QueuedCommandDelivery } from './queued-command-delivery.js';
import { inboundAllowed, outboundRefusal } from './registration-gate.js';
import type { StationState } from './station-state.js';
import { afterCommandOf, callHandlerOf, isAutocommit, type HandlersByVersion } from './version-handlers.js';
import type { WorkerConfig } from './worker-config.js';

export interface StationActorDeps {
  readonly db: Kysely<Database>;
  /**
   * Runs the autocommit actions (one write statement, no transaction): a group-committing handle shares
   * their round trips and commits with other stations' (see @csms/db group-commit). Default: `db`.
   */
  readonly autocommitDb?: Kysely<Database>;
  readonly bus: Bus;
  readonly validator: OcppValidator;
  readonly config: WorkerConfig;
  readonly log: Logger;
  readonly handlers: HandlersByVersion;
  /**
   * Distributed mode: runs `fn` in a database transaction whose `BEGIN` carries the fence check (see
   * PartitionFence.transaction); throws `FencedError` when this worker no longer owns the station's partition.
   * Every write of the actor (handlers, queued-command delivery) goes through it. Absent in embedded mode.
   */
  readonly fencedTransaction?: <T>(
    stationId: string,
    fn: (trx: Kysely<Database>) => Promise<T>,
  ) => Promise<T>;
  /**
   * Builds `ctx.auth` / `ctx.transactions` over a database executor (the CALL's transaction). Default:
   * the local ports on that executor (embedded mode).
   */
  readonly ports?: (db: Kysely<Database>) => Ports;
  /**
   * Distributed mode with group commit: runs an autocommit action's `fn` so that each of its statements
   * carries the fence check in its own group-committed pipeline (see PartitionFence.statements); throws
   * `FencedError`. Without it, a fenced actor runs autocommit actions in `fencedTransaction`.
   */
  readonly fencedStatements?: <T>(stationId: string, fn: (db: Kysely<Database>) => Promise<T>) => Promise<T>;
  /** Told when a write outside a station CALL (queued-command delivery) was fenced out. */
  readonly onFenced?: (error: FencedError) => void;
  /** Runs `fn` in this station's inbound mailbox (provided by the host). */
  readonly runInMailbox: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly now?: () => Date;
  /** CSMS CALL instruments (queued, in flight, timeouts); default: no-ops. */
  readonly metrics?: CsmsMetrics;
  /** Sign station CSRs (SignCertificate), per certificate type; absent: no CA configured. */
  readonly certificateSigners?: CertificateSigners;
  /** Asks OCSP responders (GetCertificateStatus, contract certificates at Authorize); absent: those fail. */
  readonly ocsp?: OcspClient;
  /** PEM V2G / MO roots for central contract validation (C07.FR.06); empty: such chains are CertChainError. */
  readonly contractRoots?: readonly string[];
  /** The EV contract certificate backend (Get15118EVCertificate M01/M02); absent: those are answered Failed. */
  readonly contractCertificates?: ContractCertificateProvider;
}

/**
 * The actor of one station: the single place that processes the station's CALLs (one at a time, in
 * its mailbox) and the single sender of CSMS-initiated CALLs to it (one outstanding, the rest queued in
 * its {@link OutboundQueue}; commands kept for an offline station go through {@link QueuedCommandDelivery}).
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
  readonly #outbound: OutboundQueue;
  readonly #delivery: QueuedCommandDelivery;

  constructor(
    readonly stationId: string,
    deps: StationActorDeps,
  ) {
    this.#deps = deps;
    this.#log = deps.log.child({ stationId });
    this.#outbound = new OutboundQueue(deps.config.commandQueueLimit, deps.metrics ?? noopCsmsMetrics());
    this.#delivery = new QueuedCommandDelivery({
      stationId,
      db: deps.db,
      config: deps.config,
      log: this.#log,
      state: this.state,
      outbound: this.#outbound,
      send: (version, command) => this.#send(version, command),
      write: (fn) => this.#write(fn),
      emit: (type, data) => this.#emit(type, data),
      ...(deps.onFenced ? { onFenced: deps.onFenced } : {}),
    });
  }

  async onActivate(): Promise<void> {
    const row = await findStation(this.#deps.db, this.stationId);
    if (row?.registration_status) this.state.registration = row.registration_status;
    if (row?.ocpp_version === 'ocpp1.6' || row?.ocpp_version === 'ocpp2.0.1')
      this.state.version = row.ocpp_version;
  }

  onDeactivate(reason: DeactivationReason): Promise<void> {
    // A delivery pass stops before its next command (another activation or owner takes over).
    this.#delivery.stop();
    this.#log.debug({ reason }, 'station actor deactivated');
    return Promise.resolve();
  }

  canPassivate(): boolean {
    return this.state.connection === undefined && this.#outbound.length === 0 && !this.#delivery.running;
  }

  /**
   * Handles a station CALL (runs in the mailbox). The first CALL of a connection the actor did not know
   * of, and every BootNotification (the registration may now allow more), start a delivery of queued
   * commands once handled.
   */
  async handleInbound(call: InboundCall): Promise<CallOutcome> {
    const reconnected = this.#noteConnection(call.version, call.connectionId, call.edgeId);
    const outcome = await this.#handleCall(call);
    if (reconnected || call.action === 'BootNotification') this.#delivery.kick();
    return outcome;
  }

  async #handleCall(call: InboundCall): Promise<CallOutcome> {
    const version = call.version;
    if (!inboundAllowed(this.state, call.action)) {
      return this.#error(
        version,
        'SecurityError',
        `${call.action} is not allowed while the station is ${this.state.registration ?? 'not yet booted'} (OCPP 2.0.1 B02.FR.09 / B03.FR.07)`,
      );
    }
    const handler = callHandlerOf(this.#deps.handlers, version, call.action);
    if (!handler) {
      return this.#error(version, 'NotSupported', `${call.action} is not supported by this CSMS`);
    }
    try {
      const effects: CallEffects = { events: [], queued: false };
      const payload = await this.#commit(call, handler, effects);
      for (const [type, data] of effects.events) this.#emit(type, data);
      if (effects.queued) this.#delivery.noteEnqueued();
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

  /**
   * Runs `handler` and commits its effects. Every effect of one CALL commits in one database transaction (or,
   * for an autocommit action, is its one write statement), before the CALLRESULT leaves the actor (invariant:
   * nothing acknowledged is lost). Events are published only after the commit (`effects`, filled by the run
   * that committed), so observers never see a fact that was rolled back. A CALLERROR answer rolls everything
   * back (autocommit handlers refuse before they write). An autocommit run whose handler throws
   * NeedsTransaction (before it wrote) runs again in a transaction.
   */
  #commit(
    call: InboundCall,
    handler: OcppHandler<unknown, unknown>,
    effects: CallEffects,
  ): Promise<Record<string, unknown>> {
    const run = async (db: Kysely<Database>, mode: RunMode) => {
      effects.events = [];
      effects.queued = false;
      const ctx = this.#handlerContext(call, db, mode, effects);
      return (await handler(ctx, call.payload)) as Record<string, unknown>;
    };
    const { fencedTransaction, fencedStatements } = this.#deps;
    const transactional = (fallback?: NeedsTransaction) => {
      const inTransaction = (db: Kysely<Database>) => run(db, { autocommit: false, fallback });
      return fencedTransaction
        ? fencedTransaction(this.stationId, inTransaction)
        : this.#deps.db.transaction().execute(inTransaction);
    };
    // A fence check must share the write's transaction or pipeline (distributed mode): fenced actors
    // autocommit only through fencedStatements.
    const autocommit =
      (fencedTransaction === undefined || fencedStatements !== undefined) &&
      isAutocommit(this.#deps.handlers, call.version, call.action, call.payload);
    if (!autocommit) return transactional();
    const alone = (db: Kysely<Database>) => run(db, { autocommit: true, fallback: undefined });
    return (
      fencedStatements
        ? fencedStatements(this.stationId, alone)
        : alone(this.#deps.autocommitDb ?? this.#deps.db)
    ).catch((error: unknown) => {
      if (error instanceof NeedsTransaction) return transactional(error);
      throw error;
    });
  }

  #handlerContext(
    call: InboundCall,
    db: Kysely<Database>,
    mode: RunMode,
    effects: CallEffects,
  ): HandlerContext {
    const version = call.version;
    // Added to the command context, not spread into a new literal (once per CALL): on Node 20 a literal that adds
    // members after a spread costs ~0.7 µs per member, ~12 µs here (docs/architecture.md, "Hot paths").
    const callMembers: Pick<HandlerContext, 'call' | 'autocommit' | 'fallback' | 'emit' | 'queueCommand'> = {
      call,
      autocommit: mode.autocommit,
      fallback: mode.fallback,
      emit: (type, data) => void effects.events.push([type, data]),
      queueCommand: async (command) => {
        const result = await enqueueCommand(db, {
          stationId: this.stationId,
          action: command.action,
          payload: command.payload,
          ocppVersion: version,
          ttlMs: this.#deps.config.queuedCommandTtlMs,
          limit: this.#deps.config.queuedCommandLimit,
        });
        if (!result.queued)
          throw new CallErrorResponse(
            'InternalError',
            `${call.action} needs a ${command.action} the station's command queue cannot take (${result.reason})`,
          );
        effects.queued = true;
      },
    };
    return Object.assign(this.#context(version, db), callMembers);
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
      this.#delivery.kick();
    } else if (this.state.connection?.connectionId === event.connectionId) {
      // Only the current connection's end counts: an older socket closing after the newer one
      // connected (newest connection wins) must not mark the station offline.
      this.state.connection = undefined;
      this.#emit('disconnected', { closeCode: event.closeCode, reason: event.reason });
    }
  }

  /**
   * Sends a CSMS-initiated CALL to the station and returns how it ended. Runs outside the inbound
   * mailbox (a slow station must not block its own CALLs), one at a time per station. When no edge
   * holds the station's socket, `whenOffline: 'queue'` keeps the command durably (validated for the
   * station's last known version) instead of answering `offline`.
   */
  async sendCommand(command: StationCommand): Promise<CommandOutcome> {
    const version = this.state.connection?.version ?? this.state.version;
    if (!version) return { status: 'offline' };
    if (command.ocppVersion !== undefined && command.ocppVersion !== version) {
      return {
        status: 'refused',
        reason: 'version-mismatch',
        description: `the station speaks ${version}, the command is for ${command.ocppVersion}`,
      };
    }
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

    let sent: CommandOutcome | typeof NOT_DELIVERED;
    try {
      // Even when the actor knows of no connection the bus is asked: after a hand-over the new owner
      // learns of a live connection only with the station's next CALL.
      sent = await this.#outbound.post(command.action, () => this.#send(version, command));
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
    if (sent !== NOT_DELIVERED) return sent;
    return command.whenOffline === 'queue' ? this.#delivery.enqueue(version, command) : { status: 'offline' };
  }

  /** Runs `fn` in a transaction that is fenced in distributed mode (like every handler's writes). */
  #write<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    const { fencedTransaction } = this.#deps;
    return fencedTransaction
      ? fencedTransaction(this.stationId, fn)
      : this.#deps.db.transaction().execute(fn);
  }

  /** Sends a CALL (in the outbound queue); a CALLRESULT runs the version's after-command hook first. */
  #send(version: OcppVersion, command: StationCommand): Promise<CommandOutcome | typeof NOT_DELIVERED> {
    return sendCsmsCall(
      {
        stationId: this.stationId,
        bus: this.#deps.bus,
        commandTimeoutMs: this.#deps.config.commandTimeoutMs,
        metrics: this.#deps.metrics ?? noopCsmsMetrics(),
        log: this.#log,
        state: this.state,
        runInMailbox: this.#deps.runInMailbox,
        afterResult: (v, cmd, response) => this.#afterCommand(v, cmd, response),
      },
      version,
      command,
    );
  }

  async #afterCommand(
    version: OcppVersion,
    command: StationCommand,
    response: Record<string, unknown>,
  ): Promise<void> {
    const hook = afterCommandOf(this.#deps.handlers, version, command.action);
    if (!hook) return;
    await this.#deps
      .runInMailbox(() => hook(this.#context(version), command.payload, response))
      .catch((error: unknown) =>
        this.#log.error({ err: error, action: command.action }, 'after-command hook failed'),
      );
  }

  #ports(db: Kysely<Database>): Ports {
    return this.#deps.ports?.(db) ?? localPorts({ db, stationId: this.stationId });
  }

  #context(version: OcppVersion, db: Kysely<Database> = this.#deps.db): CommandContext {
    const now = this.#deps.now ?? (() => new Date());
    const ports = this.#ports(db);
    return {
      stationId: this.stationId,
      version,
      db,
      config: this.#deps.config,
      station: this.state,
      log: this.#log,
      auth: ports.auth,
      transactions: ports.transactions,
      certificateSigners: this.#deps.certificateSigners ?? {},
      ocsp: this.#deps.ocsp,
      contractRoots: this.#deps.contractRoots ?? [],
      contractCertificates: this.#deps.contractCertificates,
      metrics: this.#deps.metrics ?? noopCsmsMetrics(),
      now,
      emit: (type, data) => this.#emit(type, data),
    };
  }

  /** Records the connection a CALL came on; true when the actor did not know of it. */
  #noteConnection(version: OcppVersion, connectionId: string, edgeId: string): boolean {
    // Calls carry their connection, so the actor is right even if it saw no `connected` event (e.g. it
    // was passivated, or the event is still in flight on another subject).
    const fresh = this.state.connection?.connectionId !== connectionId;
    if (fresh) {
      this.state.connection = {
        version,
        connectionId,
        edgeId,
        securityProfile: this.state.connection?.securityProfile ?? 0,
        since: new Date().toISOString(),
      };
    }
    this.state.version = version;
    return fresh;
  }

  #emit(type: string, data: Record<string, unknown>): void {
    // Data first: its keys must not overwrite the envelope fields.
    const event = Object.assign({}, data, { stationId: this.stationId, type, at: new Date().toISOString() });
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

/** How a station CALL's handler runs: without a database transaction, or in one (after the former gave up). */
type RunMode = Pick<HandlerContext, 'autocommit' | 'fallback'>;

/** What a CALL's handler left to do once its effects committed: events to publish, a queued command to send. */
interface CallEffects {
  events: [string, Record<string, unknown>][];
  queued: boolean;
}
