import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { SecureVersion } from 'node:tls';
import type { Bus, SecurityProfile } from '@csms/bus';
import type { NegotiableSubprotocol, OcppValidator } from '@csms/ocpp';
import { noopCsmsMetrics, type CsmsMetrics } from '@csms/telemetry';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { parseBasicAuthorization } from './basic-credentials.js';
import { CloseCode } from './close-codes.js';
import { refuseUpgrade } from './http-refusal.js';
import { errorFields, silentLogger } from './logger.js';
import { RetryLog } from './retry-log.js';
import type { Logger } from './logger.js';
import { admitStation } from './station-admission.js';
import type { PresentedCredentials } from './station-admission.js';
import { StationConnection } from './station-connection.js';
import type { StationCredentialStore } from './station-credential-store.js';
import { DEFAULT_MAX_STATION_ID_LENGTH, parseStationIdentity } from './station-identity.js';
import { SUPPORTED_SUBPROTOCOLS_TEXT, selectSubprotocol } from './subprotocol.js';
import type { SubprotocolSelection } from './subprotocol.js';

/** TLS settings of the edge (security profiles 2 and 3). */
export interface EdgeTlsOptions {
  /** PEM private key of the CSMS certificate. */
  readonly key: string | Buffer;
  /** PEM CSMS certificate (chain). */
  readonly cert: string | Buffer;
  /** PEM CA certificate(s) that station client certificates must chain to (security profile 3). */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * Ask stations for a client certificate (default true). The TLS handshake never fails on a missing or untrusted
   * certificate (`rejectUnauthorized: false`): the edge decides per station at the upgrade, because profile 1/2
   * stations share the port with profile 3 ones.
   */
  readonly requestClientCert?: boolean;
  /** Lowest TLS version (default TLSv1.2: A00.FR.313 / A00.FR.416 "SHALL only use TLS v1.2 or above"). */
  readonly minVersion?: SecureVersion;
}

/** Options of {@link EdgeServer}. */
export interface EdgeOptions {
  /** This edge's id, stamped on bus messages so replies and events can be traced to it. */
  readonly edgeId: string;
  /** Interface to listen on (default '0.0.0.0'). */
  readonly host?: string;
  /** Port (default 9000; 0 picks a free one, see `start()`'s result). */
  readonly port?: number;
  /** Serve wss (HTTPS) instead of ws. */
  readonly tls?: EdgeTlsOptions;
  readonly bus: Bus;
  /** Schema validator; call `precompileAll()` on it at startup to pay the compile cost before traffic. */
  readonly validator: OcppValidator;
  readonly credentials: StationCredentialStore;
  /** Accept and register unknown stations instead of refusing them with 404 (default false). */
  readonly autoRegister?: boolean;
  readonly logger?: Logger;
  /** Interval of the one shared WebSocket ping round (default 30 000; 0 disables). */
  readonly pingIntervalMs?: number;
  /** How long the edge waits for the actor's answer to a station CALL (default 30 000). */
  /**
   * Timeout of one attempt to reach the station's actor (default 5 s). A CALL nobody answers is
   * retried (fail-over, hand-over) until `stationCallTimeoutMs`, then answered with InternalError.
   */
  readonly stationCallAttemptTimeoutMs?: number;
  readonly stationCallTimeoutMs?: number;
  /**
   * A station CALL outstanding this long is taken as timed out by the station when it sends a new one: the new
   * one is handled instead of refused with GenericError (default 10 000; see StationConnection).
   */
  readonly abandonInboundAfterMs?: number;
  /** Longest accepted station identity (default 48, OCPP-2.0.1 part 4 §3.1.1). */
  readonly maxStationIdLength?: number;
  /** Upgrades beyond this many connections (including handshakes in progress) are refused with 503. */
  readonly maxConnections?: number;
  /** Largest accepted WebSocket message in bytes (default 64 KiB); larger ones close the socket with 1009. */
  readonly maxPayload?: number;
  /** CSMS CALLs that may wait behind the outstanding one per station (default 16). */
  readonly maxQueuedCsmsCalls?: number;
  /** Instruments (from `startTelemetry`); default: no-ops. Spans go through the OpenTelemetry API. */
  readonly metrics?: CsmsMetrics;
}

/** Options of {@link EdgeServer.stop}. */
export interface EdgeStopOptions {
  /** How long to wait for exchanges in flight before closing the sockets (default 10 000). */
  readonly graceMs?: number;
}

const DEFAULT_PORT = 9000;
const DEFAULT_PING_INTERVAL_MS = 30_000;
const DEFAULT_STATION_CALL_TIMEOUT_MS = 30_000;
/** Below the shortest CALL timeouts stations use in practice (OCPP leaves it to them; commonly 10-60 s). */
const DEFAULT_ABANDON_INBOUND_AFTER_MS = 10_000;
const DEFAULT_MAX_PAYLOAD = 64 * 1024;
const DEFAULT_MAX_QUEUED_CSMS_CALLS = 16;
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
  #pendingUpgrades = 0;
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
      this.#onUpgrade(req, socket, head),
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

  // -----------------------------------------------------------------------------------------------------------------
  // HTTP upgrade

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const onEarlyError = (error: Error): void => {
      this.#log.debug({ ...errorFields(error) }, 'socket error during the upgrade');
    };
    socket.on('error', onEarlyError);
    try {
      if (this.#state !== 'running') {
        refuseUpgrade(socket, 503, 'server shutting down');
        return;
      }
      const identity = parseStationIdentity(
        req.url ?? '',
        this.#options.maxStationIdLength ?? DEFAULT_MAX_STATION_ID_LENGTH,
      );
      if (!identity.ok) {
        this.#log.warn(
          { url: req.url?.slice(0, 200), reason: identity.reason },
          'upgrade refused: bad identity',
        );
        refuseUpgrade(socket, 400, identity.reason);
        return;
      }
      const stationId = identity.stationId;
      const { maxConnections } = this.#options;
      if (maxConnections !== undefined && this.#connections.size + this.#pendingUpgrades >= maxConnections) {
        this.#log.warn({ stationId, maxConnections }, 'upgrade refused: connection limit reached');
        refuseUpgrade(socket, 503, 'connection limit reached', { 'Retry-After': '30' });
        return;
      }
      const selection = selectSubprotocol(req.headers['sec-websocket-protocol']);
      if (selection.kind === 'missing') {
        // Not an OCPP-J handshake: "The OCPP version(s) MUST be specified in the Sec-Websocket-Protocol field"
        // (OCPP-2.0.1 part 4 §3.1.2, OCPP-J 1.6 §3.1.2).
        this.#log.warn({ stationId }, 'upgrade refused: no Sec-WebSocket-Protocol');
        refuseUpgrade(
          socket,
          400,
          `Sec-WebSocket-Protocol required; supported: ${SUPPORTED_SUBPROTOCOLS_TEXT}`,
        );
        return;
      }
      this.#pendingUpgrades++;
      void this.#admit(req, socket, head, stationId, selection, onEarlyError).finally(() => {
        this.#pendingUpgrades--;
      });
    } catch (error: unknown) {
      this.#log.error({ ...errorFields(error) }, 'upgrade failed');
      refuseUpgrade(socket, 500, 'internal error');
    }
  }

  /** Authenticates the station and completes the handshake. Never rejects. */
  async #admit(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    stationId: string,
    selection: Exclude<SubprotocolSelection, { kind: 'missing' }>,
    onEarlyError: (error: Error) => void,
  ): Promise<void> {
    const log = this.#log.child({ stationId });
    try {
      if (selection.kind === 'unsupported') {
        // "If the CSMS does not agree to using one of the subprotocols offered by the client, it MUST complete the
        // WebSocket handshake with a response without a Sec-WebSocket-Protocol header and then immediately close
        // the WebSocket connection" (OCPP-2.0.1 part 4 §3.2, OCPP-J 1.6 §3.2). Nothing is authenticated or stored.
        log.warn({ offered: selection.offered.slice(0, 10) }, 'upgrade: no supported subprotocol; closing');
        socket.off('error', onEarlyError);
        this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
          ws.on('error', () => {});
          ws.close(
            CloseCode.ProtocolError,
            `unsupported subprotocol; supported: ${SUPPORTED_SUBPROTOCOLS_TEXT}`,
          );
        });
        return;
      }
      const presented = presentedCredentials(req);
      const result = await admitStation(
        this.#options.credentials,
        stationId,
        presented,
        this.#options.autoRegister ?? false,
      );
      if (socket.destroyed) return;
      if (!result.ok) {
        const fields = { status: result.status, reason: result.reason, tls: presented.tls };
        if (result.cause !== undefined)
          log.error({ ...fields, ...errorFields(result.cause) }, 'upgrade refused');
        else log.warn(fields, 'upgrade refused');
        refuseUpgrade(
          socket,
          result.status,
          result.reason,
          result.challenge ? { 'WWW-Authenticate': 'Basic realm="OCPP"' } : {},
        );
        return;
      }
      if (result.registered) {
        log.warn({ securityProfile: result.securityProfile }, 'unknown station auto-registered');
      }
      if (this.#state !== 'running') {
        refuseUpgrade(socket, 503, 'server shutting down');
        return;
      }
      socket.off('error', onEarlyError);
      this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        this.#onConnection(ws, req, stationId, selection.version, result.securityProfile);
      });
    } catch (error: unknown) {
      log.error({ ...errorFields(error) }, 'upgrade failed');
      refuseUpgrade(socket, 500, 'internal error');
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

/** The parts of the TLS options that make the secure context (what {@link EdgeServer.setTls} replaces). */
function secureContextOptions(tls: EdgeTlsOptions) {
  return {
    key: tls.key,
    cert: tls.cert,
    ...(tls.ca !== undefined ? { ca: tls.ca as string | Buffer | Array<string | Buffer> } : {}),
    minVersion: tls.minVersion ?? 'TLSv1.2',
  };
}

function createTlsServer(tls: EdgeTlsOptions): Server {
  return createHttpsServer({
    ...secureContextOptions(tls),
    requestCert: tls.requestClientCert ?? true,
    rejectUnauthorized: false,
  });
}

/** What the upgrade request presents: TLS, Basic credentials, client certificate. */
function presentedCredentials(req: IncomingMessage): PresentedCredentials {
  const basic = parseBasicAuthorization(req.headers.authorization);
  const socket = req.socket;
  if (!(socket instanceof TLSSocket)) return { tls: false, basic };
  const certificate = socket.getPeerCertificate();
  if (certificate === null || Object.keys(certificate).length === 0) return { tls: true, basic };
  // A subject with several CN attributes comes back as an array: ambiguous, so no CN.
  const cn: unknown = (certificate.subject as unknown as Record<string, unknown> | undefined)?.CN;
  return {
    tls: true,
    basic,
    clientCertificate: { verified: socket.authorized, commonName: typeof cn === 'string' ? cn : undefined },
  };
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
