import { MAX_QUEUE_TTL_MS, type CommandOutcome, type StationCommand } from '@csms/bus';
import {
  claimQueuedCommand,
  enqueueCommand,
  expireQueuedCommands,
  failInterruptedDeliveries,
  finishQueuedCommand,
  hasPendingQueuedCommands,
  nextQueuedCommand,
  requeueCommand,
  type Database,
  type Kysely,
  type QueuedCommandRow,
} from '@csms/db';
import type { OcppVersion } from '@csms/ocpp';
import { NOT_DELIVERED } from './csms-call.js';
import type { Logger } from './logger.js';
import type { OutboundQueue } from './outbound-queue.js';
import { FencedError } from './partition-fence.js';
import { outboundRefusal } from './registration-gate.js';
import type { StationState } from './station-state.js';
import type { WorkerConfig } from './worker-config.js';

/**
 * The outcome recorded for a queued command found `delivering` at the start of a delivery pass: a former
 * activation (crashed, or fenced out) sent it and never recorded the answer. It may have reached the
 * station, so it is not sent again.
 */
const INTERRUPTED: CommandOutcome = { status: 'timeout' };

export interface QueuedCommandDeliveryDeps {
  readonly stationId: string;
  readonly db: Kysely<Database>;
  readonly config: WorkerConfig;
  /** The station's logger. */
  readonly log: Logger;
  /** The actor's state (read only here). */
  readonly state: StationState;
  readonly outbound: OutboundQueue;
  /** Sends a CALL to the station (see `sendCsmsCall`); run it in the outbound queue. */
  readonly send: (
    version: OcppVersion,
    command: StationCommand,
  ) => Promise<CommandOutcome | typeof NOT_DELIVERED>;
  /** Runs `fn` in a transaction that is fenced in distributed mode (like every handler's writes). */
  readonly write: <T>(fn: (trx: Kysely<Database>) => Promise<T>) => Promise<T>;
  /** Publishes a station event (`command-completed`). */
  readonly emit: (type: string, data: Record<string, unknown>) => void;
  /** Told when a write of a delivery pass was fenced out. */
  readonly onFenced?: (error: FencedError) => void;
}

/**
 * Durable commands of one station sent with `whenOffline: 'queue'` while it was offline: keeps them in
 * `queued_commands` and delivers them when the station is back, oldest first, through the outbound
 * queue. Each row is claimed atomically (`queued` → `delivering`) before it is sent, so of a former and
 * a new owner of the station only one sends it; the outcome is stored on the row and published as
 * `command-completed`.
 */
export class QueuedCommandDelivery {
  readonly #deps: QueuedCommandDeliveryDeps;
  /** A pass is running / another pass was asked for meanwhile. */
  #running = false;
  #wanted = false;
  /** False once a pass found nothing queued, until the next enqueue (spares the database on reconnects). */
  #mayHaveQueued = true;
  /** Counts enqueues, so that a pass does not clear {@link #mayHaveQueued} over one it did not see. */
  #enqueued = 0;
  #stopped = false;

  constructor(deps: QueuedCommandDeliveryDeps) {
    this.#deps = deps;
  }

  /** Whether a delivery pass is running. */
  get running(): boolean {
    return this.#running;
  }

  /** Stops delivering (the actor was deactivated): a running pass stops before its next command. */
  stop(): void {
    this.#stopped = true;
  }

  /** Keeps a command for the offline station (`whenOffline: 'queue'`). */
  async enqueue(version: OcppVersion, command: StationCommand): Promise<CommandOutcome> {
    const { config } = this.#deps;
    const ttl = command.queueTtlMs;
    const ttlMs =
      typeof ttl === 'number' && Number.isFinite(ttl)
        ? Math.min(Math.max(Math.round(ttl), 1), MAX_QUEUE_TTL_MS)
        : config.queuedCommandTtlMs;
    const result = await this.#deps.write((trx) =>
      enqueueCommand(trx, {
        stationId: this.#deps.stationId,
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
    this.#deps.log.debug(
      { action: command.action, commandId: row.id },
      'command queued for an offline station',
    );
    // The station may have come back while the row was being written: its delivery pass could have
    // missed the row.
    if (this.#deps.state.connection) this.kick();
    return { status: 'queued', commandId: row.id, expiresAt: row.expires_at.toISOString() };
  }

  /**
   * A command was queued by a handler in its CALL's transaction, which has committed: deliver it now if the station
   * is connected (the pass runs after the CALL's answer left: it starts with a database read).
   */
  noteEnqueued(): void {
    this.#enqueued++;
    this.#mayHaveQueued = true;
    if (this.#deps.state.connection) this.kick();
  }

  /** Starts a delivery pass of queued commands, or asks the running one for another pass. */
  kick(): void {
    if (!this.#mayHaveQueued || this.#stopped) return;
    this.#wanted = true;
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  async #loop(): Promise<void> {
    try {
      while (this.#wanted && !this.#stopped) {
        this.#wanted = false;
        try {
          await this.#pass();
        } catch (error) {
          if (error instanceof FencedError) {
            this.#deps.onFenced?.(error);
            return;
          }
          // The next connection or BootNotification starts another pass.
          this.#deps.log.error({ err: error }, 'delivery of queued commands failed');
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /**
   * One delivery pass: ends interrupted deliveries and expired commands, then sends the station's
   * queued commands in order, each through the outbound queue (one outstanding CALL, behind live
   * commands), while the station is connected. Stops at the first command the station's registration
   * does not allow yet (it waits, in order, until a later pass or its expiry).
   */
  async #pass(): Promise<void> {
    const { db, stationId } = this.#deps;
    const seenFirst = this.#enqueued;
    // Most stations never have anything queued: one indexed read, no write, settles it.
    if (!(await hasPendingQueuedCommands(db, stationId))) {
      if (seenFirst === this.#enqueued) this.#mayHaveQueued = false;
      return;
    }
    const [interrupted, expired] = await this.#deps.write(async (trx) => [
      await failInterruptedDeliveries(trx, stationId, INTERRUPTED),
      await expireQueuedCommands(trx, stationId),
    ]);
    for (const row of interrupted) this.#completed(row, 'failed', INTERRUPTED);
    for (const row of expired) this.#completed(row, 'expired', null);
    for (;;) {
      if (this.#stopped || !this.#deps.state.connection) return;
      const seen = this.#enqueued;
      const next = await nextQueuedCommand(db, stationId);
      if (!next) {
        if (seen === this.#enqueued) this.#mayHaveQueued = false;
        return;
      }
      if (!(await this.#deps.outbound.postWhenRoom(next.action, () => this.#deliverOne(next)))) return;
    }
  }

  /** Delivers one queued command (in the outbound queue); false when the pass should stop. */
  async #deliverOne(row: QueuedCommandRow): Promise<boolean> {
    const { state, write } = this.#deps;
    const connection = state.connection;
    if (this.#stopped || !connection) return false;
    const { version } = connection;
    if (row.ocpp_version !== version) {
      // The payload was validated for the version the station spoke when it was queued.
      if (!(await write((trx) => claimQueuedCommand(trx, row.id)))) return true;
      await this.#finish(row, {
        status: 'not-supported',
        description: `queued for ${row.ocpp_version}, but the station now uses ${version}`,
      });
      return true;
    }
    // Never to a Rejected station (B03.FR.03); nothing a Pending station may not get.
    if (outboundRefusal(state, version, row.action)) return false;
    // Atomic: of two claimants (a former owner and a new one) only one sends the command.
    if (!(await write((trx) => claimQueuedCommand(trx, row.id)))) return true; // expired or taken
    const command: StationCommand = {
      action: row.action,
      payload: row.payload,
      ...(row.timeout_ms !== null ? { timeoutMs: row.timeout_ms } : {}),
    };
    const sent = await this.#deps.send(version, command);
    if (sent === NOT_DELIVERED) {
      // Gone again before the CALL reached any edge: it waits for the next connection.
      await write((trx) => requeueCommand(trx, row.id));
      return false;
    }
    await this.#finish(row, sent);
    return true;
  }

  async #finish(row: QueuedCommandRow, outcome: CommandOutcome): Promise<void> {
    const status = outcome.status === 'result' ? 'done' : 'failed';
    if (await this.#deps.write((trx) => finishQueuedCommand(trx, row.id, status, outcome)))
      this.#completed(row, status, outcome);
  }

  #completed(
    row: QueuedCommandRow,
    status: 'done' | 'failed' | 'expired',
    outcome: CommandOutcome | null,
  ): void {
    this.#deps.log.debug({ commandId: row.id, action: row.action, status }, 'queued command finished');
    this.#deps.emit('command-completed', { commandId: row.id, action: row.action, status, outcome });
  }
}
