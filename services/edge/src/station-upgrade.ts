import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { Subjects, type SecurityProfile } from '@csms/bus';
import { MAX_STATION_ID_LENGTH, type NegotiableSubprotocol } from '@csms/ocpp';
import type { WebSocket, WebSocketServer } from 'ws';
import { parseBasicAuthorization } from './basic-credentials.js';
import { CloseCode } from './close-codes.js';
import type { EdgeOptions } from './edge-options.js';
import { refuseUpgrade } from './http-refusal.js';
import { errorFields } from './logger.js';
import type { Logger } from './logger.js';
import { admitStation } from './station-admission.js';
import type { PresentedCredentials } from './station-admission.js';
import { parseStationIdentity } from './station-identity.js';
import { SUPPORTED_SUBPROTOCOLS_TEXT, selectSubprotocol } from './subprotocol.js';
import type { SubprotocolSelection } from './subprotocol.js';

/** What the upgrade handling needs from the edge server. */
export interface UpgradeHost {
  readonly options: EdgeOptions;
  readonly log: Logger;
  readonly wss: WebSocketServer;
  /** The edge takes new connections (it is running, not stopping). */
  accepting(): boolean;
  /** Open station connections on this edge. */
  connectionCount(): number;
  /** A station passed the upgrade: its socket is open. */
  accepted(
    ws: WebSocket,
    req: IncomingMessage,
    stationId: string,
    version: NegotiableSubprotocol,
    securityProfile: SecurityProfile,
  ): void;
}

/**
 * The HTTP upgrade of a station: its identity from the request path, the connection limit, subprotocol
 * negotiation (`Sec-WebSocket-Protocol`) and admission (security profiles 0-3, auto-registration). A refused
 * upgrade gets its HTTP status; an accepted one is handed to {@link UpgradeHost.accepted}.
 */
export class StationUpgrades {
  readonly #host: UpgradeHost;
  /** Upgrades between the request and the open socket (they count against `maxConnections`). */
  #pending = 0;

  constructor(host: UpgradeHost) {
    this.#host = host;
  }

  /**
   * Publishes a security event the CSMS itself detected on the station's event stream (the station never got in, so
   * its actor has no part in it). Best effort: a bus failure is logged.
   */
  #securityEvent(stationId: string, eventType: string, techInfo: string): void {
    const { options, log } = this.#host;
    const now = new Date().toISOString();
    const event = {
      stationId,
      type: 'security-event',
      at: now,
      eventType,
      techInfo,
      timestamp: now,
      source: 'csms',
      edgeId: options.edgeId,
    };
    options.bus.publish(Subjects.event(stationId, 'security-event'), event).catch((error: unknown) => {
      log.warn({ ...errorFields(error) }, 'could not publish a security event');
    });
  }

  /** The server's `upgrade` listener. Never throws. */
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { log, options } = this.#host;
    const onEarlyError = (error: Error): void => {
      log.debug({ ...errorFields(error) }, 'socket error during the upgrade');
    };
    socket.on('error', onEarlyError);
    try {
      if (!this.#host.accepting()) {
        refuseUpgrade(socket, 503, 'server shutting down');
        return;
      }
      // The edge may be configured stricter than the @csms/ocpp rule, never looser.
      const maxLength = Math.min(options.maxStationIdLength ?? MAX_STATION_ID_LENGTH, MAX_STATION_ID_LENGTH);
      const identity = parseStationIdentity(req.url ?? '', maxLength);
      if (!identity.ok) {
        log.warn({ url: req.url?.slice(0, 200), reason: identity.reason }, 'upgrade refused: bad identity');
        refuseUpgrade(socket, 400, identity.reason);
        return;
      }
      const stationId = identity.stationId;
      const { maxConnections } = options;
      if (maxConnections !== undefined && this.#host.connectionCount() + this.#pending >= maxConnections) {
        log.warn({ stationId, maxConnections }, 'upgrade refused: connection limit reached');
        refuseUpgrade(socket, 503, 'connection limit reached', { 'Retry-After': '30' });
        return;
      }
      const selection = selectSubprotocol(req.headers['sec-websocket-protocol']);
      if (selection.kind === 'missing') {
        // Not an OCPP-J handshake: "The OCPP version(s) MUST be specified in the Sec-Websocket-Protocol field"
        // (OCPP-2.0.1 part 4 §3.1.2, OCPP-J 1.6 §3.1.2).
        log.warn({ stationId }, 'upgrade refused: no Sec-WebSocket-Protocol');
        refuseUpgrade(
          socket,
          400,
          `Sec-WebSocket-Protocol required; supported: ${SUPPORTED_SUBPROTOCOLS_TEXT}`,
        );
        return;
      }
      this.#pending++;
      void this.#admit(req, socket, head, stationId, selection, onEarlyError).finally(() => {
        this.#pending--;
      });
    } catch (error: unknown) {
      log.error({ ...errorFields(error) }, 'upgrade failed');
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
    const { options, wss } = this.#host;
    const log = this.#host.log.child({ stationId });
    try {
      if (selection.kind === 'unsupported') {
        // "If the CSMS does not agree to using one of the subprotocols offered by the client, it MUST complete the
        // WebSocket handshake with a response without a Sec-WebSocket-Protocol header and then immediately close
        // the WebSocket connection" (OCPP-2.0.1 part 4 §3.2, OCPP-J 1.6 §3.2). Nothing is authenticated or stored.
        log.warn({ offered: selection.offered.slice(0, 10) }, 'upgrade: no supported subprotocol; closing');
        socket.off('error', onEarlyError);
        wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
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
        options.credentials,
        stationId,
        presented,
        options.autoRegister ?? false,
      );
      if (socket.destroyed) return;
      if (!result.ok) {
        const fields = { status: result.status, reason: result.reason, tls: presented.tls };
        if (result.cause !== undefined)
          log.error({ ...fields, ...errorFields(result.cause) }, 'upgrade refused');
        else log.warn(fields, 'upgrade refused');
        if (result.securityEvent !== undefined)
          this.#securityEvent(stationId, result.securityEvent, result.reason);
        const challenge: Record<string, string> = result.challenge
          ? { 'WWW-Authenticate': 'Basic realm="OCPP"' }
          : {};
        refuseUpgrade(socket, result.status, result.reason, challenge);
        return;
      }
      if (result.registered) {
        log.warn({ securityProfile: result.securityProfile }, 'unknown station auto-registered');
      }
      if (result.raised) {
        log.warn(
          { securityProfile: result.securityProfile },
          'station connected with a higher security profile: raised, the lower one is refused from now on (A05.FR.07)',
        );
      }
      if (!this.#host.accepting()) {
        refuseUpgrade(socket, 503, 'server shutting down');
        return;
      }
      socket.off('error', onEarlyError);
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        this.#host.accepted(ws, req, stationId, selection.version, result.securityProfile);
      });
    } catch (error: unknown) {
      log.error({ ...errorFields(error) }, 'upgrade failed');
      refuseUpgrade(socket, 500, 'internal error');
    }
  }
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
    clientCertificate: {
      verified: socket.authorized,
      commonName: typeof cn === 'string' ? cn : undefined,
      fingerprint: certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
    },
  };
}
