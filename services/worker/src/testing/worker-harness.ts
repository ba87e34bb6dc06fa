import { randomUUID } from 'node:crypto';
import {
  MemoryBus,
  Subjects,
  type CallOutcome,
  type CommandOutcome,
  type ConnectionEvent,
  type InboundCall,
  type OutboundCall,
  type OutboundOutcome,
  type StationCommand,
} from '@csms/bus';
import {
  migrateToLatest,
  openDatabase,
  type Database,
  type DatabaseConfig,
  type DatabaseHandle,
  type Kysely,
} from '@csms/db';
import { createValidator, type OcppVersion } from '@csms/ocpp';
import type { CsmsMetrics } from '@csms/telemetry';
import type { Logger } from '../logger.js';
import { Worker } from '../worker.js';
import type { WorkerConfig } from '../worker-config.js';

/** A logger that drops everything (tests assert on behaviour, not on log lines). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

/**
 * A real worker on a real in-memory bus and a real database (PGlite in memory, or PostgreSQL), with
 * helpers that play the edge's part: send station CALLs and answer CSMS CALLs. For handler tests that
 * do not need sockets; socket-level tests live in the edge and in test/.
 */
export interface WorkerHarness {
  readonly bus: MemoryBus;
  readonly database: DatabaseHandle;
  readonly worker: Worker;
  /**
   * Connects a simulated station (publishes the edge's `connected` event). With `answer`, the station
   * answers CSMS CALLs from before that event on, as an edge subscribes before it publishes it.
   */
  connect(
    stationId: string,
    version: OcppVersion,
    options?: { readonly answer?: Responder },
  ): Promise<SimulatedStation>;
  close(): Promise<void>;
}

/** How a simulated station answers a CSMS-initiated CALL. */
export type Responder = (call: OutboundCall) => OutboundOutcome | Promise<OutboundOutcome>;

export interface SimulatedStation {
  readonly stationId: string;
  readonly version: OcppVersion;
  readonly connectionId: string;
  /** Sends a CALL as the edge would and returns the CSMS's answer. */
  call(action: string, payload: Record<string, unknown>, messageId?: string): Promise<CallOutcome>;
  /** Like {@link call} but expects a CALLRESULT and returns its payload. */
  ok<T = Record<string, unknown>>(action: string, payload: Record<string, unknown>): Promise<T>;
  /** Answers CSMS-initiated CALLs with `responder` (default: none, i.e. the station looks offline). */
  answer(responder: Responder): Promise<void>;
  /** CSMS CALLs received so far. */
  readonly received: OutboundCall[];
  /** Sends an operator command to the station's actor. */
  command(
    action: string,
    payload: Record<string, unknown>,
    options?: Partial<StationCommand>,
  ): Promise<CommandOutcome>;
  /** Publishes the edge's `disconnected` event and stops answering CSMS CALLs (no responders). */
  disconnect(): Promise<void>;
}

export async function startWorkerHarness(
  options: {
    database?: DatabaseConfig;
    config?: Partial<WorkerConfig>;
    now?: () => Date;
    /** What the worker gets as its database (default: the opened one; tests observe its use through this). */
    workerDb?: (db: Kysely<Database>) => Kysely<Database>;
    /** The worker's instruments (default: no-ops). */
    metrics?: CsmsMetrics;
    /** The overload detector's clock (ms) and the retry jitter's draw (WorkerOptions). */
    overloadClock?: () => number;
    random?: () => number;
    /**
     * A distributed worker (partitioned, fenced; its single-statement actions as fenced group-committed
     * statements on the database's autocommit handle): the test acquires the stations' partitions.
     */
    partitioned?: { readonly workerId: string };
  } = {},
): Promise<WorkerHarness> {
  const bus = new MemoryBus();
  const database = await openDatabase(options.database ?? { kind: 'pglite-memory' });
  await migrateToLatest(database.db);
  const worker = new Worker({
    bus,
    db: options.workerDb ? options.workerDb(database.db) : database.db,
    // As the embedded process wires it (group commit on PostgreSQL), unless the test observes the database.
    ...(options.workerDb ? {} : { autocommitDb: database.autocommitDb }),
    validator: createValidator(),
    log: silentLogger,
    config: options.config,
    now: options.now,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.overloadClock ? { overloadClock: options.overloadClock } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.partitioned
      ? { partitioned: { ...options.partitioned, fencedStatementsDb: database.autocommitDb } }
      : {}),
  });
  await worker.start();
  const unsubscribers: (() => Promise<void>)[] = [];

  return {
    bus,
    database,
    worker,
    connect: (stationId, version, connectOptions = {}) =>
      connectStation(bus, unsubscribers, stationId, version, connectOptions.answer),
    async close() {
      await Promise.all(unsubscribers.map((u) => u()));
      await worker.stop();
      await bus.close();
      await database.close();
    },
  };
}

/**
 * Plays the edge of a new connection: publishes its `connected` event (answering CSMS CALLs from before
 * it with `responder`, as an edge subscribes first) and returns the station's side of it.
 */
async function connectStation(
  bus: MemoryBus,
  unsubscribers: (() => Promise<void>)[],
  stationId: string,
  version: OcppVersion,
  responder: Responder | undefined,
): Promise<SimulatedStation> {
  const connectionId = randomUUID();
  const event = (type: ConnectionEvent['type']): ConnectionEvent => ({
    type,
    stationId,
    version,
    connectionId,
    edgeId: 'test-edge',
    securityProfile: 0,
    at: new Date().toISOString(),
  });
  const received: OutboundCall[] = [];
  const answering: (() => Promise<void>)[] = [];
  const answer = async (r: Responder): Promise<void> => {
    const sub = await bus.subscribe<OutboundCall, OutboundOutcome>(
      Subjects.outboundCall(stationId),
      async (msg) => {
        received.push(msg.data);
        return r(msg.data);
      },
    );
    answering.push(() => sub.unsubscribe());
    unsubscribers.push(() => sub.unsubscribe());
  };
  if (responder) await answer(responder);
  await bus.publish(Subjects.connection(stationId), event('connected'));
  return simulatedStation(bus, { stationId, version, connectionId, received }, answer, async () => {
    await Promise.all(answering.splice(0).map((u) => u()));
    await bus.publish(Subjects.connection(stationId), event('disconnected'));
  });
}

/** The station's side of a connection: CALLs as the edge would send them, and operator commands. */
function simulatedStation(
  bus: MemoryBus,
  connection: Pick<SimulatedStation, 'stationId' | 'version' | 'connectionId' | 'received'>,
  answer: SimulatedStation['answer'],
  disconnect: SimulatedStation['disconnect'],
): SimulatedStation {
  const { stationId, version, connectionId } = connection;
  let counter = 0;
  const station: SimulatedStation = {
    ...connection,
    call: (action, payload, messageId) => {
      const call: InboundCall = {
        stationId,
        version,
        connectionId,
        edgeId: 'test-edge',
        messageId: messageId ?? `m${++counter}`,
        action,
        payload,
        receivedAt: new Date().toISOString(),
      };
      return bus.request<CallOutcome>(Subjects.inboundCall(stationId), call, { timeoutMs: 10_000 });
    },
    ok: async <T>(action: string, payload: Record<string, unknown>) => {
      const outcome = await station.call(action, payload);
      if (outcome.type !== 'result')
        throw new Error(`${action} answered ${outcome.code}: ${outcome.description}`);
      return outcome.payload as T;
    },
    answer,
    command: (action, payload, extra) =>
      bus.request<CommandOutcome>(
        Subjects.command(stationId),
        { action, payload, ...extra },
        { timeoutMs: 60_000 },
      ),
    disconnect,
  };
  return station;
}
