import { WebSocket, type ClientOptions, type RawData } from 'ws';
import type { SimulatedVersion } from './model.js';
import type { StationContext } from './station-context.js';
import type { ReconnectConfig, StationState } from './station-options.js';

/** What the station does when its socket opens, closes or receives a frame. */
export interface LinkEvents {
  /** The socket is open and the CSMS selected the station's subprotocol. */
  opened(): void;
  /** The socket closed (before a reconnect is scheduled). */
  closed(): void;
  message(data: RawData, isBinary: boolean): void;
}

/**
 * A station's WebSocket connection: one socket at a time through the fleet's handshake gate, the
 * subprotocol check, and reconnects with exponential backoff and jitter whenever the socket closes.
 */
export class StationLink {
  state: StationState = 'idle';
  /** The socket is open. */
  open = false;
  everOpened = false;
  lastError: string | undefined;

  #ws: WebSocket | undefined;
  /** The simulator closes the socket itself (Reset, stop): not counted as a disconnect. */
  #selfClose = false;
  #reconnectAttempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  readonly #closeWaiters: (() => void)[] = [];

  constructor(
    private readonly ctx: StationContext,
    private readonly url: string,
    private readonly version: SimulatedVersion,
    private readonly wsOptions: ClientOptions,
    private readonly config: ReconnectConfig,
    private readonly events: LinkEvents,
  ) {}

  /** Sends a text frame; false when there is no socket. */
  send(text: string): boolean {
    const ws = this.#ws;
    if (ws === undefined) return false;
    ws.send(text);
    return true;
  }

  /** Closes the socket on purpose (the station reconnects unless stopped). */
  close(code: number, reason: string): void {
    if (this.#ws === undefined) return;
    this.#selfClose = true;
    this.#ws.close(code, reason);
  }

  /** Drops the socket without a close handshake, as a network failure would. */
  terminate(): void {
    this.#ws?.terminate();
  }

  /** No more reconnects: the station is stopping for good. */
  markStopped(): void {
    this.state = 'stopped';
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  /** Closes the socket (if any) and resolves once it is closed; after {@link markStopped}. */
  async closeForStop(): Promise<void> {
    const ws = this.#ws;
    if (ws === undefined) return;
    const closed = new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
    this.#selfClose = true;
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000, 'simulator stopped');
    // A CSMS that never completes the close handshake does not hold the stop up.
    const timer = setTimeout(() => ws.terminate(), 2_000);
    await closed;
    clearTimeout(timer);
  }

  connect(): void {
    this.#reconnectTimer = undefined;
    if (this.state === 'stopped') return;
    this.state = 'connecting';
    void this.ctx.gate.acquire().then(() => this.#openSocket());
  }

  #openSocket(): void {
    const gate = this.ctx.gate;
    if (this.state === 'stopped') {
      gate.release();
      return;
    }
    const metrics = this.ctx.metrics;
    metrics.connectAttempts++;
    let released = false;
    const release = (): void => {
      if (!released) {
        released = true;
        gate.release();
      }
    };
    let opened = false;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, this.version, this.wsOptions);
    } catch (error) {
      release();
      metrics.connectFailures++;
      this.lastError = error instanceof Error ? error.message : String(error);
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    ws.on('open', () => {
      opened = true;
      release();
      this.#onOpen(ws);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (ws === this.#ws) this.events.message(data, isBinary);
    });
    ws.on('error', (error: Error) => {
      // A handshake the simulator aborts itself (stop) is not a failure of the CSMS.
      if (this.state === 'stopped') return;
      this.lastError = error.message;
      if (!opened) metrics.connectFailures++;
    });
    ws.on('close', () => {
      release();
      this.#onClose(ws);
    });
  }

  #onOpen(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    if (ws.protocol !== this.version) {
      // The CSMS did not select our subprotocol: OCPP-J says the station must not go on (part 4 §3.1.2).
      this.lastError = `CSMS selected subprotocol "${ws.protocol}" instead of ${this.version}`;
      this.ctx.metrics.connectFailures++;
      this.#selfClose = true;
      ws.close(1002, 'subprotocol not selected');
      return;
    }
    this.open = true;
    this.state = 'open';
    const metrics = this.ctx.metrics;
    metrics.connectedDelta(1);
    if (this.everOpened) metrics.reconnects++;
    this.everOpened = true;
    this.#reconnectAttempt = 0;
    this.events.opened();
  }

  #onClose(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    this.#ws = undefined;
    const metrics = this.ctx.metrics;
    if (this.open) {
      this.open = false;
      metrics.connectedDelta(-1);
      if (!this.#selfClose) metrics.disconnects++;
    }
    this.#selfClose = false;
    this.events.closed();
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
    if (this.state === 'stopped') return;
    this.state = 'closed';
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.state === 'stopped' || this.#reconnectTimer !== undefined) return;
    this.state = 'closed';
    // Exponential backoff with jitter in [delay/2, delay]: after a CSMS failover thousands of stations
    // reconnect, and synchronised retries would arrive as one wave per step.
    const { reconnectMinMs, reconnectMaxMs } = this.config;
    const delay = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.min(this.#reconnectAttempt, 20));
    this.#reconnectAttempt++;
    this.#reconnectTimer = setTimeout(() => this.connect(), delay / 2 + Math.random() * (delay / 2));
  }
}
