import { ActorHost } from '@csms/actor';
import {
  Subjects,
  stationOfSubject,
  type Bus,
  type CallOutcome,
  type CommandOutcome,
  type ConnectionEvent,
  type InboundCall,
  type StationCommand,
  type Subscription,
} from '@csms/bus';
import type { Database, Kysely } from '@csms/db';
import type { OcppValidator, OcppVersion } from '@csms/ocpp';
import type { Logger } from './logger.js';
import { StationActor, type VersionHandlers } from './station-actor.js';
import { defaultWorkerConfig, type WorkerConfig } from './worker-config.js';
import { v16Handlers } from './v16/index.js';
import { v201Handlers } from './v201/index.js';

export interface WorkerOptions {
  readonly bus: Bus;
  readonly db: Kysely<Database>;
  readonly validator: OcppValidator;
  readonly log: Logger;
  readonly config?: Partial<WorkerConfig>;
  /** Passivate actors of disconnected stations after this long idle (ms). */
  readonly idleAfterMs?: number;
  readonly now?: () => Date;
}

const HANDLERS: Readonly<Partial<Record<OcppVersion, VersionHandlers>>> = {
  'ocpp1.6': v16Handlers,
  'ocpp2.0.1': v201Handlers,
};

/**
 * Hosts the station actors of this process and connects them to the bus: station CALLs and connection
 * events from edges, and operator commands. In the embedded mode one worker serves every station.
 */
export class Worker {
  readonly #options: WorkerOptions;
  readonly #config: WorkerConfig;
  readonly #host: ActorHost<StationActor>;
  readonly #subscriptions: Subscription[] = [];

  constructor(options: WorkerOptions) {
    this.#options = options;
    this.#config = { ...defaultWorkerConfig, ...options.config };
    this.#host = new ActorHost<StationActor>({
      kind: 'station',
      idleAfterMs: options.idleAfterMs ?? 10 * 60_000,
      create: (stationId) =>
        new StationActor(stationId, {
          db: options.db,
          bus: options.bus,
          validator: options.validator,
          config: this.#config,
          log: options.log,
          handlers: HANDLERS,
          now: options.now,
          runInMailbox: (fn) => this.#host.run(stationId, () => fn()),
        }),
    });
  }

  get config(): WorkerConfig {
    return this.#config;
  }

  /** Active station actors in this process. */
  get actorCount(): number {
    return this.#host.size;
  }

  async start(): Promise<void> {
    const { bus } = this.#options;
    this.#subscriptions.push(
      await bus.subscribe<InboundCall, CallOutcome>(Subjects.inboundCallWildcard, (msg) =>
        this.#host.run(msg.data.stationId, (actor) => actor.handleInbound(msg.data)),
      ),
      await bus.subscribe<ConnectionEvent>(Subjects.connectionWildcard, (msg) =>
        this.#host.run(msg.data.stationId, (actor) => actor.handleConnection(msg.data)),
      ),
      await bus.subscribe<StationCommand, CommandOutcome>(Subjects.commandWildcard, async (msg) => {
        const stationId = stationOfSubject(msg.subject);
        // Resolve the actor through its mailbox (activation restores its state), then send outside it.
        const actor = await this.#host.run(stationId, (a) => a);
        return actor.sendCommand(msg.data);
      }),
    );
  }

  /** Stops taking messages and deactivates every actor after its queued work. */
  async stop(): Promise<void> {
    await Promise.all(this.#subscriptions.splice(0).map((s) => s.unsubscribe()));
    await this.#host.shutdown();
  }
}
