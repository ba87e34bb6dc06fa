import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecurityProfile } from '@csms/bus';
import type { NegotiableSubprotocol } from '@csms/ocpp';
import { noopCsmsMetrics, type CsmsMetrics } from '@csms/telemetry';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { CloseCode } from './close-codes.js';
import type { EdgeOptions, EdgeStopOptions, EdgeTlsOptions } from './edge-options.js';
import { createTlsServer, secureContextOptions } from './edge-tls.js';
import { errorFields, silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { RetryLog } from './retry-log.js';
import { StationConnection } from './station-connection.js';
import { StationUpgrades } from './station-upgrade.js';
import { SUPPORTED_SUBPROTOCOLS_TEXT, selectSubprotocol } from './subprotocol.js';

export type { EdgeOptions, EdgeStopOptions, EdgeTlsOptions } from './edge-options.js';

const DEFAULT_PORT = 9000;
const DEFAULT_PING_INTERVAL_MS = 30_000;
const DEFAULT_STATION_CALL_TIMEOUT_MS = 30_000;
/** Below the shortest CALL timeouts stations use in practice (OCPP leaves it to them; commonly 10-60 s). */
const DEFAULT_ABANDON_INBOUND_AFTER_MS = 10_000;
const DEFAULT_MAX_PAYLOAD = 64 * 1024;
const DEFAULT_MAX_QUEUED_CSMS_CALLS = 16;
/** Overlapping station CALLs kept per connection behind the one in flight (see InboundExchanges). */
const DEFAULT_MAX_QUEUED_STATION_CALLS = 8;
const DEFAULT_GRACE_MS = 10_000;
/** Send-buffer bound per socket: a station that lets this much pile up is not reading and gets dropped. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How long `stop()` waits for stations to answer the close frame before dropping the TCP connections. */
const CLOSE_HANDSHAKE_WAIT_MS = 2_000;

type State = 'new' | 'running' | 'stopping' | 'stopped';

/**
 * The OCPP-J WebSocket server: one port for OCPP 1.6 and 2.0.1 (chosen by `Sec-WebSocket-Protocol`), station
 * authentication at the HTTP upgrade (security profiles 0-3), and one {@link StationConnection} per socket that
 * bridges the station to its actor over the bus. Holds no business state: any edge can take any station.
 *
 * @example
 * const edge = new EdgeServer({ edgeId: 'edge-1', port: 0, bus, validator, credentials, logger });
 * const { port } = await edge.start();
 * // ... ws://host:port/ocpp/CP001 with Sec-WebSocket-Protocol: ocpp2.0.1
 * await edge.stop({ graceMs: 5_000 });
 */
export class EdgeServer {
  readonly #options: EdgeOptions;
  readonly #log: Logger;
  readonly #metrics: CsmsMetrics;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #connections = new Set<StationConnection>();
  /** The newest local connection per station. */
  readonly #byStation = new Map<string, StationConnection>();
  readonly #upgrades: StationUpgrades;
  #state: State = 'new';
  #port: number | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  /** Station-CALL retry and failure lines of all connections, rate-limited (bench: 66k lines otherwise). */
  readonly #retryLog: RetryLog;

  constructor(options: EdgeOptions) {
    this.#options = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'edge', edgeId: options.edgeId });
    this.#metrics = options.metrics ?? noopCsmsMetrics();
    this.#retryLog = new RetryLog(this.#log);
    this.#server = options.tls ? createTlsServer(options.tls) : createHttpServer();
    this.#server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      // Plain HTTP requests get nothing but a pointer to the WebSocket upgrade.
      res.writeHead(426, {
        'Content-Type': 'text/plain; charset=utf-8',
        Upgrade: 'websocket',
        Connection: 'close',
      });
      res.end(`OCPP-J WebSocket endpoint; subprotocols: ${SUPPORTED_SUBPROTOCOLS_TEXT}\n`);
    });
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrades.onUpgrade(req, socket, head),
    );
    this.#server.on('tlsClientError', (error: Error) => {
      this.#log.debug({ ...errorFields(error) }, 'TLS handshake failed');
    });
    this.#wss = new WebSocketServer({
      noServer: true,
      // permessage-deflate off: 2.0.1 part 4 §3.3 asks CSMSs to support RFC 7692, but it costs ~240 KiB per socket
      // and 30x the CPU (ecosystem-notes §7); the extension is negotiated, so stations fall back to plain frames.
      perMessageDeflate: false,
      clientTracking: false,
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      // The same rule as the check in the upgrade handler; false = finish without the header (part 4 §3.2).
      handleProtocols: (offered: Set<string>) => {
        const selection = selectSubprotocol([...offered].join(','));
        return selection.kind === 'selected' ? selection.version : false;
      },
    });
    this.#upgrades = new StationUpgrades({
      options,
      log: this.#log,
      wss: this.#wss,
      accepting: () => this.#state === 'running',
      connectionCount: () => this.#connections.size,
      accepted: (ws, req, stationId, version, securityProfile) =>
        this.#onConnection(ws, req, stationId, version, securityProfile),
    });
  }

  /**
   * Replaces the certificate, key and client CA for connections accepted from now on; open connections keep
   * the session they negotiated. Throws (and keeps the current ones) when the PEM does not parse or the key
   * does not match the certificate, so a half-written renewal never breaks the listener.
   */
  setTls(tls: EdgeTlsOptions): void {
    if (!this.#options.tls) throw new Error('setTls: this edge serves plain ws, not wss');
    (this.#server as HttpsServer).setSecureContext(secureContextOptions(tls));
  }

  /** Open station connections on this edge. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** The bound port once started. */
  get port(): number | undefined {
    return this.#port;
  }

  /** Starts listening; resolves with the bound port (useful with `port: 0`). */
  async start(): Promise<{ port: number }> {
    if (this.#state !== 'new') throw new Error(`EdgeServer cannot start in state ${this.#state}`);
    const { host = '0.0.0.0', port = DEFAULT_PORT } = this.#options;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#server.on('error', (error: Error) => this.#log.error({ ...errorFields(error) }, 'server error'));
    this.#state = 'running';
    this.#port = (this.#server.address() as AddressInfo).port;
    const pingIntervalMs = this.#options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    if (pingIntervalMs > 0) {
      // One timer for all sockets rather than one per socket (ecosystem-notes §7).
      this.#pingTimer = setInterval(() => this.#pingAll(), pingIntervalMs);
      this.#pingTimer.unref();
    }
    this.#log.info({ host, port: this.#port, tls: this.#options.tls !== undefined }, 'edge listening');
    return { port: this.#port };
  }

  /**
   * Graceful shutdown: stop accepting upgrades, let exchanges in flight finish (up to `graceMs`), close every socket
   * with 1001 (going away), publish their `disconnected` events, then close the listener.
   */
  stop(options: EdgeStopOptions = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.graceMs ?? DEFAULT_GRACE_MS);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    const wasRunning = this.#state === 'running';
    this.#state = 'stopping';
    clearInterval(this.#pingTimer);
    const serverClosed = wasRunning
      ? new Promise<void>((resolve) => this.#server.close(() => resolve()))
      : Promise.resolve();
    this.#server.closeIdleConnections();
    const connections = [...this.#connections];
    this.#log.info({ connections: connections.length, graceMs }, 'edge stopping');
    for (const connection of connections) connection.drain();
    await withTimeout(Promise.all(connections.map((c) => c.whenIdle())), graceMs);
    for (const connection of connections) connection.close(CloseCode.GoingAway, 'server shutting down');
    const allClosed = Promise.all(connections.map((c) => c.closed));
    if (!(await withTimeout(allClosed, CLOSE_HANDSHAKE_WAIT_MS))) {
      for (const connection of connections) connection.terminate();
      await allClosed;
    }
    this.#wss.close();
    this.#server.closeAllConnections();
    await serverClosed;
    this.#state = 'stopped';
    this.#log.info({}, 'edge stopped');
  }

  #pingAll(): void {
    for (const connection of this.#connections) {
      try {
        connection.heartbeat();
      } catch (error: unknown) {
        this.#log.warn({ stationId: connection.stationId, ...errorFields(error) }, 'ping failed');
      }
    }
  }

  #onConnection(
    ws: WebSocket,
    req: IncomingMessage,
    stationId: string,
    version: NegotiableSubprotocol,
    securityProfile: SecurityProfile,
  ): void {
    const connectionId = randomUUID();
    const connection = new StationConnection({
      ws,
      stationId,
      version,
      connectionId,
      edgeId: this.#options.edgeId,
      securityProfile,
      remoteAddress: req.socket.remoteAddress,
      bus: this.#options.bus,
      validator: this.#options.validator,
      logger: this.#log.child({ stationId, connectionId, version }),
      stationCallTimeoutMs: this.#options.stationCallTimeoutMs ?? DEFAULT_STATION_CALL_TIMEOUT_MS,
      stationCallAttemptTimeoutMs: this.#options.stationCallAttemptTimeoutMs ?? 5_000,
      abandonInboundAfterMs: this.#options.abandonInboundAfterMs ?? DEFAULT_ABANDON_INBOUND_AFTER_MS,
      maxQueuedCsmsCalls: this.#options.maxQueuedCsmsCalls ?? DEFAULT_MAX_QUEUED_CSMS_CALLS,
      maxQueuedStationCalls: this.#options.maxQueuedStationCalls ?? DEFAULT_MAX_QUEUED_STATION_CALLS,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      metrics: this.#metrics,
      retryLog: this.#retryLog,
      onClosed: (closed) => this.#forget(closed),
    });
    this.#connections.add(connection);
    this.#metrics.connections.add(1, { version });
    const previous = this.#byStation.get(stationId);
    this.#byStation.set(stationId, connection);
    // Newest connection wins (ARCHITECTURE invariant 5): the local predecessor is closed directly; connections on
    // other edges get the EvictRequest that `start()` publishes.
    previous?.close(CloseCode.Replaced, 'replaced by a newer connection');
    this.#log.info({ stationId, connectionId, version, securityProfile }, 'station connected');
    void connection.start();
  }

  #forget(connection: StationConnection): void {
    if (this.#connections.delete(connection))
      this.#metrics.connections.add(-1, { version: connection.version });
    if (this.#byStation.get(connection.stationId) === connection)
      this.#byStation.delete(connection.stationId);
  }
}

/** Creates an {@link EdgeServer} (not started). */
export function createEdge(options: EdgeOptions): EdgeServer {
  return new EdgeServer(options);
}

/** Waits for `promise` up to `ms`; true if it settled in time. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
