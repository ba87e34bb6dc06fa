import { randomUUID } from 'node:crypto';
import type { Actor, DeactivationReason } from '@csms/actor';
import { Mailbox, MailboxFullError } from '@csms/actor';
import {
  MAX_QUEUE_TTL_MS,
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
import {
  claimQueuedCommand,
  enqueueCommand,
  expireQueuedCommands,
  failInterruptedDeliveries,
  findStation,
  finishQueuedCommand,
  hasPendingQueuedCommands,
  nextQueuedCommand,
  requeueCommand,
  type Database,
  type Kysely,
  type QueuedCommandRow,
} from '@csms/db';
import { versionedCode, type OcppValidator, type OcppVersion } from '@csms/ocpp';
import { noopCsmsMetrics, traceHeaders, type CsmsMetrics } from '@csms/telemetry';
import { CallErrorResponse, type HandlerContext, type OcppHandler } from './handler.js';
import type { Logger } from './logger.js';
import { actionsRequestedBy, inboundAllowed, outboundRefusal } from './registration-gate.js';
import type { StationState } from './station-state.js';
import type { WorkerConfig } from './worker-config.js';
import { FencedError } from './partition-fence.js';
import { localPorts, type Ports } from './ports.js';

/** Handlers of station CALLs and hooks run after a CSMS command was answered, per OCPP version. */
export interface VersionHandlers {
  // The maps are typed per version where they are defined; here they are looked up by action name.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly calls: Readonly<Record<string, OcppHandler<any, any> | undefined>>;
  /**
   * Actions whose handler makes at most one write statement (plus reads of rows only this actor writes, or
   * that a READ COMMITTED transaction would read the same way): without a fence to check they run without
   * BEGIN / COMMIT, the one statement committing on its own before the CALLRESULT leaves (nothing
   * acknowledged is lost either way). Saves two of three database round trips for the most frequent
   * messages (Heartbeat, StatusNotification, Authorize, MeterValues).
   */
  readonly autocommit?: ReadonlySet<string>;
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

/** What {@link StationActor} `#send` answers when no edge held the station's socket: nobody got the CALL. */
const NOT_DELIVERED = Symbol('not-delivered');

/**
 * The outcome recorded for a queued command found `delivering` at the start of a delivery pass: a former
 * activation (crashed, or fenced out) sent it and never recorded the answer. It may have reached the
 * station, so it is not sent again.
 */
const INTERRUPTED: CommandOutcome = { status: 'timeout' };

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
  /**
   * Builds `ctx.auth` / `ctx.transactions` over a database executor (the CALL's transaction). Default:
   * the local ports on that executor (embedded mode).
   */
  readonly ports?: (db: Kysely<Database>) => Ports;
  /** Told when a write outside a station CALL (queued-command delivery) was fenced out. */
  readonly onFenced?: (error: FencedError) => void;
  /** Runs `fn` in this station's inbound mailbox (provided by the host). */
  readonly runInMailbox: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly now?: () => Date;
  /** CSMS CALL instruments (queued, in flight, timeouts); default: no-ops. */
  readonly metrics?: CsmsMetrics;
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
  /** Queued-command delivery: a pass is running / another pass was asked for meanwhile. */
  #deliveryRunning = false;
  #deliveryWanted = false;
  /** False once a pass found nothing queued, until the next enqueue (spares the database on reconnects). */
  #mayHaveQueued = true;
  /** Counts enqueues, so that a pass does not clear {@link #mayHaveQueued} over one it did not see. */
  #enqueued = 0;
  #deactivated = false;

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
    // A delivery pass stops before its next command (another activation or owner takes over).
    this.#deactivated = true;
    this.#log.debug({ reason }, 'station actor deactivated');
    return Promise.resolve();
  }

  canPassivate(): boolean {
    return this.state.connection === undefined && this.#outbound.length === 0 && !this.#deliveryRunning;
  }

  /**
   * Handles a station CALL (runs in the mailbox). The first CALL of a connection the actor did not know
   * of, and every BootNotification (the registration may now allow more), start a delivery of queued
   * commands once handled.
   */
  async handleInbound(call: InboundCall): Promise<CallOutcome> {
    const reconnected = this.#noteConnection(call.version, call.connectionId, call.edgeId);
    const outcome = await this.#handleCall(call);
    if (reconnected || call.action === 'BootNotification') this.#kickDelivery();
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
    const handler = this.#deps.handlers[version]?.calls[call.action];
    if (!handler) {
      return this.#error(version, 'NotSupported', `${call.action} is not supported by this CSMS`);
    }
    // Every effect of one CALL commits in one database transaction (or, for an autocommit action, is its one
    // write statement), before the CALLRESULT leaves the actor (invariant: nothing acknowledged is lost).
    // Events are published only after the commit, so observers never see a fact that was rolled back. A
    // CALLERROR answer rolls everything back (autocommit handlers refuse before they write).
    const events: [string, Record<string, unknown>][] = [];
    const run = async (db: Kysely<Database>): Promise<Record<string, unknown>> => {
      await this.#deps.fence?.(db, this.stationId);
      const ctx: HandlerContext = {
        ...this.#context(version),
        db,
        ...this.#ports(db),
        call,
        emit: (type, data) => void events.push([type, data]),
      };
      return (await handler(ctx, call.payload)) as Record<string, unknown>;
    };
    // A fence check must share the write's transaction (distributed mode): only unfenced actors autocommit.
    const autocommit =
      this.#deps.fence === undefined && this.#deps.handlers[version]?.autocommit?.has(call.action) === true;
    try {
      const payload = autocommit ? await run(this.#deps.db) : await this.#deps.db.transaction().execute(run);
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
      this.#kickDelivery();
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
      sent = await this.#postCounted(command.action, () => this.#send(version, command));
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
    return command.whenOffline === 'queue' ? this.#enqueue(version, command) : { status: 'offline' };
  }

  /** Keeps a command for the offline station (`whenOffline: 'queue'`). */
  async #enqueue(version: OcppVersion, command: StationCommand): Promise<CommandOutcome> {
    const { config } = this.#deps;
    const ttl = command.queueTtlMs;
    const ttlMs =
      typeof ttl === 'number' && Number.isFinite(ttl)
        ? Math.min(Math.max(Math.round(ttl), 1), MAX_QUEUE_TTL_MS)
        : config.queuedCommandTtlMs;
    const result = await this.#write((trx) =>
      enqueueCommand(trx, {
        stationId: this.stationId,
        action: command.action,
        payload: command.payload,
        ocppVersion: version,
        timeoutMs: command.timeoutMs,
        ttlMs,
        limit: config.queuedCommandLimit,
      }),
    );
    if (!result.queued) {
      if (result.reason === 'unknown-station') return { status: 'offline' };
      return {
        status: 'refused',
        reason: 'queue-full',
        description: `too many commands queued for this offline station (${config.queuedCommandLimit})`,
      };
    }
    this.#enqueued++;
    this.#mayHaveQueued = true;
    const { row } = result;
    this.#log.debug({ action: command.action, commandId: row.id }, 'command queued for an offline station');
    // The station may have come back while the row was being written: its delivery pass could have
    // missed the row.
    if (this.state.connection) this.#kickDelivery();
    return { status: 'queued', commandId: row.id, expiresAt: row.expires_at.toISOString() };
  }

  /** Starts a delivery pass of queued commands, or asks the running one for another pass. */
  #kickDelivery(): void {
    if (!this.#mayHaveQueued || this.#deactivated) return;
    this.#deliveryWanted = true;
    if (this.#deliveryRunning) return;
    this.#deliveryRunning = true;
    void this.#deliveryLoop();
  }

  async #deliveryLoop(): Promise<void> {
    try {
      while (this.#deliveryWanted && !this.#deactivated) {
        this.#deliveryWanted = false;
        try {
          await this.#deliverQueued();
        } catch (error) {
          if (error instanceof FencedError) {
            this.#deps.onFenced?.(error);
            return;
          }
          // The next connection or BootNotification starts another pass.
          this.#log.error({ err: error }, 'delivery of queued commands failed');
        }
      }
    } finally {
      this.#deliveryRunning = false;
    }
  }

  /**
   * One delivery pass: ends interrupted deliveries and expired commands, then sends the station's
   * queued commands in order, each through the outbound mailbox (one outstanding CALL, behind live
   * commands), while the station is connected. Stops at the first command the station's registration
   * does not allow yet (it waits, in order, until a later pass or its expiry).
   */
  async #deliverQueued(): Promise<void> {
    const seenFirst = this.#enqueued;
    // Most stations never have anything queued: one indexed read, no write, settles it.
    if (!(await hasPendingQueuedCommands(this.#deps.db, this.stationId))) {
      if (seenFirst === this.#enqueued) this.#mayHaveQueued = false;
      return;
    }
    const [interrupted, expired] = await this.#write(async (trx) => [
      await failInterruptedDeliveries(trx, this.stationId, INTERRUPTED),
      await expireQueuedCommands(trx, this.stationId),
    ]);
    for (const row of interrupted) this.#completed(row, 'failed', INTERRUPTED);
    for (const row of expired) this.#completed(row, 'expired', null);
    for (;;) {
      if (this.#deactivated || !this.state.connection) return;
      const seen = this.#enqueued;
      const next = await nextQueuedCommand(this.#deps.db, this.stationId);
      if (!next) {
        if (seen === this.#enqueued) this.#mayHaveQueued = false;
        return;
      }
      if (!(await this.#postOutbound(next.action, () => this.#deliverOne(next)))) return;
    }
  }

  /** Delivers one queued command (in the outbound mailbox); false when the pass should stop. */
  async #deliverOne(row: QueuedCommandRow): Promise<boolean> {
    const connection = this.state.connection;
    if (this.#deactivated || !connection) return false;
    const { version } = connection;
    if (row.ocpp_version !== version) {
      // The payload was validated for the version the station spoke when it was queued.
      if (!(await this.#write((trx) => claimQueuedCommand(trx, row.id)))) return true;
      await this.#finish(row, {
        status: 'not-supported',
        description: `queued for ${row.ocpp_version}, but the station now uses ${version}`,
      });
      return true;
    }
    // Never to a Rejected station (B03.FR.03); nothing a Pending station may not get.
    if (outboundRefusal(this.state, version, row.action)) return false;
    // Atomic: of two claimants (a former owner and a new one) only one sends the command.
    if (!(await this.#write((trx) => claimQueuedCommand(trx, row.id)))) return true; // expired or taken
    const command: StationCommand = {
      action: row.action,
      payload: row.payload,
      ...(row.timeout_ms !== null ? { timeoutMs: row.timeout_ms } : {}),
    };
    const sent = await this.#send(version, command);
    if (sent === NOT_DELIVERED) {
      // Gone again before the CALL reached any edge: it waits for the next connection.
      await this.#write((trx) => requeueCommand(trx, row.id));
      return false;
    }
    await this.#finish(row, sent);
    return true;
  }

  async #finish(row: QueuedCommandRow, outcome: CommandOutcome): Promise<void> {
    const status = outcome.status === 'result' ? 'done' : 'failed';
    if (await this.#write((trx) => finishQueuedCommand(trx, row.id, status, outcome)))
      this.#completed(row, status, outcome);
  }

  #completed(
    row: QueuedCommandRow,
    status: 'done' | 'failed' | 'expired',
    outcome: CommandOutcome | null,
  ): void {
    this.#log.debug({ commandId: row.id, action: row.action, status }, 'queued command finished');
    this.#emit('command-completed', { commandId: row.id, action: row.action, status, outcome });
  }

  /** Posts to the outbound mailbox, waiting for room when it is full (queued commands never give up). */
  async #postOutbound<T>(action: string, task: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await this.#postCounted(action, task);
      } catch (error) {
        if (!(error instanceof MailboxFullError)) throw error;
        await this.#outbound.drain();
      }
    }
  }

  /** Posts to the outbound mailbox, counting the CALL as queued until its turn comes (metrics). */
  async #postCounted<T>(action: string, task: () => Promise<T>): Promise<T> {
    const queued = (this.#deps.metrics ?? noopCsmsMetrics()).csmsCallsQueued;
    let waiting = true;
    const stopWaiting = (): void => {
      if (!waiting) return;
      waiting = false;
      queued.add(-1, { action });
    };
    queued.add(1, { action });
    try {
      return await this.#outbound.post(() => {
        stopWaiting();
        return task();
      });
    } finally {
      stopWaiting();
    }
  }

  /** Runs `fn` in a transaction that is fenced in distributed mode (like every handler's writes). */
  #write<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.#deps.db.transaction().execute(async (trx) => {
      await this.#deps.fence?.(trx, this.stationId);
      return fn(trx);
    });
  }

  async #send(version: OcppVersion, command: StationCommand): Promise<CommandOutcome | typeof NOT_DELIVERED> {
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
    const metrics = this.#deps.metrics ?? noopCsmsMetrics();
    metrics.csmsCallsInFlight.add(1, { action: command.action });
    try {
      // The edge enforces the CALL timeout; the bus timeout only covers a vanished edge. The trace context
      // (the command's span) goes along, so the edge's span of the CALL joins the caller's trace.
      outcome = await this.#deps.bus.request<OutboundOutcome>(Subjects.outboundCall(this.stationId), call, {
        timeoutMs: timeoutMs + 5_000,
        headers: traceHeaders(),
      });
    } catch (error) {
      if (error instanceof NoRespondersError) {
        // No edge holds the socket: the station is offline and got nothing.
        if (added.length > 0) await this.#updateAllowed(added, 'delete');
        this.#log.debug({ action: command.action, messageId: call.messageId }, 'station offline');
        return NOT_DELIVERED;
      }
      if (error instanceof RequestTimeoutError) outcome = { type: 'timeout' };
      else throw error;
    } finally {
      metrics.csmsCallsInFlight.add(-1, { action: command.action });
    }
    if (outcome.type === 'timeout') metrics.csmsCallTimeoutsTotal.add(1, { action: command.action });
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

  #ports(db: Kysely<Database>): Ports {
    return this.#deps.ports?.(db) ?? localPorts({ db, stationId: this.stationId });
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
      ...this.#ports(this.#deps.db),
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
