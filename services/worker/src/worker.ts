import { ActorHost } from '@csms/actor';
import {
  Subjects,
  partitionOf,
  stationOfSubject,
  type Bus,
  type CallOutcome,
  type CommandOutcome,
  type ConnectionEvent,
  type InboundCall,
  type StationCommand,
  type BusMessage,
  type Subscription,
} from '@csms/bus';
import { recentPartitionOwnership, type Database, type Kysely } from '@csms/db';
import type { OcppValidator } from '@csms/ocpp';
import {
  SpanKind,
  contextFromHeaders,
  csmsTracer,
  endOcppSpan,
  noopCsmsMetrics,
  ocppAttributes,
  otelContext,
  secondsSince,
  spanAttributes,
  withSpan,
  type CsmsMetrics,
} from '@csms/telemetry';
import type { Logger } from './logger.js';
import { InflightCalls } from './inflight-calls.js';
import { OverloadDetector } from './overload-detector.js';
import { FencedError, PartitionFence } from './partition-fence.js';
import type { PortsFactory } from './ports.js';
import { StationActor } from './station-actor.js';
import type { HandlersByVersion } from './version-handlers.js';
import { defaultWorkerConfig, type WorkerConfig } from './worker-config.js';
import type { CertificateSigners, ContractCertificateProvider, OcspClient } from '@csms/station-ca';
import { v16Handlers } from './v16/index.js';
import { v201Handlers } from './v201/index.js';

export interface WorkerOptions {
  readonly bus: Bus;
  readonly db: Kysely<Database>;
  /** For the autocommit actions (see StationActorDeps.autocommitDb); default `db`. */
  readonly autocommitDb?: Kysely<Database>;
  readonly validator: OcppValidator;
  readonly log: Logger;
  readonly config?: Partial<WorkerConfig>;
  /** Passivate actors of disconnected stations after this long idle (ms). */
  readonly idleAfterMs?: number;
  readonly now?: () => Date;
  /**
   * How handlers reach the auth and transaction domains (`ctx.auth`, `ctx.transactions`). Default: the
   * local ports over the actor's database transaction. Distributed mode: `remotePorts(...)` (gRPC),
   * called with this worker's fence epoch of the station's partition.
   */
  readonly ports?: PortsFactory;
  /**
   * Distributed mode: serve only the partitions handed to {@link Worker.acquirePartition}, fenced
   * by their lease epochs. Without it (embedded mode) the worker serves every station.
   */
  readonly partitioned?: {
    readonly workerId: string;
    /** Called when a write found the partition fenced by a newer owner (the lease is lost). */
    readonly onFenced?: (partition: number) => void;
    /**
     * A group-commit handle (`DatabaseHandle.autocommitDb` with group commit on): the autocommit actions
     * then run as fenced group-committed statements (PartitionFence.statements) instead of fenced
     * transactions. Must be a group-commit handle: any other would run them unfenced.
     */
    readonly fencedStatementsDb?: Kysely<Database>;
  };
  /** Instruments (from `startTelemetry`); default: no-ops. Spans go through the OpenTelemetry API. */
  readonly metrics?: CsmsMetrics;
  /**
   * Sign station CSRs (SignCertificate, see @csms/station-ca), per certificate type; a type without a signer is
   * answered Rejected.
   */
  readonly certificateSigners?: CertificateSigners;
  /** Asks OCSP responders (GetCertificateStatus, contract certificates at Authorize); absent: those fail. */
  readonly ocsp?: OcspClient;
  /** PEM V2G / MO roots for central contract validation (C07.FR.06); empty: such chains are CertChainError. */
  readonly contractRoots?: readonly string[];
  /** The EV contract certificate backend (Get15118EVCertificate M01/M02); absent: those are answered Failed. */
  readonly contractCertificates?: ContractCertificateProvider;
  /** The overload detector's monotonic clock in ms (default `performance.now`); tests drive it. */
  readonly overloadClock?: () => number;
  /** Draws the jitter of an overloaded BootNotification's retry interval, in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

const HANDLERS: HandlersByVersion = {
  'ocpp1.6': v16Handlers,
  'ocpp2.0.1': v201Handlers,
};

/**
 * Hosts the station actors of this process and connects them to the bus: station CALLs and connection
 * events from edges, and operator commands. In the embedded mode one worker serves every station; in
 * the distributed mode each worker serves the partitions it holds leases for.
 */
export class Worker {
  readonly #options: WorkerOptions;
  readonly #config: WorkerConfig;
  readonly #host: ActorHost<StationActor>;
  readonly #fence: PartitionFence | undefined;
  readonly #subscriptions = new Map<number | '*', Subscription[]>();
  readonly #releasing = new Map<number, Promise<void>>();
  readonly #metrics: CsmsMetrics;
  readonly #inflight = new InflightCalls<CallOutcome>();
  readonly #overload: OverloadDetector;

  constructor(options: WorkerOptions) {
    this.#options = options;
    this.#metrics = options.metrics ?? noopCsmsMetrics();
    this.#config = { ...defaultWorkerConfig, ...options.config };
    this.#overload = new OverloadDetector(this.#config.overload, options.overloadClock, (overloaded) =>
      this.#overloadChanged(overloaded),
    );
    this.#fence = options.partitioned
      ? new PartitionFence(options.db, options.partitioned.workerId)
      : undefined;
    const fence = this.#fence;
    const statementsDb = options.partitioned?.fencedStatementsDb;
    this.#host = new ActorHost<StationActor>({
      kind: 'station',
      idleAfterMs: options.idleAfterMs ?? 10 * 60_000,
      create: (stationId) =>
        new StationActor(stationId, {
          db: options.db,
          ...(options.autocommitDb ? { autocommitDb: options.autocommitDb } : {}),
          bus: options.bus,
          validator: options.validator,
          config: this.#config,
          log: options.log,
          handlers: HANDLERS,
          now: options.now,
          metrics: this.#metrics,
          ...(options.certificateSigners ? { certificateSigners: options.certificateSigners } : {}),
          ...(options.ocsp ? { ocsp: options.ocsp } : {}),
          ...(options.contractRoots ? { contractRoots: options.contractRoots } : {}),
          ...(options.contractCertificates ? { contractCertificates: options.contractCertificates } : {}),
          ...(options.ports ? { ports: this.#portsOf(stationId, options.ports) } : {}),
          ...(fence
            ? {
                fencedTransaction: (id, fn) => fence.transaction(id, fn),
                ...(statementsDb
                  ? { fencedStatements: (id, fn) => fence.statements(statementsDb, id, fn) }
                  : {}),
                onFenced: (error: FencedError) => this.#fenced(error.partition),
              }
            : {}),
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

  /** Re-sent station CALLs (edge retries) answered with the outcome of the copy already in flight. */
  get joinedCalls(): number {
    return this.#inflight.joined;
  }

  /** Whether this worker now refuses new stations (BootNotification answered Pending) because it is overloaded. */
  get overloaded(): boolean {
    return this.#overload.overloaded;
  }

  /** Partitions served (distributed mode). */
  ownedPartitions(): number[] {
    return this.#fence?.owned() ?? [];
  }

  /** Embedded mode: serve every station. Distributed mode: nothing until partitions are acquired. */
  async start(): Promise<void> {
    if (!this.#options.partitioned) this.#subscriptions.set('*', await this.#subscribe('*'));
  }

  /**
   * Distributed mode: take over a partition whose lease this worker acquired with `epoch`. Raises
   * the database fence first (waiting for the previous owner's open transactions), then subscribes.
   * Returns false when the epoch is stale (a newer owner exists).
   */
  async acquirePartition(partition: number, epoch: string): Promise<boolean> {
    const fence = this.#requireFence();
    await this.#releasing.get(partition);
    if (this.#subscriptions.has(partition)) return true;
    if (!(await fence.acquire(partition, epoch))) return false;
    this.#subscriptions.set(partition, await this.#subscribe(partition));
    this.#options.log.debug({ partition, epoch }, 'partition acquired');
    this.#metrics.partitionOwnershipChangesTotal.add(1, { change: 'acquired' });
    void this.#countFailover(partition, epoch);
    return true;
  }

  /**
   * Counts a take-over as a fail-over when the partition's previous owner did not hand it over: its last
   * ownership record is its `acquired` (it crashed or froze and its lease expired) or `fenced` (it lost the
   * lease), not `released` (graceful hand-over, rebalancing). Metrics only: a failure is ignored.
   */
  async #countFailover(partition: number, epoch: string): Promise<void> {
    try {
      const rows = await recentPartitionOwnership(this.#options.db, partition, 3);
      const previous = rows.find((row) => String(row.epoch) !== epoch);
      if (previous !== undefined && previous.event !== 'released') this.#metrics.failoversTotal.add(1);
    } catch (error) {
      this.#options.log.debug({ err: error, partition }, 'could not classify the partition take-over');
    }
  }

  /**
   * Distributed mode: stop serving a partition. Unsubscribes first (new messages go to the next
   * owner, or wait at the edge until it subscribes), lets the partition's actors finish what they
   * are doing, then deactivates them.
   */
  releasePartition(partition: number, event: 'released' | 'fenced' = 'released'): Promise<void> {
    const running = this.#releasing.get(partition);
    if (running) return running;
    const release = (async () => {
      if (this.#fence?.epochOf(partition) !== undefined) {
        this.#metrics.partitionOwnershipChangesTotal.add(1, {
          change: event === 'fenced' ? 'lost' : 'released',
        });
      }
      const subs = this.#subscriptions.get(partition) ?? [];
      this.#subscriptions.delete(partition);
      await Promise.all(subs.map((s) => s.unsubscribe().catch(() => undefined)));
      const ids = this.#host.ids().filter((id) => partitionOf(id) === partition);
      await Promise.all(
        ids.map((id) => this.#host.deactivate(id, event === 'fenced' ? 'fenced' : 'handed-over')),
      );
      await this.#fence?.release(partition, event);
      this.#options.log.debug({ partition, event }, 'partition released');
    })().finally(() => this.#releasing.delete(partition));
    this.#releasing.set(partition, release);
    return release;
  }

  /** Stops taking messages and deactivates every actor after its queued work. */
  async stop(): Promise<void> {
    const all = [...this.#subscriptions.values()].flat();
    this.#subscriptions.clear();
    await Promise.all(all.map((s) => s.unsubscribe().catch(() => undefined)));
    await this.#host.shutdown();
    for (const p of this.#fence?.owned() ?? []) await this.#fence?.release(p, 'released');
  }

  async #subscribe(partition: number | '*'): Promise<Subscription[]> {
    const { bus } = this.#options;
    return [
      await bus.subscribe<InboundCall, CallOutcome>(
        Subjects.inboundCalls(partition),
        // A copy re-sent by the edge while the first is still queued or running gets the first's outcome.
        (msg) => this.#inflight.run(msg.data, () => this.#handleInbound(msg)).outcome,
      ),
      await bus.subscribe<ConnectionEvent>(Subjects.connections(partition), (msg) =>
        this.#host.run(msg.data.stationId, (actor) => actor.handleConnection(msg.data)),
      ),
      await bus.subscribe<StationCommand, CommandOutcome>(Subjects.commands(partition), async (msg) => {
        const stationId = stationOfSubject(msg.subject);
        // The command's span continues the caller's trace (gRPC, admin) when its headers carry one; the edge's
        // `ocpp <Action>` span of the CALL becomes its child through the outbound request's headers.
        const span = csmsTracer().startSpan(
          `command ${typeof msg.data.action === 'string' ? msg.data.action : 'unknown'}`,
          { kind: SpanKind.CONSUMER, attributes: { 'ocpp.station_id': stationId } },
          contextFromHeaders(msg.headers),
        );
        try {
          // Resolve the actor through its mailbox (activation restores its state), then send outside it.
          const actor = await this.#host.run(stationId, (a) => a);
          const outcome = await otelContext.with(withSpan(span), () => actor.sendCommand(msg.data));
          endOcppSpan(span, outcome.status);
          return outcome;
        } catch (error: unknown) {
          endOcppSpan(span, 'failed');
          // Queueing a command for an offline station writes: fenced out, it is the new owner's.
          if (error instanceof FencedError) this.#fenced(error.partition);
          throw error;
        }
      }),
    ];
  }

  /**
   * A station CALL from an edge: runs in the station's actor inside an `actor <Action>` span, the child of the
   * edge's `ocpp <Action>` span (trace context from the message headers), so the database spans of its
   * handling nest under it.
   */
  async #handleInbound(msg: BusMessage<InboundCall>): Promise<CallOutcome> {
    const call = msg.data;
    if (call.action === 'BootNotification' && this.#overload.overloaded) return this.#refuseBoot(call);
    const startedAt = performance.now();
    const overloadStartedAt = this.#overload.now();
    const span = csmsTracer().startSpan(
      `actor ${call.action}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: spanAttributes(() =>
          ocppAttributes({
            stationId: call.stationId,
            action: call.action,
            version: call.version,
            messageId: call.messageId,
          }),
        ),
      },
      contextFromHeaders(msg.headers),
    );
    try {
      const outcome = await this.#host.run(call.stationId, (actor) =>
        otelContext.with(withSpan(span), () => actor.handleInbound(call)),
      );
      this.#metrics.actorCallSeconds.record(secondsSince(startedAt), {
        action: call.action,
        version: call.version,
        outcome: outcome.type,
      });
      this.#overload.observe(overloadStartedAt);
      if (call.action === 'BootNotification' && outcome.type === 'result') {
        // B01-B03: how many stations are let in, kept Pending or Rejected.
        this.#metrics.bootNotificationsTotal.add(1, {
          status: String(outcome.payload.status),
          version: call.version,
        });
      }
      endOcppSpan(span, outcome.type, outcome.type === 'error' ? outcome.code : undefined);
      return outcome;
    } catch (error: unknown) {
      this.#metrics.actorCallSeconds.record(secondsSince(startedAt), {
        action: call.action,
        version: call.version,
        outcome: 'failed',
      });
      span.recordException(error instanceof Error ? error : String(error));
      endOcppSpan(span, 'failed');
      if (error instanceof FencedError) this.#fenced(error.partition);
      throw error;
    }
  }

  /**
   * A BootNotification while overloaded: answered Pending at once, without activating the actor or touching
   * the database, with a jittered retry interval. OCPP gives the CSMS this answer for exactly this ("to give the
   * CSMS a way of limiting the load on the CSMS", 2.0.1 B02 / 1.6 §4.2): the station boots again after the
   * interval (B02.FR.08) and sends nothing else meanwhile (B02.FR.02), so the stations already admitted keep
   * their response times and the refused ones come back spread out. Nothing is recorded: the next boot records
   * the station's facts.
   */
  #refuseBoot(call: InboundCall): CallOutcome {
    const base = this.#config.overloadBootIntervalSec;
    const interval = base + Math.floor((this.#options.random ?? Math.random)() * base);
    const currentTime = (this.#options.now?.() ?? new Date()).toISOString();
    this.#metrics.overloadRefusalsTotal.add(1, { action: call.action, version: call.version });
    this.#metrics.bootNotificationsTotal.add(1, { status: 'Pending', version: call.version });
    return {
      type: 'result',
      payload:
        call.version === 'ocpp1.6'
          ? { status: 'Pending', currentTime, interval }
          : {
              status: 'Pending',
              currentTime,
              interval,
              statusInfo: {
                reasonCode: 'Unspecified',
                additionalInfo: 'CSMS overloaded: boot again after interval',
              },
            },
    };
  }

  #overloadChanged(overloaded: boolean): void {
    this.#metrics.overloaded.add(overloaded ? 1 : -1);
    const { targetMs, windowMs, windows } = this.#overload.settings;
    if (overloaded)
      this.#options.log.warn(
        { targetMs, windowMs, windows },
        'overloaded: every station CALL waited longer than the target; new BootNotifications are answered Pending',
      );
    else this.#options.log.info({ targetMs }, 'no longer overloaded: BootNotifications are handled again');
  }

  #fenced(partition: number): void {
    if (!this.#subscriptions.has(partition)) return;
    this.#options.log.warn({ partition }, 'fenced out of partition: a newer owner holds it');
    void this.releasePartition(partition, 'fenced');
    this.#options.partitioned?.onFenced?.(partition);
  }

  /** The ports of one station's CALLs, carrying the current fence epoch of its partition. */
  #portsOf(stationId: string, factory: PortsFactory): (db: Kysely<Database>) => ReturnType<PortsFactory> {
    return (db) => {
      const fence = this.#fence;
      if (!fence) return factory({ db, stationId });
      const partition = partitionOf(stationId);
      return factory({ db, stationId, fence: { partition, epoch: fence.epochOf(partition) } });
    };
  }

  #requireFence(): PartitionFence {
    if (!this.#fence) throw new Error('acquirePartition needs a worker started with `partitioned`');
    return this.#fence;
  }
}
